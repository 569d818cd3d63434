package workflow

import (
	"fmt"
	"io"
	"strings"
)

// Render writes one block per Octo STS step: where it is, the policy it reads, its outcome, and
// every simulated run with each generation's answer.
func Render(w io.Writer, rs []StepResult) error {
	var b strings.Builder
	if len(rs) == 0 {
		b.WriteString("no step uses octo-sts/action\n")
	}
	for i, s := range rs {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%d:%d job %s: %s\n", s.Workflow, s.Step.Pos.Line, s.Step.Pos.Col, s.Job.ID, s.Step.Uses)
		if s.PolicyRepo != "" {
			fmt.Fprintf(&b, "  policy: %s %s (%s)\n", s.PolicyRepo, s.Identity, s.Kind)
		}
		fmt.Fprintf(&b, "  outcome: %s\n", s.Outcome())
		switch s.Outcome() {
		case NoIDToken:
			b.WriteString("  the job does not grant permissions: id-token: write\n")
			continue
		case NoPolicy, NotChecked:
			if s.Problem != "" {
				fmt.Fprintf(&b, "  %s\n", s.Problem)
				continue
			}
		}
		for _, r := range s.Runs {
			mark := "✗"
			if r.AllowedAny() {
				mark = "✓"
			}
			if r.Claims == nil {
				fmt.Fprintf(&b, "  ? %s: %s\n", r.Trigger, r.Unknown)
				continue
			}
			fmt.Fprintf(&b, "  %s %s", mark, r.Trigger)
			if r.Caller != "" {
				fmt.Fprintf(&b, " (called by %s)", r.Caller)
			}
			fmt.Fprintf(&b, "\n      sub %s\n", r.Subject())
			if jw, _ := r.Claims["job_workflow_ref"].(string); r.Caller != "" || strings.Contains(r.Trigger, "workflow_call") {
				fmt.Fprintf(&b, "      job_workflow_ref %s\n", jw)
			}
			for _, v := range r.Verdicts {
				answer := "allowed"
				if !v.Allowed {
					answer = fmt.Sprintf("%d %s", v.Status, v.Message)
				}
				fmt.Fprintf(&b, "      %s: %s\n", v.Generation, answer)
			}
			if r.ImmutableDenied {
				fmt.Fprintf(&b, "      after a rename or transfer GitHub sends %s: refused\n", r.Immutable)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// AnyToken reports whether at least one simulated run of these steps gets a token.
func AnyToken(rs []StepResult) bool {
	for _, s := range rs {
		if o := s.Outcome(); o == Always || o == Sometimes {
			return true
		}
	}
	return false
}
