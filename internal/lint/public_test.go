package lint

import (
	"slices"
	"testing"
)

// TestPublicPolicyShapes is the noise budget: the shapes of trust policies in use in public
// repositories (testdata/lint/public/PROVENANCE.md lists each source at its commit), rewritten
// with acme placeholders, draw only the findings listed. Correct, intended policies stay clean.
func TestPublicPolicyShapes(t *testing.T) {
	t.Parallel()
	const gh = "issuer: https://token.actions.githubusercontent.com\n"
	cases := []struct {
		name, repo, src string
		want            []string
	}{
		{"renovate-pinned", "acme/app", gh + "subject_pattern: repo:acme/app:ref:refs/heads/main\nclaim_pattern:\n  job_workflow_ref: acme/app/\\.github/workflows/renovate\\.yaml@refs/heads/main\npermissions:\n  contents: write\n  pull_requests: write\n  issues: write\n  workflows: write\n  statuses: write\n", nil},
		{"renovate-anchored-alternation", "acme/app", gh + "subject_pattern: ^repo:acme/app:ref:refs/heads/(main|master)$\npermissions:\n  administration: read\n  contents: write\n  issues: write\n  pull_requests: write\n  security_events: read\n  statuses: write\n  workflows: write\n", nil},
		{"org-shared-workflow", "acme/.github", gh + "subject_pattern: repo:acme/.*:ref:refs/heads/.*\nclaim_pattern:\n  job_workflow_ref: acme/shared-workflows/\\.github/workflows/renovate\\.yml@.*\npermissions:\n  contents: write\n  pull_requests: write\n  issues: write\n  actions: write\n  vulnerability_alerts: read\n  administration: read\n  statuses: read\n", nil},
		{"release-environment-pins", "acme/app", gh + "subject: repo:acme/app:environment:npm\nclaim_pattern:\n  event_name: (push|workflow_dispatch)\n  ref: refs/heads/(v[345]\\.x|master)\n  ref_protected: \"true\"\n  repository: acme/app\n  job_workflow_ref: acme/app/\\.github/workflows/release\\.yml@refs/heads/(v[345]\\.x|master)\npermissions:\n  contents: write\n", nil},
		{"release-workflow-pin", "acme/app", gh + "subject: repo:acme/app:ref:refs/heads/main\nclaim_pattern:\n  job_workflow_ref: acme/app/.github/workflows/release.yaml@refs/heads/main\npermissions:\n  contents: write\n", nil},
		{"any-branch-write", "acme/app", gh + "subject_pattern: repo:acme/app:ref:refs/heads/.*\npermissions:\n  contents: write\n  pull_requests: write\n  actions: write\n", nil},
		{"literal-pattern", "acme/app", gh + "subject_pattern: repo:acme/app:ref:refs/heads/main\npermissions:\n  contents: write\n", nil},
		{"pinned-pull-request-target", "acme/app", gh + "subject: repo:acme/app:ref:refs/heads/main\nclaim_pattern:\n  event_name: pull_request_target\n  job_workflow_ref: acme/app/\\.github/workflows/label\\.yml@refs/heads/main\npermissions:\n  pull_requests: write\n", nil},
	}
	for _, c := range cases {
		fs := Bytes(".github/chainguard/p.sts.yaml", []byte(c.src), Options{Repository: c.repo})
		if got := rulesOf(fs); !slices.Equal(got, c.want) {
			t.Errorf("%s: rules %v, want %v\n%s", c.name, got, c.want, render(fs))
		}
	}
}
