package sts

import (
	"fmt"
	"net/http"
	"time"

	"github.com/octo-sts/action/internal/policy"
)

// Class names a failure family so the action can pick one annotation title and the right advice
// without parsing message strings.
type Class string

// The failure classes a caller can branch on; each maps to one kind of fix for the user.
const (
	ClassInput        Class = "invalid input"
	ClassIDToken      Class = "no ID token"
	ClassBadRequest   Class = "bad request"
	ClassUnauthorized Class = "unauthenticated"
	ClassDenied       Class = "permission denied"
	ClassNotFound     Class = "trust policy not found"
	ClassRateLimited  Class = "rate limited"
	ClassServer       Class = "server error"
	ClassHTTP         Class = "unexpected HTTP status"
	ClassNetwork      Class = "network error"
	ClassTimeout      Class = "timed out"
	ClassBadResponse  Class = "bad response"
)

// Error is a failed exchange with everything a user needs to act on it; Message never contains
// the OIDC token (it is scrubbed from server text before the Error is built).
type Error struct {
	Class    Class
	Status   int    // HTTP status of the last answer; 0 when there was none
	Endpoint string // "id-token" or "sts": which service the last attempt failed at
	Message  string // the server's `message` (or our own explanation), safe to print
	Attempts int
	Elapsed  time.Duration
	// GaveUp is set when the failure was retryable but the deadline or attempt budget ran out.
	GaveUp bool
	Err    error
}

// Error renders class, status and message on one line for plain-text consumers such as the CLI.
func (e *Error) Error() string {
	s := string(e.Class)
	if e.Status != 0 {
		s = fmt.Sprintf("%s (%d)", s, e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap exposes the underlying cause (e.g. an *idtoken.Error) to errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Title is the one-line annotation title, e.g. "octo-sts: permission denied (403)", so the
// failure class is readable from the job's annotation list alone.
func (e *Error) Title() string { return "octo-sts: " + e.Headline() }

// Headline is the failure class and status, e.g. "permission denied (403)", for a front end
// that names itself (the CLI's "octo-sts exchange: ...").
func (e *Error) Headline() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s (%d)", e.Class, e.Status)
	}
	return string(e.Class)
}

// Summary is the single retry summary line, e.g. "3 attempts in 2.1s; last: 503".
func (e *Error) Summary() string {
	last := string(e.Class)
	if e.Status != 0 {
		last = fmt.Sprint(e.Status)
	}
	return summary(e.Attempts, e.Elapsed, last)
}

func summary(attempts int, elapsed time.Duration, last string) string {
	noun := "attempts"
	if attempts == 1 {
		noun = "attempt"
	}
	return fmt.Sprintf("%d %s in %.1fs; last: %s", attempts, noun, elapsed.Seconds(), last)
}

// classify maps an STS HTTP status to its class and whether a retry can change the outcome:
// 429 and 5xx are transient by design (rate limits, app#1682 503s); 400/401/403/404 are
// verdicts about the request or policy and would only hit the server's negative cache again.
func classify(status int) (Class, bool) {
	switch {
	case status == http.StatusBadRequest:
		return ClassBadRequest, false
	case status == http.StatusUnauthorized:
		return ClassUnauthorized, false
	case status == http.StatusForbidden:
		return ClassDenied, false
	case status == http.StatusNotFound:
		return ClassNotFound, false
	case status == http.StatusTooManyRequests:
		return ClassRateLimited, true
	case status == http.StatusNotImplemented:
		return ClassServer, false
	case status >= 500 && status <= 599:
		return ClassServer, true
	default:
		return ClassHTTP, false
	}
}

// Frontend is who reads a hint: advice names what that reader can run (a CLI command, or a
// workflow step with the action's `mode: lint`), never the other's.
type Frontend int

// The front ends a hint is worded for.
const (
	CLI Frontend = iota
	Actions
)

// lintAdvice is how the reader runs the linter on what is named.
func (f Frontend) lintAdvice(what, cliArgs string) string {
	if f == Actions {
		return fmt.Sprintf("lint %s with a workflow step `uses: octo-sts/action@v1` with `mode: lint`", what)
	}
	return fmt.Sprintf("lint %s with `octo-sts lint%s`", what, cliArgs)
}

// domainField names where the reader set the Octo STS domain.
func (f Frontend) domainField() string {
	if f == Actions {
		return "the `domain` input"
	}
	return "--domain"
}

// Hint is the advice for a failure, naming the exact file, claim or setting to look at, so the
// user does not have to know the server's error catalogue; it branches on the model's Code for the
// answer, never on message text. orgPolicyRepo is the server's ORG_POLICY_REPO; f is the reader.
func (e *Error) Hint(req Request, orgPolicyRepo string, f Frontend) string {
	sc := policy.ResolveScope(req.Scope, orgPolicyRepo)
	owner, repo, hasRepo := sc.Owner, sc.Repo, !sc.OwnerOnly
	file := fmt.Sprintf("%s/%s/%s", owner, repo, policy.PolicyPath(req.Identity))
	allowlist := fmt.Sprintf("%s/%s/%s/%s", owner, policyRepoName(orgPolicyRepo), policy.PolicyDir, policy.IssuersFileName)
	switch policy.Classify(e.Status, e.Message) {
	case policy.CodeIssuerNotPermitted:
		return fmt.Sprintf("The organization's trusted-issuer allowlist %s does not permit this token's issuer (enforce mode); the trust policy was not consulted. Add the issuer to its issuers or issuer_patterns, or set mode: audit.", allowlist)
	case policy.CodeAllowlistConfig:
		return fmt.Sprintf("The organization's trusted-issuer allowlist %s is invalid, so the server refuses every exchange for %s; %s and fix it (or delete it to allow every issuer). The trust policy is not the problem.", allowlist, owner, f.lintAdvice("it", " --kind issuers"))
	case policy.CodeTokenExchangeFailure:
		return "The policy matched, but GitHub refused to mint the token (422): the policy asks for a permission the Octo STS App was not granted (or a level GitHub does not accept for it), or names a repository the installation cannot access (org policies list bare repository names). Check the App's granted permissions, not the trust policy's match."
	case policy.CodePolicyForbidden:
		return fmt.Sprintf("A current Octo STS server answers 403 when its App cannot read the policy repository %s/%s (a GitHub 403 that is not a rate limit): grant the App's installation access to that repository. Retrying does not help.", owner, repo)
	case policy.CodeAppNotConfigured, policy.CodeAppPatternNoMatch, policy.CodeAppNoInstallation:
		return fmt.Sprintf("The trust policy %s pins an App (app / app_pattern) that this server does not run, or that is not installed on %s; fix or remove the pin.", file, owner)
	}
	switch e.Class {
	case ClassDenied:
		s := fmt.Sprintf("The token did not satisfy the trust policy %s (default branch). The server's reason names the claim and the policy value; compare it with the token's claims. On a current server a 403 can also mean the App cannot read %s/%s.", file, owner, repo)
		if f == CLI {
			s += fmt.Sprintf(" `octo-sts check --policy %s --token @FILE` explains every field of the policy against the token.", policy.PolicyPath(req.Identity))
		}
		return s
	case ClassNotFound:
		s := fmt.Sprintf("Octo STS looked for %s on the repository's default branch", file)
		if !hasRepo {
			s += fmt.Sprintf(" (scope %q is an organization scope, so the policy lives in the %s/%s repository)", req.Scope, owner, repo)
		}
		return s + ". Check that the file exists there, that the Octo STS GitHub App is installed on " + owner +
			" (the owner must match the login's exact case), and that it can read the repository. A policy that fails to parse or compile is ALSO reported as 404: " + f.lintAdvice(policy.PolicyDir, "") + "."
	case ClassUnauthorized:
		return "The server could not verify the OIDC token (bad signature, expired, or an issuer it cannot reach). Tokens are minted right before each attempt; check the runner's clock and that the issuer is reachable from the STS."
	case ClassBadRequest:
		return "The server rejected the request or the token's format: `sub` and `aud` must not contain whitespace or any of \"'`\\<>;&$(){}[] (e.g. an environment or branch name with a space), and aud must not contain | or @."
	case ClassRateLimited:
		return "GitHub rate-limited the Octo STS App while reading the policy; retry later."
	case ClassServer, ClassNetwork, ClassTimeout:
		proxy := "HTTPS_PROXY/NO_PROXY"
		if f == Actions {
			proxy += ", which container actions do not inherit: set them in the step's env"
		}
		return fmt.Sprintf("The STS did not answer successfully; this is usually transient. If it persists, check %s, the proxy settings (%s) and the service status.", f.domainField(), proxy)
	case ClassBadResponse:
		return fmt.Sprintf("The server answered 200 with something that is not an Octo STS response; check that %s points at an Octo STS server and not at a proxy or login page.", f.domainField())
	}
	return ""
}

func policyRepoName(orgPolicyRepo string) string {
	if orgPolicyRepo == "" {
		return policy.DefaultOrgPolicyRepo
	}
	return orgPolicyRepo
}
