package workflow

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// SubjectSettings is a repository's OIDC subject configuration, as GitHub's
// GET /repos/{owner}/{repo}/actions/oidc/customization/sub reports it.
type SubjectSettings struct {
	// UseDefault is true for GitHub's default template (repo:<repo>:<context>).
	UseDefault bool `json:"use_default"`
	// IncludeClaimKeys is the custom template when UseDefault is false, e.g. ["repo","context","job_workflow_ref"].
	IncludeClaimKeys []string `json:"include_claim_keys,omitempty"`
	// UseImmutableSubject puts the owner's and repository's numeric IDs in the repo part
	// (repo:OWNER@OWNER_ID/REPO@REPO_ID:…), which survives renames and transfers.
	UseImmutableSubject bool `json:"use_immutable_subject,omitempty"`
	// SubClaimPrefix is the repo part GitHub reports it will send (informational; rebuilt from IDs).
	SubClaimPrefix string `json:"sub_claim_prefix,omitempty"`
}

// DefaultSubject is GitHub's default template with classic (name-based) subjects.
var DefaultSubject = SubjectSettings{UseDefault: true}

var claimKey = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// ParseTemplate reads a custom subject template given as comma-separated claim keys
// ("repo,context,job_workflow_ref"), the shape of include_claim_keys.
func ParseTemplate(s string) (SubjectSettings, error) {
	var keys []string
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !claimKey.MatchString(k) {
			return SubjectSettings{}, fmt.Errorf("--subject-template: %q is not a claim key (letters, digits and _ only)", k)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return SubjectSettings{}, errors.New("--subject-template: name at least one claim key, e.g. repo,context")
	}
	return SubjectSettings{IncludeClaimKeys: keys}, nil
}

// RepoPart is the repository part of a subject: owner/name, or owner@id/name@id for immutable subjects.
func RepoPart(owner, name, ownerID, repoID string, immutable bool) string {
	if immutable && ownerID != "" && repoID != "" {
		return owner + "@" + ownerID + "/" + name + "@" + repoID
	}
	return owner + "/" + name
}

// Subject builds the sub claim GitHub issues: context is "ref:refs/heads/main", "environment:prod"
// or "pull_request"; claims supplies the values of a custom template's other keys.
func (s SubjectSettings) Subject(repoPart, context string, claims map[string]any) string {
	if s.UseDefault || len(s.IncludeClaimKeys) == 0 {
		return "repo:" + repoPart + ":" + context
	}
	parts := make([]string, 0, len(s.IncludeClaimKeys))
	for _, k := range s.IncludeClaimKeys {
		switch k {
		case "context":
			parts = append(parts, context)
		case "repo":
			parts = append(parts, "repo:"+repoPart)
		default:
			v, _ := claims[k].(string)
			parts = append(parts, k+":"+v)
		}
	}
	return strings.Join(parts, ":")
}

// Describe says in words which subject form the settings produce.
func (s SubjectSettings) Describe() string {
	form := "classic (owner/name) subjects"
	if s.UseImmutableSubject {
		form = "immutable (owner@id/name@id) subjects"
	}
	if !s.UseDefault && len(s.IncludeClaimKeys) > 0 {
		return "custom template " + strings.Join(s.IncludeClaimKeys, ",") + " with " + form
	}
	return "default template with " + form
}

// EscapeValue writes ":" inside a subject value as GitHub does (%3A).
func EscapeValue(s string) string { return strings.ReplaceAll(s, ":", "%3A") }
