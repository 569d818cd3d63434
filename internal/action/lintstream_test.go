package action

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/report"
	"github.com/octo-sts/action/internal/workflow"
)

// TestLintModeStreamsTheWholeRun: a full lint's streamed log list, annotations, step summary
// and SARIF file are byte for byte what rendering the whole sorted run (with the workflow
// cross-check's findings) at once gives.
func TestLintModeStreamsTheWholeRun(t *testing.T) {
	r := newLintRig(t)
	r.env["INPUT_SARIF-FILE"] = "out.sarif"
	r.env["INPUT_GITHUB-TOKEN"] = ""
	wf, err := os.ReadFile(filepath.Join("..", "..", "testdata", "lint", "cli", "workflows", ".github", "workflows", "release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	r.write(".github/workflows/release.yml", string(wf))
	for i := range 30 { // more than the annotation cap, so the overflow notice shows
		r.write(".github/chainguard/many"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+".sts.yaml", badPolicy)
	}
	if code := r.run(); code != exitFailure {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}

	fs, files, err := lint.Paths(r.ws, []string{filepath.Join(r.ws, ".github", "chainguard")}, lint.Options{Repository: "acme/app"})
	if err != nil {
		t.Fatal(err)
	}
	cross := slices.Collect(workflow.CrossCheck(context.Background(), r.ws, "acme/app", "", nil).Findings())
	if len(cross) == 0 {
		t.Fatal("the fixture workflow must give cross-check findings")
	}
	fs = lint.Sort(append(fs, cross...))

	out := r.stdout.String()
	var lines strings.Builder
	for _, f := range fs {
		lines.WriteString(report.TextLine(f) + "\n")
	}
	_, tok, _ := strings.Cut(out, "::stop-commands::")
	tok, _, _ = strings.Cut(tok, "\n")
	if !strings.Contains(out, "::stop-commands::"+tok+"\n"+lines.String()+"::"+tok+"::\n::endgroup::\n") {
		t.Errorf("the log list is not every finding in order:\n%s", out)
	}
	var ann bytes.Buffer
	if err := report.GitHub(&ann, fs, report.Options{OverflowHint: "see the job summary"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "::endgroup::\n"+ann.String()+"octo-sts lint: ") || !strings.Contains(ann.String(), " more findings, ") {
		t.Errorf("annotations differ from the whole run's:\n%s\nwant\n%s", out, ann.String())
	}
	wantSummary := report.Summary(fs, report.Options{Files: files}) + "\nLinted the whole .github/chainguard.\n\n" // AddStepSummary ends it with a line break
	if got := r.file("summary"); got != wantSummary {
		t.Errorf("summary:\n%s\nwant\n%s", got, wantSummary)
	}
	var sarif bytes.Buffer
	if err := report.SARIF(&sarif, fs, report.Options{Version: lintToolVersion()}); err != nil {
		t.Fatal(err)
	}
	if got := r.file("workspace/out.sarif"); got != sarif.String() {
		t.Errorf("SARIF file differs from the whole run's")
	}
}

// TestLintModeNothingToLintLeavesNoSARIF: the SARIF file is created at the first write, so a
// run refused for having no policy files leaves none behind.
func TestLintModeNothingToLintLeavesNoSARIF(t *testing.T) {
	r := newLintRig(t)
	r.env["INPUT_SARIF-FILE"] = "out.sarif"
	r.env["INPUT_PATH"] = "empty"
	if err := os.MkdirAll(filepath.Join(r.ws, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code := r.run(); code != exitUsage {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}
	if _, err := os.Stat(filepath.Join(r.ws, "out.sarif")); !os.IsNotExist(err) {
		t.Errorf("a SARIF file was left behind (stat err %v)", err)
	}
}

// removeOnWrite keeps the log and, at the first line that names trigger, removes victim: a
// policy the stream has not reached yet, so reading the tree fails mid-run.
type removeOnWrite struct {
	log             bytes.Buffer
	trigger, victim string
	removed         bool
}

func (w *removeOnWrite) Write(p []byte) (int, error) {
	if !w.removed && bytes.Contains(p, []byte(w.trigger)) {
		w.removed = os.Remove(w.victim) == nil
	}
	return w.log.Write(p)
}

// TestLintModeFailedRunLeavesNoSARIF: when reading the tree fails after the SARIF file was
// started (exit 3), the file is removed, so an upload step finds none rather than a partial one.
func TestLintModeFailedRunLeavesNoSARIF(t *testing.T) {
	r := newLintRig(t)
	r.env["INPUT_SARIF-FILE"] = "reports/out.sarif"
	// More files than lint.Stream reads ahead, so the last is read after the first is logged.
	for i := range 4*runtime.GOMAXPROCS(0) + 64 {
		r.write(fmt.Sprintf(".github/chainguard/a%04d.sts.yaml", i), badPolicy)
	}
	r.write(".github/chainguard/zz.sts.yaml", badPolicy)
	w := &removeOnWrite{trigger: "a0000.sts.yaml", victim: filepath.Join(r.ws, ".github", "chainguard", "zz.sts.yaml")}
	code := Run(context.Background(), Options{Stdout: w, Getenv: func(k string) string { return r.env[k] }, HTTPClient: r.client})
	if !w.removed || code != exitInternal || !strings.Contains(w.log.String(), "zz.sts.yaml") {
		t.Fatalf("removed %v, exit %d\n%s", w.removed, code, w.log.String())
	}
	if _, err := os.Stat(filepath.Join(r.ws, "reports", "out.sarif")); !os.IsNotExist(err) {
		t.Errorf("the failed run left its SARIF file behind (stat err %v)", err)
	}
}
