package scaffold

import (
	"fmt"
	"regexp"
	"strings"
)

// ownerRE is GitHub's login syntax: letters, digits and single inner hyphens, at most 39 characters.
var ownerRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)

// repoNameRE is GitHub's repository name syntax: letters, digits, '.', '-' and '_'.
var repoNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

// identityRE is a plain policy file stem: the server reads .github/chainguard/<identity>.sts.yaml.
var identityRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// shaRE is a full Git commit SHA, the only immutable way to reference a reusable workflow.
var shaRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// ValidateRepo checks an OWNER/NAME repository, so a typo fails here rather than as a policy that
// can never match. flag names the option in the message (e.g. "--repo").
func ValidateRepo(flag, repo string) error {
	owner, name, ok := strings.Cut(repo, "/")
	switch {
	case repo == "":
		return fmt.Errorf("%s is required: give the repository as OWNER/NAME, e.g. %s acme/app", flag, flag)
	case !ok || strings.Contains(name, "/"):
		return fmt.Errorf("%s %q: want exactly OWNER/NAME, e.g. %s acme/app", flag, repo, flag)
	case !ownerRE.MatchString(owner):
		return fmt.Errorf("%s %q: owner %q is not a GitHub login (letters, digits and single hyphens, at most 39 characters, not starting or ending with '-'); fix the owner part", flag, repo, owner)
	case !repoNameRE.MatchString(name) || name == "." || name == ".." || strings.HasSuffix(name, ".git"):
		return fmt.Errorf("%s %q: name %q is not a GitHub repository name (letters, digits, '.', '-' and '_', at most 100 characters, without a .git suffix); fix the name part", flag, repo, name)
	}
	return nil
}

// ValidateIdentity checks that identity is a plain file stem, because it becomes the file name
// .github/chainguard/<identity>.sts.yaml and the `identity` input of the action.
func ValidateIdentity(flag, identity string) error {
	switch {
	case identity == "":
		return fmt.Errorf("%s is empty: give the policy name, e.g. %s deploy for .github/chainguard/deploy.sts.yaml", flag, flag)
	case strings.HasSuffix(identity, ".sts.yaml") || strings.HasSuffix(identity, ".sts.yml"):
		stem := strings.TrimSuffix(strings.TrimSuffix(identity, ".sts.yaml"), ".sts.yml")
		return fmt.Errorf("%s %q includes the file suffix; use %s %s (.sts.yaml is appended)", flag, identity, flag, stem)
	case strings.EqualFold(identity, "trusted-token-issuers"):
		return fmt.Errorf("%s %q is the name of the org issuer allowlist, not a policy; pick another name such as deploy", flag, identity)
	case !identityRE.MatchString(identity) || strings.Contains(identity, ".."):
		return fmt.Errorf("%s %q is not a plain file name stem: use letters, digits, '.', '-' and '_' (no '/', spaces or '..'), starting with a letter or digit, e.g. %s deploy", flag, identity, flag)
	}
	return nil
}

// ValidateBranch checks a branch name for use in an exact `subject`: Octo STS refuses tokens whose
// subject contains whitespace or shell-special characters, so such a branch could never match.
func ValidateBranch(flag, branch string) error {
	if branch == "" {
		return fmt.Errorf("%s is empty: give the repository's default branch, e.g. %s main", flag, flag)
	}
	if strings.HasPrefix(branch, "refs/") {
		return fmt.Errorf("%s %q: give the branch name without refs/heads/, e.g. %s %s", flag, branch, flag, strings.TrimPrefix(branch, "refs/heads/"))
	}
	for _, r := range branch {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("\"'`\\<>;&$(){}[]~^:?*", r) {
			return fmt.Errorf("%s %q: the branch name contains %q, which GitHub or Octo STS refuses in a subject; rename the branch or pass the real default branch", flag, branch, r)
		}
	}
	if strings.HasPrefix(branch, "/") || strings.HasSuffix(branch, "/") || strings.Contains(branch, "//") || strings.Contains(branch, "..") || strings.HasSuffix(branch, ".lock") {
		return fmt.Errorf("%s %q is not a valid Git branch name; pass the repository's default branch, e.g. %s main", flag, branch, flag)
	}
	return nil
}

// WorkflowRef is a parsed OWNER/REPO@REF naming the repository that hosts the reusable workflows.
type WorkflowRef struct {
	Repo string // OWNER/NAME
	Ref  string // as given: a branch or tag name, refs/heads/…, refs/tags/… or a 40-hex commit SHA
}

// ParseWorkflowRef parses OWNER/REPO@REF (e.g. octo-sts/action@v1) with errors that name
// flag and the fix.
func ParseWorkflowRef(flag, s string) (WorkflowRef, error) {
	repo, ref, ok := strings.Cut(s, "@")
	if !ok || ref == "" {
		return WorkflowRef{}, fmt.Errorf("%s %q: want OWNER/REPO@REF, e.g. %s %s", flag, s, flag, DefaultReusableRef)
	}
	if err := ValidateRepo(flag, repo); err != nil {
		return WorkflowRef{}, err
	}
	name := strings.TrimPrefix(strings.TrimPrefix(ref, "refs/heads/"), "refs/tags/")
	if name == "" || strings.HasPrefix(ref, "refs/") && name == ref {
		return WorkflowRef{}, fmt.Errorf("%s %q: a full ref must be refs/heads/NAME or refs/tags/NAME; or give a tag, branch or 40-character commit SHA", flag, s)
	}
	if err := ValidateBranch(flag, name); err != nil {
		return WorkflowRef{}, fmt.Errorf("%s %q: the ref %q is not a valid branch, tag or commit SHA", flag, s, ref)
	}
	return WorkflowRef{Repo: repo, Ref: ref}, nil
}

// UsesRef is what goes after '@' in `uses:`: GitHub resolves branch and tag names and SHAs there.
func (w WorkflowRef) UsesRef() string {
	return strings.TrimPrefix(strings.TrimPrefix(w.Ref, "refs/heads/"), "refs/tags/")
}

// JobWorkflowRefPattern is the anchored-by-the-server regular expression for the
// `job_workflow_ref` claim of jobs running file (e.g. .github/workflows/renovate.yaml) at this ref.
// GitHub writes the full ref (refs/heads/… or refs/tags/…) or the commit SHA after '@'; a bare
// name matches as either a branch or a tag, both of which only the workflow repository controls.
func (w WorkflowRef) JobWorkflowRefPattern(file string) string {
	prefix := regexp.QuoteMeta(w.Repo + "/" + file + "@")
	switch {
	case shaRE.MatchString(w.Ref), strings.HasPrefix(w.Ref, "refs/"):
		return prefix + regexp.QuoteMeta(w.Ref)
	default:
		return prefix + "refs/(?:heads|tags)/" + regexp.QuoteMeta(w.Ref)
	}
}
