package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-github/v92/github"

	"github.com/octo-sts/action/internal/check"
	"github.com/octo-sts/action/internal/credhttp"
	"github.com/octo-sts/action/internal/markdown"
	"github.com/octo-sts/action/internal/policy"
)

// The diagnosis hooks read the environment and the network through these, so tests can point
// them at fakes; DiagnoseInput carries no environment of its own.
var (
	diagnoseGetenv     = os.Getenv
	diagnoseHTTPClient = func() *http.Client { return &http.Client{Timeout: 20 * time.Second} }
)

// maxPolicyBytes matches GitHub's contents API limit; the server cannot read larger policies.
const maxPolicyBytes = 1 << 20

func init() {
	Diagnose = diagnose
	DebugEvaluate = debugEvaluate
}

// diagnose explains a 403/404 by evaluating the real policy against the token's claims.
func diagnose(ctx context.Context, in DiagnoseInput) string { return explain(ctx, in, false) }

// debugEvaluate evaluates the policy for `debug: true` without any exchange.
func debugEvaluate(ctx context.Context, in DiagnoseInput) string { return explain(ctx, in, true) }

// policySource is where the policy the server would read was found.
type policySource struct {
	owner, repo string // the repository the server reads
	path        string // repo-relative policy path
	where       string // human description of where we read it
	data        []byte
}

func explain(ctx context.Context, in DiagnoseInput, debug bool) string {
	var b strings.Builder
	payload, err := json.Marshal(in.Claims)
	if err != nil {
		return "The token's claims could not be re-encoded for a local check: " + err.Error() + "\n"
	}
	claims, err := check.ParseClaims(payload)
	if err != nil {
		return "The server cannot decode this token's claims (" + mdText(err.Error()) + "); no policy can allow it.\n"
	}
	cause, policyIrrelevant := serverCause(in, claims.Issuer)
	if cause != "" {
		b.WriteString(cause)
		if policyIrrelevant {
			return b.String()
		}
		b.WriteString("\n")
	}
	src, why := locatePolicy(ctx, in)
	if src == nil {
		b.WriteString(why)
		if !debug && in.Status == http.StatusNotFound {
			b.WriteString(notFoundCauses(in))
		}
		return b.String()
	}
	r, err := check.Evaluate(check.Input{
		PolicyPath: src.path, Policy: src.data, Kind: policy.ResolveScope(in.Scope, in.OrgPolicyRepo).Kind, Identity: in.Identity,
		Repository: src.owner + "/" + src.repo, Scope: in.Scope, OrgPolicyRepo: in.OrgPolicyRepo, Domain: in.Domain, Claims: claims,
		Server: in.Server,
	})
	if err != nil {
		return "Local evaluation failed: " + mdText(err.Error()) + "\n"
	}
	var md strings.Builder
	_ = check.RenderMarkdown(&md, r)
	// The verdict leads; where the policy came from follows it.
	verdict, rest, _ := strings.Cut(md.String(), "\n\n")
	fmt.Fprintf(&b, "%s\n\nEvaluated %s from %s against this job's token claims, with the server's rules.\n\n%s", verdict, markdown.Code(src.path), src.where, rest)
	if !debug {
		b.WriteString("\n")
		b.WriteString(compare(in, r, cause != ""))
	}
	return b.String()
}

// compare relates the local verdict to what the server actually answered; explained is set when
// serverCause already named a cause that lies past the policy's match.
func compare(in DiagnoseInput, r *check.Report, explained bool) string {
	switch {
	case explained && (r.Verdict == check.Allow || r.Verdict == check.Depends):
		return "The local evaluation agrees that the policy matches this token, so the cause above is what failed.\n"
	case in.Status == http.StatusForbidden && r.Verdict == check.Deny && r.Message == in.Message:
		return "The local evaluation reproduces the server's answer exactly.\n"
	case in.Status == http.StatusForbidden && r.Verdict == check.Deny &&
		isClaimDenial(policy.Classify(r.Status, r.Message)) && isClaimDenial(policy.Classify(in.Status, in.Message)):
		return "The local evaluation fails on a claim_pattern entry as well; when several entries fail, the server may name a different one.\n"
	case in.Status == http.StatusNotFound && r.Verdict == check.InvalidPolicy:
		return "This is why the server answered 404: it cannot parse or compile the policy, and it never says why. Fix the findings above on the default branch.\n"
	case in.Status == http.StatusNotFound:
		return "The policy parses and compiles, so the 404 has another cause:\n" + notFoundCauses(in)
	case r.Verdict == check.Allow:
		return "Locally this policy allows the token, but the server answered " + fmt.Sprint(in.Status) + ": the server reads the policy from the default branch and caches it for up to 5 minutes, so it may be checking a different version.\n"
	default:
		return fmt.Sprintf("The server answered %d; the local evaluation of the policy read here gives a different message, so the server probably read another version (default branch, cached up to 5 minutes).\n", in.Status)
	}
}

// notFoundCauses lists what else makes the server answer 404 (spec §1.6 rows 10–17).
func notFoundCauses(in DiagnoseInput) string {
	owner, _, _ := scopeRepo(in.Scope, in.OrgPolicyRepo)
	return fmt.Sprintf("- the Octo STS GitHub App is not installed on %s (the owner must match the installation's login exactly, including case);\n"+
		"- the policy is not on the repository's default branch, or was added less than 5 minutes ago (the server caches \"not found\");\n"+
		"- the identity %s does not match the file name %s.\n", markdown.Code(owner), markdown.Code(in.Identity), markdown.Code(".github/chainguard/"+in.Identity+".sts.yaml"))
}

// scopeRepo is the server's scope resolution (policy.ResolveScope), plus whether the result names
// a repository at all (a scope such as "a/b/c" resolves to owner "a/b", which cannot exist).
func scopeRepo(scope, orgPolicyRepo string) (owner, repo string, ok bool) {
	s := policy.ResolveScope(scope, orgPolicyRepo)
	return s.Owner, s.Repo, s.Owner != "" && s.Repo != "" && !strings.Contains(s.Owner, "/")
}

// locatePolicy finds the policy the server reads: in the workspace when the scope is this
// repository, else through the contents API with the github-token input. When it cannot, the
// returned markdown says why and what to do.
func locatePolicy(ctx context.Context, in DiagnoseInput) (*policySource, string) {
	owner, repo, ok := scopeRepo(in.Scope, in.OrgPolicyRepo)
	if !ok {
		return nil, fmt.Sprintf("The scope %s does not name a repository, so there is no policy to check.\n", markdown.Code(in.Scope))
	}
	for _, seg := range strings.Split(in.Identity, "/") {
		if seg == ".." || seg == "." || seg == "" {
			return nil, fmt.Sprintf("The identity %s is not a usable file name; the server refuses it with 404.\n", markdown.Code(in.Identity))
		}
	}
	rel := policy.PolicyDir + "/" + in.Identity + ".sts.yaml"
	src := &policySource{owner: owner, repo: repo, path: rel}

	current := diagnoseGetenv("GITHUB_REPOSITORY")
	if current == "" {
		current, _ = in.Claims["repository"].(string)
	}
	if in.Workspace != "" && strings.EqualFold(current, owner+"/"+repo) {
		data, err := readBounded(filepath.Join(in.Workspace, filepath.FromSlash(rel)))
		if err == nil {
			src.data = data
			src.where = "the workspace checkout (the server reads the default branch; they may differ)"
			return src, ""
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Sprintf("Could not read %s from the workspace: %s.\n", markdown.Code(rel), mdText(err.Error()))
		}
	}
	if in.GitHubToken == "" {
		return nil, fmt.Sprintf("The policy %s in %s is not in the workspace and no `github-token` was given, so it cannot be checked here. Check out that repository or pass a token with `contents: read` on it.\n", markdown.Code(rel), markdown.Code(owner+"/"+repo))
	}
	data, why := fetchPolicy(ctx, in.GitHubToken, owner, repo, rel)
	if data == nil {
		return nil, why
	}
	src.data = data
	src.where = fmt.Sprintf("%s (default branch, via the GitHub API)", markdown.Code(owner+"/"+repo))
	return src, ""
}

func readBounded(p string) ([]byte, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%s is a directory", filepath.Base(p))
	}
	if info.Size() > maxPolicyBytes {
		return nil, fmt.Errorf("larger than 1 MB, which the server cannot read")
	}
	return os.ReadFile(p)
}

// fetchPolicy reads the policy from the default branch, as the server does. When it cannot, the
// string explains why in markdown for the summary, never containing the token.
func fetchPolicy(ctx context.Context, token, owner, repo, rel string) ([]byte, string) {
	api := diagnoseGetenv("GITHUB_API_URL")
	if api == "" {
		// The runner always sets it; without it we are not in a job and must not guess a host.
		return nil, fmt.Sprintf("GITHUB_API_URL is not set, so %s in %s cannot be read through the GitHub API.\n", markdown.Code(rel), markdown.Code(owner+"/"+repo))
	}
	if !strings.HasSuffix(api, "/") {
		api += "/"
	}
	// go-github re-adds Authorization on every redirect hop: bind the token to the API origin.
	hc, err := credhttp.Bind(diagnoseHTTPClient(), api)
	if err != nil {
		return nil, fmt.Sprintf("GITHUB_API_URL %s is not usable: %s.\n", markdown.Code(api), mdText(err.Error()))
	}
	client, err := github.NewClient(github.WithHTTPClient(hc), github.WithAuthToken(token), github.WithURLs(&api, &api))
	if err != nil {
		return nil, fmt.Sprintf("Could not build a GitHub client for %s: %s.\n", markdown.Code(api), mdText(err.Error()))
	}
	file, dir, resp, err := client.Repositories.GetContents(ctx, owner, repo, rel, nil)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	switch {
	case status == http.StatusNotFound:
		return nil, fmt.Sprintf("There is no %s on the default branch of %s (or the `github-token` cannot see that repository). That alone makes the server answer 404 %s.\n", markdown.Code(rel), markdown.Code(owner+"/"+repo), markdown.Code(policy.ExchangeAnswer(policy.Legacy, policy.CodePolicyNotFound, relIdentity(rel)).Message))
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return nil, fmt.Sprintf("The `github-token` may not read %s (HTTP %d). A workflow's GITHUB_TOKEN can only read its own repository; pass a token with `contents: read` on %s to get a diagnosis.\n", markdown.Code(owner+"/"+repo), status, markdown.Code(owner+"/"+repo))
	case err != nil:
		return nil, fmt.Sprintf("Could not read %s from %s: %s.\n", markdown.Code(rel), markdown.Code(owner+"/"+repo), mdText(scrub(err.Error(), token)))
	case file == nil || dir != nil:
		return nil, fmt.Sprintf("%s in %s is a directory, not a policy file; the server cannot read it.\n", markdown.Code(rel), markdown.Code(owner+"/"+repo))
	}
	content, err := file.GetContent()
	if err != nil || len(content) > maxPolicyBytes {
		unreadable := policy.ExchangeAnswer(policy.Legacy, policy.CodePolicyUnreadable, relIdentity(rel))
		return nil, fmt.Sprintf("%s in %s could not be decoded (larger than 1 MB?); the server answers %d %s for it.\n", markdown.Code(rel), markdown.Code(owner+"/"+repo), unreadable.Status, markdown.Code(unreadable.Message))
	}
	return []byte(content), ""
}

func relIdentity(rel string) string {
	return strings.TrimSuffix(strings.TrimPrefix(rel, policy.PolicyDir+"/"), ".sts.yaml")
}

func scrub(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}

// mdText escapes untrusted text for markdown prose in the summary.
func mdText(s string) string { return mdEscape(s) }

func isClaimDenial(c policy.Code) bool {
	return c == policy.CodeClaimMissing || c == policy.CodeClaimNotString || c == policy.CodeClaimMismatch
}

// serverCause names the cause of an answer that is not about the trust policy's match, so the
// diagnosis points at the right file or setting; policyIrrelevant is set when the server never
// evaluated the trust policy, so evaluating it locally would only mislead.
func serverCause(in DiagnoseInput, issuer string) (cause string, policyIrrelevant bool) {
	owner, _, _ := scopeRepo(in.Scope, in.OrgPolicyRepo)
	orgRepo := in.OrgPolicyRepo
	if orgRepo == "" {
		orgRepo = policy.DefaultOrgPolicyRepo
	}
	allowlist := markdown.Code(owner + "/" + orgRepo + "/" + policy.PolicyDir + "/" + policy.IssuersFileName)
	switch policy.Classify(in.Status, in.Message) {
	case policy.CodeIssuerNotPermitted:
		return fmt.Sprintf("**Cause: the organization's trusted-issuer allowlist**, not the trust policy. %s is in enforce mode and does not permit this token's issuer %s, so the server refused before reading any trust policy. Add the issuer to `issuers` (byte-exact) or a pattern to `issuer_patterns`, or set `mode: audit` while migrating; a workflow step with `uses: octo-sts/action@v1` and `mode: lint` in %s checks the file before it merges.\n", allowlist, markdown.Code(issuer), markdown.Code(owner+"/"+orgRepo)), true
	case policy.CodeAllowlistConfig:
		return fmt.Sprintf("**Cause: the organization's trusted-issuer allowlist is invalid**, not the trust policy. The server cannot parse or compile %s (and has no last-known-good copy), so it refuses every exchange for %s. Lint it with a step `uses: octo-sts/action@v1` with `mode: lint` in a workflow of %s (it checks the mode, at most 64 issuers and 16 patterns, lowercase scheme and host, patterns that cannot span past the host), or delete it to allow every issuer.\n", allowlist, markdown.Code(owner), markdown.Code(owner+"/"+orgRepo)), true
	case policy.CodeTokenExchangeFailure:
		return fmt.Sprintf("**Cause: GitHub refused to mint the token (422)** after the trust policy allowed it. Compare the policy's `permissions` with the permissions the Octo STS App was granted on %s (an App cannot hand out more than it has, and GitHub refuses levels it does not know for a permission), and for an org policy check that every `repositories` entry is a bare name the installation can access.\n", markdown.Code(owner)), false
	case policy.CodePolicyForbidden:
		return fmt.Sprintf("**Cause: the server could not read the policy repository (403).** A current Octo STS server answers 403 when the App's installation on %s cannot read the repository holding the policy: grant the App access to it (installation settings → repository access). Retrying does not help.\n", markdown.Code(owner)), true
	case policy.CodeNoInstallation:
		return fmt.Sprintf("**Cause: the Octo STS App has no installation on %s**, so the server never read a trust policy. Install the App on that account, or fix the scope's owner: the server compares it with the installation's login byte for byte, including case (this job's repository owner is %s).\n", markdown.Code(owner), markdown.Code(claimText(in.Claims, "repository_owner"))), true
	case policy.CodeBearerInvalid, policy.CodeIssuerFormat, policy.CodeProvider, policy.CodeScopeMissing, policy.CodeIdentityMissing, policy.CodeMultipleScopes:
		return fmt.Sprintf("**Cause: the server refused the request or the token itself (%d)** before reading any trust policy, so the policy is not the problem. This job's token has `iss` %s, `sub` %s and `aud` %s; the server needs a decodable token whose `iss` is an https URL it can reach for discovery.\n", in.Status, claimCode(in.Claims, "iss"), claimCode(in.Claims, "sub"), claimCode(in.Claims, "aud")), true
	case policy.CodeAppNotConfigured, policy.CodeAppPatternNoMatch, policy.CodeAppNoInstallation:
		return "**Cause: the policy's App pin (`app` / `app_pattern`) does not resolve on this server.** The server checks the pin against its own App configuration before it looks at the token; fix the pin to name an App this server runs that is installed on the owner, or remove it.\n", false
	}
	return "", false
}

// claimText is a claim of the job's token as text, "" when absent.
func claimText(claims map[string]any, name string) string {
	v, ok := claims[name]
	if !ok {
		return ""
	}
	return check.ClaimText(v)
}

// claimCode shows a claim of the job's token as a code span, or says it is missing.
func claimCode(claims map[string]any, name string) string {
	if v := claimText(claims, name); v != "" {
		return markdown.Code(v)
	}
	return "(missing)"
}
