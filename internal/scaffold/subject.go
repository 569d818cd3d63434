package scaffold

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/octo-sts/action/internal/workflow"
)

// Subject says how GitHub writes the repository's subjects, so the policy matches what it sends.
type Subject struct {
	Settings        workflow.SubjectSettings
	OwnerID, RepoID string // numeric IDs, needed for immutable subjects
	// Transitional writes a pattern accepting both the classic and the immutable form, for a
	// repository about to be renamed or transferred or switched to immutable subjects.
	Transitional bool
}

var numericID = regexp.MustCompile(`^[1-9][0-9]{0,19}$`)

// validate refuses IDs that are not GitHub's numeric IDs and forms that need IDs without them.
func (s Subject) validate() error {
	for flag, v := range map[string]string{"--owner-id": s.OwnerID, "--repo-id": s.RepoID} {
		if v != "" && !numericID.MatchString(v) {
			return fmt.Errorf("%s %q: want the numeric ID GitHub shows (GET /repos/OWNER/NAME: owner.id and id)", flag, v)
		}
	}
	if (s.OwnerID == "") != (s.RepoID == "") {
		return errors.New("--owner-id and --repo-id go together (both or neither)")
	}
	if (s.Settings.UseImmutableSubject || s.Transitional) && s.OwnerID == "" {
		return errors.New("immutable subjects name the owner's and the repository's numeric IDs: give --owner-id and --repo-id (or a GitHub token so they can be read)")
	}
	return nil
}

// line renders the policy's subject line for a run on refs/heads/branch of repo: an exact
// `subject:` when the form allows it, else a `subject_pattern:` (transitional, custom template).
// known supplies values of custom-template claims; unknown ones match any value without ":".
func (s Subject) line(repo, branch string, known map[string]string) (string, error) {
	if err := s.validate(); err != nil {
		return "", err
	}
	owner, name, _ := strings.Cut(repo, "/")
	ctx := "ref:refs/heads/" + branch
	classic := workflow.RepoPart(owner, name, "", "", false)
	immutable := workflow.RepoPart(owner, name, s.OwnerID, s.RepoID, true)
	custom := !s.Settings.UseDefault && len(s.Settings.IncludeClaimKeys) > 0
	if !custom && !s.Transitional {
		part := classic
		if s.Settings.UseImmutableSubject {
			part = immutable
		}
		return "subject: repo:" + part + ":" + ctx, nil
	}
	repoPattern := regexp.QuoteMeta(classic)
	if s.Settings.UseImmutableSubject {
		repoPattern = regexp.QuoteMeta(immutable)
	}
	if s.Transitional {
		repoPattern = "(?:" + regexp.QuoteMeta(classic) + "|" + regexp.QuoteMeta(immutable) + ")"
	}
	if !custom {
		return "subject_pattern: repo:" + repoPattern + ":" + regexp.QuoteMeta(ctx), nil
	}
	parts := make([]string, 0, len(s.Settings.IncludeClaimKeys))
	for _, k := range s.Settings.IncludeClaimKeys {
		switch v, ok := known[k]; {
		case k == "repo":
			parts = append(parts, "repo:"+repoPattern)
		case k == "context":
			parts = append(parts, regexp.QuoteMeta(ctx))
		case ok:
			parts = append(parts, regexp.QuoteMeta(k+":")+v)
		default:
			parts = append(parts, regexp.QuoteMeta(k+":")+"[^:]+")
		}
	}
	return "subject_pattern: " + strings.Join(parts, ":"), nil
}

// describe is the comment line above the subject saying which form GitHub sends; empty for the
// classic default, which needs no explanation.
func (s Subject) describe() string {
	custom := !s.Settings.UseDefault && len(s.Settings.IncludeClaimKeys) > 0
	if !custom && !s.Settings.UseImmutableSubject && !s.Transitional {
		return ""
	}
	d := "# GitHub sends this repository's subjects as: " + s.Settings.Describe() + "."
	if s.Transitional {
		d += "\n# Transitional: accepts both repo:OWNER/NAME and repo:OWNER@ID/NAME@ID; drop the classic form once\n# GitHub sends immutable subjects."
	}
	return d + "\n"
}

// knownClaims are the claim values of a run on the default branch, as regular expressions.
func knownClaims(repo, branch string, s Subject) map[string]string {
	owner, _, _ := strings.Cut(repo, "/")
	m := map[string]string{
		"repository": regexp.QuoteMeta(repo), "repository_owner": regexp.QuoteMeta(owner),
		"ref": regexp.QuoteMeta("refs/heads/" + branch), "ref_type": "branch",
	}
	if s.OwnerID != "" {
		m["repository_owner_id"], m["repository_id"] = s.OwnerID, s.RepoID
	}
	return m
}
