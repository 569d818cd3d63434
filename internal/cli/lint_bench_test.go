package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint/linttest"
)

// benchPolicy is the i-th policy of the benchmark trees: one in four is clean, the others carry
// an error, a warning or a notice (and the odd second finding), as a large org's tree might.
func benchPolicy(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# policy %d\nissuer: https://token.actions.githubusercontent.com\n", i)
	switch i % 4 {
	case 0:
		fmt.Fprintf(&b, "subject: repo:org%d/repo%d:ref:refs/heads/main\n", i%97, i)
	case 1:
		fmt.Fprintf(&b, "subject_pattern: repo:org%d/.*\n", i%97) // broad
	case 2:
		fmt.Fprintf(&b, "subject: repo:org%d/repo%d:ref:refs/heads/main\naudience: \"\"\n", i%97, i)
	case 3:
		fmt.Fprintf(&b, "subject: repo:org%d/repo%d:ref:refs/heads/main\npermissions: {pull-requests: write}\n", i%97, i) // unknown permission
		return b.String()
	}
	b.WriteString("permissions:\n  contents: read\n  pull_requests: write\n")
	return b.String()
}

// benchLintTree writes n policies under a fresh .github/chainguard, one at a time (the tree,
// not the benchmark, holds the corpus), and returns its root.
func benchLintTree(b *testing.B, n int) string {
	b.Helper()
	root := b.TempDir()
	dir := filepath.Join(root, ".github", "chainguard")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, "p"+strconv.Itoa(i)+".sts.yaml"), []byte(benchPolicy(i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return root
}

// countingWriter counts the report's bytes and drops them.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// benchWorkflow exchanges a token with the benchmark tree's first policy, so the cross-check
// runs and notes every other policy as unused.
const benchWorkflow = "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n      - uses: octo-sts/action@v1\n        with:\n          scope: acme/app\n          identity: p0\n"

// benchLint is `octo-sts lint --format format` on a tree of n files through cli.Run, the real
// path: walk, lint on every core, stream into the renderer (and, for github, the step summary
// as in Actions). Run one size per process (-bench 'LintJSON100k$') for a meaningful
// peak-RSS-MiB: the high-water mark never goes down.
func benchLint(b *testing.B, format string, n int) { benchLintRun(b, format, n, false) }

// benchLintRun is benchLint; withWorkflow adds benchWorkflow to the repository (acme/app, its
// root the workspace) and lets the cross-check run, as `octo-sts lint` does by default.
func benchLintRun(b *testing.B, format string, n int, withWorkflow bool) {
	root := benchLintTree(b, n)
	env := map[string]string{}
	if format == "github" {
		env["GITHUB_STEP_SUMMARY"] = filepath.Join(b.TempDir(), "summary.md")
	}
	getenv := func(k string) string { return env[k] }
	var stderr strings.Builder
	args := []string{"octo-sts", "lint", "--format", format, "--color", "never", "--workflows=false", filepath.Join(root, ".github", "chainguard")}
	if withWorkflow {
		wf := filepath.Join(root, ".github", "workflows")
		if err := os.MkdirAll(wf, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(wf, "release.yml"), []byte(benchWorkflow), 0o644); err != nil {
			b.Fatal(err)
		}
		env["GITHUB_WORKSPACE"] = root // the cross-check reads the workflows under the root
		args = slices.Concat(args[:6], []string{"--repository", "acme/app"}, args[7:])
	}
	m := linttest.StartMeter(b)
	var out countingWriter
	for b.Loop() {
		if p := env["GITHUB_STEP_SUMMARY"]; p != "" {
			_ = os.Truncate(p, 0)
		}
		if code := Run(context.Background(), args, nil, &out, &stderr, getenv); code != ExitFindings {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
	b.ReportMetric(float64(out.n)/float64(b.N)/(1<<20), "report-MiB")
	m.Report(n)
}

func BenchmarkLintText1k(b *testing.B)     { benchLint(b, "text", 1000) }
func BenchmarkLintText10k(b *testing.B)    { benchLint(b, "text", 10000) }
func BenchmarkLintText100k(b *testing.B)   { benchLint(b, "text", 100000) }
func BenchmarkLintJSON1k(b *testing.B)     { benchLint(b, "json", 1000) }
func BenchmarkLintJSON10k(b *testing.B)    { benchLint(b, "json", 10000) }
func BenchmarkLintJSON100k(b *testing.B)   { benchLint(b, "json", 100000) }
func BenchmarkLintGitHub1k(b *testing.B)   { benchLint(b, "github", 1000) }
func BenchmarkLintGitHub10k(b *testing.B)  { benchLint(b, "github", 10000) }
func BenchmarkLintGitHub100k(b *testing.B) { benchLint(b, "github", 100000) }
func BenchmarkLintSARIF1k(b *testing.B)    { benchLint(b, "sarif", 1000) }
func BenchmarkLintSARIF10k(b *testing.B)   { benchLint(b, "sarif", 10000) }
func BenchmarkLintSARIF100k(b *testing.B)  { benchLint(b, "sarif", 100000) }

// The cross-check's unused-policy notices are made as the stream reaches each policy.
func BenchmarkLintWorkflowJSON1k(b *testing.B)    { benchLintRun(b, "json", 1000, true) }
func BenchmarkLintWorkflowJSON10k(b *testing.B)   { benchLintRun(b, "json", 10000, true) }
func BenchmarkLintWorkflowJSON100k(b *testing.B)  { benchLintRun(b, "json", 100000, true) }
func BenchmarkLintWorkflowSARIF100k(b *testing.B) { benchLintRun(b, "sarif", 100000, true) }
