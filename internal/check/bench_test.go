package check

import (
	"encoding/json"
	"testing"
)

// BenchmarkEvaluate measures one full check evaluation (decode, compile, lint, CheckToken, hints)
// of a typical GitHub Actions policy, the cost a `check` run or a diagnosis pays per policy.
func BenchmarkEvaluate(b *testing.B) {
	pol := []byte("issuer: https://token.actions.githubusercontent.com\n" +
		"subject_pattern: repo:acme/widgets:ref:refs/heads/(main|release-[0-9]+)\n" +
		"claim_pattern:\n  event_name: push\n  ref: refs/heads/main\npermissions:\n  contents: read\n  pull_requests: write\n")
	raw, _ := json.Marshal(map[string]any{"iss": "https://token.actions.githubusercontent.com", "sub": "repo:acme/widgets:ref:refs/heads/main",
		"aud": "octo-sts.dev", "event_name": "push", "ref": "refs/heads/main", "exp": 1767225900})
	claims, err := ParseClaims(raw)
	if err != nil {
		b.Fatal(err)
	}
	in := Input{PolicyPath: ".github/chainguard/deploy.sts.yaml", Policy: pol, Claims: claims}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(in); err != nil {
			b.Fatal(err)
		}
	}
}
