package action

import (
	"context"
	"time"

	"github.com/octo-sts/action/internal/policy"
)

// DiagnoseInput is everything known about a failed (or, for DebugEvaluate, a prospective)
// exchange. Claims are the decoded, non-secret OIDC claims; GitHubToken is the workflow's
// `github-token` input (may be empty), for hooks that read the policy through the API.
type DiagnoseInput struct {
	Claims      map[string]any
	Scope       string
	Identity    string
	Domain      string
	Status      int    // HTTP status from the STS; 0 in debug mode
	Message     string // the server's message, scrubbed of credentials
	GitHubToken string
	Workspace   string // GITHUB_WORKSPACE, where a checked-out policy may be found
	// OrgPolicyRepo is the server's ORG_POLICY_REPO ("" is ".github"): where an owner scope's policy lives.
	OrgPolicyRepo string
	// Server lists the server generations to explain the answer by (nil: all).
	Server []policy.Generation
}

// Diagnose, when set (by the policy-explainer package's init), is called after a 403 or 404 so
// the failure can be explained against the policy file; its markdown is printed to the log and
// appended to the step summary. Nil by default: the action then prints only its own hints.
var Diagnose func(ctx context.Context, in DiagnoseInput) (markdown string)

// DebugEvaluate, when set, is called by `debug: true` to evaluate the policy against the
// claims locally, without exchanging; its markdown goes to the log and the step summary.
var DebugEvaluate func(ctx context.Context, in DiagnoseInput) (markdown string)

// hookTimeout bounds a diagnosis or debug hook: it may call the GitHub API, and an explanation
// is never worth holding a failed job open.
var hookTimeout = 30 * time.Second

// callHook runs a hook defensively: a crashing, slow or hung diagnosis must not change the
// outcome. The hook gets a context that ends after hookTimeout, and callHook stops waiting then
// even if the hook ignores it (the abandoned goroutine ends when the hook does, or with the process).
func callHook(ctx context.Context, hook func(context.Context, DiagnoseInput) string, in DiagnoseInput) string {
	if hook == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, hookTimeout)
	defer cancel()
	done := make(chan string, 1) // buffered: a late hook never blocks on the send
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- ""
			}
		}()
		done <- hook(ctx, in)
	}()
	select {
	case md := <-done:
		return md
	case <-ctx.Done():
		return ""
	}
}
