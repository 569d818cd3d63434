package cli

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/octo-sts/action/internal/lint/linttest"
)

// TestHostileTreeCLI runs `octo-sts lint` in a child process over a planted tree (links to
// /proc/self/fd/1, /dev/zero and outside files, a FIFO, a 1 MiB alias bomb, 100k claim keys) and
// checks it ends with findings and a peak RSS under 256 MB. Time is bounded by a hang guard only
// (BenchmarkHostile1MB in internal/lint measures it).
func TestHostileTreeCLI(t *testing.T) {
	if dir := os.Getenv("OCTO_STS_HOSTILE_CHILD"); dir != "" {
		t.Chdir(dir)
		code := Run(context.Background(), []string{"octo-sts", "lint", "--format", "json"}, strings.NewReader(""), os.Stdout, os.Stderr, func(string) string { return "" })
		os.Exit(code)
	}
	dir := t.TempDir()
	if _, err := linttest.HostileTree(dir); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard, not a speed goal
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHostileTreeCLI$")
	cmd.Env = append(os.Environ(), "OCTO_STS_HOSTILE_CHILD="+dir)
	out, err := cmd.Output()
	if ctx.Err() != nil {
		t.Fatalf("lint of the hostile tree did not finish: %v", ctx.Err())
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitFindings {
		t.Fatalf("exit: %v, want %d\n%s", err, ExitFindings, out)
	}
	for _, want := range []string{"not-regular-file", "file-too-large", "yaml-alias-bomb"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s", want)
		}
	}
	if strings.Contains(string(out), "TOP-SECRET-OUTSIDE") {
		t.Error("lint quoted a file outside the tree")
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	rss := ru.Maxrss << 10 // KiB on Linux
	t.Logf("peak RSS %d MiB", rss>>20)
	// Big files are linted one at a time (the largest alone peaks near 140 MiB): two at once
	// went over 256 MiB on a busy machine.
	if !raceEnabled && rss > 192<<20 {
		t.Errorf("peak RSS %d MiB, want under 192 MiB", rss>>20)
	}
}
