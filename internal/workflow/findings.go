package workflow

import (
	"fmt"
	"strings"

	"github.com/octo-sts/action/internal/lint"
)

// Rule IDs of the workflow cross-check, from lint's registry (docs/rules.md).
const (
	RuleIDToken       = lint.RuleWorkflowIdToken
	RulePolicyMissing = lint.RuleWorkflowPolicyMissing
	RuleNotChecked    = lint.RuleWorkflowPolicyNotChecked
	RuleNoToken       = lint.RuleWorkflowNoToken
	RuleRunDenied     = lint.RuleWorkflowRunDenied
	RuleImmutable     = lint.RuleWorkflowImmutableSubject
	RulePolicyUnused  = lint.RuleWorkflowPolicyUnused
	RuleGenSplit      = lint.RuleWorkflowGenerationSplit
)

// Findings turns the analysis into lint findings on the workflow lines that decide them.
func Findings(rs []StepResult) []lint.Finding {
	var out []lint.Finding
	for _, s := range rs {
		at := func(p Pos, rule string, sev lint.Severity, format string, args ...any) {
			if p.Line == 0 {
				p = s.Step.Pos
			}
			out = append(out, lint.Finding{File: s.Workflow, Line: p.Line, Column: max(p.Col, 1), EndLine: p.Line, EndColumn: max(p.Col, 1),
				Rule: rule, Severity: sev, Message: fmt.Sprintf(format, args...)})
		}
		switch s.Outcome() {
		case NoIDToken:
			p := s.GrantPos
			if p.Line == 0 {
				p = s.Job.Pos
			}
			at(p, RuleIDToken, lint.SevError, "job %q runs %s but does not grant `permissions: id-token: write`, so it cannot request an OIDC token; add it to the job's permissions", s.Job.ID, s.Step.Uses)
			continue
		case NoPolicy:
			at(s.Step.Identity.Pos, RulePolicyMissing, lint.SevError, "identity %q: %s, so every exchange fails with 404; create the policy or fix the identity", s.Identity, s.Problem)
			continue
		case NotChecked:
			at(s.Step.Pos, RuleNotChecked, lint.SevNotice, "job %q: the token was not checked: %s", s.Job.ID, s.Problem)
			continue
		case NeverToken:
			at(s.Step.Pos, RuleNoToken, lint.SevError, "job %q can never get a token from %s (%s): %s", s.Job.ID, s.PolicyRepo, s.Identity, denials(s.Runs))
			continue
		}
		warned := false
		for _, r := range s.Runs {
			if r.Claims != nil && !r.AllowedAny() {
				at(r.TriggerPos, RuleRunDenied, lint.SevNotice, "job %q on %s: no token (sub %s): %s", s.Job.ID, r.Trigger, r.Subject(), firstMessage(r))
			}
			if r.AllowedAny() && !r.Allowed() {
				at(r.TriggerPos, RuleGenSplit, lint.SevWarning, "job %q on %s (sub %s): %s", s.Job.ID, r.Trigger, r.Subject(), split(r))
			}
			if r.ImmutableDenied && !warned {
				warned = true
				at(s.Step.Pos, RuleImmutable, lint.SevWarning, "job %q on %s: policy %s matches the classic subject %s but not the immutable %s that GitHub sends after a rename or transfer; accept both forms", s.Job.ID, r.Trigger, s.PolicyFile, r.Subject(), r.Immutable)
			}
		}
	}
	return lint.Sort(out)
}

func denials(runs []RunResult) string {
	var parts []string
	for _, r := range runs {
		if r.Claims == nil {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (sub %s) → %s", r.Trigger, r.Subject(), firstMessage(r)))
	}
	return strings.Join(parts, "; ")
}

// split says which generations mint a token for the run and what the others answer.
func split(r RunResult) string {
	var yes, no []string
	for _, v := range r.Verdicts {
		if v.Allowed {
			yes = append(yes, v.Generation)
		} else {
			no = append(no, fmt.Sprintf("%s answers %d %s", v.Generation, v.Status, v.Message))
		}
	}
	return "a token only from " + strings.Join(yes, ", ") + " servers; " + strings.Join(no, "; ")
}

func firstMessage(r RunResult) string {
	for _, v := range r.Verdicts {
		if !v.Allowed {
			return fmt.Sprintf("%d %s [%s]", v.Status, v.Message, v.Generation)
		}
	}
	return "allowed"
}
