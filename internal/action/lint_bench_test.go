package action

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/octo-sts/action/internal/lint/linttest"
)

// benchLintPolicy is the i-th policy of the benchmark tree: one in four is clean, the others
// carry an error, a warning or a notice, as a large org's tree might.
func benchLintPolicy(i int) string {
	head := fmt.Sprintf("# policy %d\nissuer: https://token.actions.githubusercontent.com\n", i)
	switch i % 4 {
	case 1:
		return head + fmt.Sprintf("subject_pattern: repo:org%d/.*\npermissions:\n  contents: read\n", i%97) // broad
	case 2:
		return head + fmt.Sprintf("subject: repo:org%d/repo%d:ref:refs/heads/main\naudience: \"\"\npermissions:\n  contents: read\n", i%97, i)
	case 3:
		return head + fmt.Sprintf("subject: repo:org%d/repo%d:ref:refs/heads/main\npermissions: {pull-requests: write}\n", i%97, i) // unknown permission
	}
	return head + fmt.Sprintf("subject: repo:org%d/repo%d:ref:refs/heads/main\npermissions:\n  contents: read\n", i%97, i)
}

// discardCount counts the log's bytes and drops them.
type discardCount struct{ n int64 }

func (d *discardCount) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }

// benchActionLint is `mode: lint` on a push (a full lint with the workflow cross-check) over a
// workspace of n policies, with annotations, the log group, the step summary and a SARIF file;
// withWorkflow adds a workflow that exchanges with one policy, so the cross-check runs (and
// notes every other policy as unused, each as the stream reaches it). Run one size per process
// (-bench 'ActionLint100k$') for a meaningful peak-RSS-MiB.
func benchActionLint(b *testing.B, n int, withWorkflow bool) {
	dir := b.TempDir()
	ws := filepath.Join(dir, "workspace")
	pol := filepath.Join(ws, ".github", "chainguard")
	if err := os.MkdirAll(pol, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range n { // one at a time: the tree, not the benchmark, holds the corpus
		if err := os.WriteFile(filepath.Join(pol, "p"+strconv.Itoa(i)+".sts.yaml"), []byte(benchLintPolicy(i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if withWorkflow {
		wf := filepath.Join(ws, ".github", "workflows")
		if err := os.MkdirAll(wf, 0o755); err != nil {
			b.Fatal(err)
		}
		yml := "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n      - uses: octo-sts/action@v1\n        with:\n          scope: acme/app\n          identity: p0\n"
		if err := os.WriteFile(filepath.Join(wf, "release.yml"), []byte(yml), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": filepath.Join(dir, "output"), "GITHUB_STATE": filepath.Join(dir, "state"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"), "GITHUB_WORKSPACE": ws, "GITHUB_REPOSITORY": "acme/app",
		"GITHUB_EVENT_NAME": "push", "INPUT_MODE": "lint", "INPUT_PATH": ".github/chainguard", "INPUT_FAIL-ON": "error",
		"INPUT_SARIF-FILE": "octo-sts.sarif",
	}
	var out discardCount
	o := Options{Stdout: &out, Getenv: func(k string) string { return env[k] }, HTTPClient: http.DefaultClient}
	m := linttest.StartMeter(b)
	for b.Loop() {
		for _, f := range []string{"output", "summary"} {
			_ = os.Truncate(filepath.Join(dir, f), 0)
		}
		if code := Run(context.Background(), o); code != exitFailure {
			b.Fatalf("exit %d", code)
		}
	}
	b.ReportMetric(float64(out.n)/float64(b.N)/(1<<20), "log-MiB")
	m.Report(n)
}

func BenchmarkActionLint1k(b *testing.B)           { benchActionLint(b, 1000, false) }
func BenchmarkActionLint10k(b *testing.B)          { benchActionLint(b, 10000, false) }
func BenchmarkActionLint100k(b *testing.B)         { benchActionLint(b, 100000, false) }
func BenchmarkActionLintWorkflow1k(b *testing.B)   { benchActionLint(b, 1000, true) }
func BenchmarkActionLintWorkflow10k(b *testing.B)  { benchActionLint(b, 10000, true) }
func BenchmarkActionLintWorkflow100k(b *testing.B) { benchActionLint(b, 100000, true) }
