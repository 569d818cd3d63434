package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/report"
)

// TestLintEveryFormatStreamsTheWholeRun: for every format, the streamed report (walk, stdin and
// the workflow cross-check merged on the fly) is byte for byte what rendering the whole sorted
// run at once gives. The stdin policy lands between walked files, the cross-check's workflow
// findings between them and a later path.
func TestLintEveryFormatStreamsTheWholeRun(t *testing.T) {
	root := t.TempDir()
	copyTree := func(from string) {
		if err := os.CopyFS(root, os.DirFS(filepath.Join(lintCLIDir(t), from))); err != nil {
			t.Fatal(err)
		}
	}
	copyTree("repo")
	copyTree("workflows")
	late := filepath.Join(root, "zz", "late.sts.yaml")
	if err := os.MkdirAll(filepath.Dir(late), 0o755); err != nil {
		t.Fatal(err)
	}
	bad, err := os.ReadFile(filepath.Join(root, ".github", "chainguard", "bad.sts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(late, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	const stdinName = ".github/chainguard/c-stdin.sts.yaml"
	env := map[string]string{"GITHUB_REPOSITORY": "acme/app"}

	// The whole run, collected.
	opts := lint.Options{Repository: "acme/app"}
	t.Chdir(root)
	fs, files, err := lint.Paths(".", []string{".github", "zz"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	fs = append(fs, lint.Bytes(stdinName, bad, opts)...)
	fs = append(fs, slices.Collect(crossCheck(context.Background(), ".", "acme/app", "", func(k string) string { return env[k] }).Findings())...)
	fs = lint.Sort(fs)
	files++
	var wf, std bool
	for i, f := range fs {
		wf = wf || strings.HasPrefix(f.File, ".github/workflows/") && i < len(fs)-1
		std = std || f.File == stdinName && i > 0
	}
	if !wf || !std {
		t.Fatalf("the fixture must merge stdin and workflow findings between walked files: %v", fs)
	}

	for _, format := range report.Formats {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"octo-sts", "lint", "--format", string(format), "--color", "never", "--stdin-filename", stdinName, ".github", "-", "zz"},
			bytes.NewReader(bad), &stdout, &stderr, func(k string) string { return env[k] })
		if code != ExitFindings || stderr.Len() > 0 {
			t.Fatalf("%s: exit %d, stderr %s", format, code, stderr.String())
		}
		ro := report.Options{Files: files, Version: lintVersion(), OverflowHint: "run `octo-sts lint` for the full list"}
		if format == report.FormatText {
			ro.Source = sourceReader(".", stdinName, bad)
		}
		var want bytes.Buffer
		if err := report.Write(&want, format, fs, ro); err != nil {
			t.Fatal(err)
		}
		if stdout.String() != want.String() {
			t.Errorf("%s: streamed report differs from the whole run's\n--- streamed ---\n%s\n--- whole ---\n%s", format, stdout.String(), want.String())
		}
	}
}

// TestLintFailedRunLeavesNoPartialReport: when reading the tree fails after part of the report
// was written (exit 3), a --output file is removed rather than left looking whole, and a report
// on standard output is said to be incomplete. /proc/self/mem fails to read with EIO; the walked
// policy sorts before it, so its findings are rendered first.
func TestLintFailedRunLeavesNoPartialReport(t *testing.T) {
	if _, err := os.ReadFile("/proc/self/mem"); err == nil {
		t.Skip("needs /proc/self/mem to fail when read (Linux)")
	}
	dir := t.TempDir()
	bad, err := os.ReadFile(filepath.Join(lintCLIDir(t), "repo", ".github", "chainguard", "bad.sts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"-a.sts.yaml", "-b.sts.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, name), bad, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, format := range report.Formats {
		out := filepath.Join(t.TempDir(), "report")
		r := runLintIn(t, dir, nil, "--format", string(format), "--workflows=false", "--output", out, ".", "/proc/self/mem")
		if r.code != ExitInternal || !strings.Contains(r.stderr, "/proc/self/mem") || strings.Contains(r.stderr, "incomplete") {
			t.Errorf("%s --output: exit %d, stderr %q", format, r.code, r.stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: the failed run left its --output file behind (stat err %v)", format, err)
		}

		r = runLintIn(t, dir, nil, "--format", string(format), "--workflows=false", ".", "/proc/self/mem")
		const note = "octo-sts lint: the report on standard output is incomplete: it stops where the run failed\n"
		if format == report.FormatGitHub { // annotations wait for the end: nothing was printed
			if r.code != ExitInternal || r.stdout != "" || strings.Contains(r.stderr, "incomplete") {
				t.Errorf("%s to stdout: exit %d, stdout %q, stderr %q", format, r.code, r.stdout, r.stderr)
			}
			continue
		}
		// Every file before the failure is in it, the last one too.
		if r.code != ExitInternal || !strings.HasSuffix(r.stderr, note) || !strings.Contains(r.stdout, "-a.sts.yaml") || !strings.Contains(r.stdout, "-b.sts.yaml") {
			t.Errorf("%s to stdout: exit %d, stdout %q, stderr %q", format, r.code, r.stdout, r.stderr)
		}
	}
}

// TestLintFailedRunKeepsALinkedOutput: a failed run whose --output is a symbolic link removes
// neither the link nor the file behind it (the path does not name the file it wrote): it empties
// that file, so no partial report is left looking whole and the user's link survives.
func TestLintFailedRunKeepsALinkedOutput(t *testing.T) {
	if _, err := os.ReadFile("/proc/self/mem"); err == nil {
		t.Skip("needs /proc/self/mem to fail when read (Linux)")
	}
	dir := t.TempDir()
	bad, err := os.ReadFile(filepath.Join(lintCLIDir(t), "repo", ".github", "chainguard", "bad.sts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "-a.sts.yaml"), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	target, link := filepath.Join(out, "report.txt"), filepath.Join(out, "latest")
	if err := os.WriteFile(target, []byte("an older report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	r := runLintIn(t, dir, nil, "--workflows=false", "--output", link, ".", "/proc/self/mem")
	if r.code != ExitInternal {
		t.Fatalf("exit %d, want %d; stderr %q", r.code, ExitInternal, r.stderr)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the --output link was removed or replaced (lstat %v, %v)", st, err)
	}
	if data, err := os.ReadFile(target); err != nil || len(data) != 0 {
		t.Errorf("the file behind the link holds %q (err %v), want it emptied", data, err)
	}
}
