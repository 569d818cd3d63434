package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var updateCLI = flag.Bool("update-cli", false, "rewrite testdata/cli/conventions.golden")

// TestConventionsGolden pins help, suggestions, usage errors and exit codes of every command in
// one golden file (-update-cli rewrites it): one help format on stdout, one line per usage error.
func TestConventionsGolden(t *testing.T) {
	cases := [][]string{
		{}, {"--help"}, {"help"}, {"--version"}, {"version", "--bogus"}, {"version", "extra"},
		{"lnt"}, {"chek"}, {"--verbose"}, {"help", "lnt"}, {"help", "help"},
		{"lint", "--formt", "json"}, {"lint", "--format", "jsn"}, {"lint", "--fail-on", "nevr"}, {"lint", "--color", "yes"},
		{"lint", "--format"}, {"lint", "--quiet=maybe"}, {"lint", "-", "-"}, {"lint", "--stdin-filename", "x.sts.yaml"},
		{"check", "--polcy", "x"}, {"check", "stray"}, {"check", "--policy", "x.sts.yaml"},
		{"exchange", "--timeout", "60"}, {"exchange", "--timeout", "0s", "--token-env", "T", "--scope", "a/b", "--identity", "i"}, {"exchange", "--scop", "a/b"},
		{"revoke", "--api-url", "127.0.0.1:18082"}, {"revoke", "--timeout", "-1s"}, {"revoke", "stray"},
		{"init", "plicy"}, {"init", "policy", "--identit", "x"}, {"init"},
		{"completion"}, {"completion", "tcsh"}, {"completion", "bsh"},
		{"action", "--foo"}, {"action", "extra"},
	}
	for _, c := range commandList() {
		cases = append(cases, []string{c.name, "--help"}, []string{"help", c.name})
	}
	var b strings.Builder
	for _, args := range cases {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), append([]string{"octo-sts"}, args...), strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
		fmt.Fprintf(&b, "$ octo-sts %s\nexit: %d\n--- stdout\n%s--- stderr\n%s\n", strings.Join(args, " "), code, stdout.String(), stderr.String())
		if code == ExitUsage && strings.Count(stderr.String(), "\n") > 1 && len(args) > 0 {
			t.Errorf("%q: usage error of %d lines, want one:\n%s", args, strings.Count(stderr.String(), "\n"), stderr.String())
		}
		if strings.Contains(strings.Join(args, " "), "--help") && (code != ExitOK || stderr.Len() > 0 || !strings.HasPrefix(stdout.String(), "usage: octo-sts")) {
			t.Errorf("%q: help must be exit 0 on stdout starting with usage:, got %d, stderr %q", args, code, stderr.String())
		}
	}
	golden := filepath.Join("..", "..", "testdata", "cli", "conventions.golden")
	if *updateCLI {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-cli)", err)
	}
	if b.String() != string(want) {
		t.Errorf("output differs from %s (rerun with -update-cli after checking)", golden)
	}
}

func TestDidYouMean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"lnt", "; did you mean lint?"}, {"formt", "; did you mean --format?"}, {"repository", "; did you mean --repo?"},
		{"xyz", ""}, {"chekc", "; did you mean check?"},
	} {
		cands := []string{"lint", "check", "format", "repo"}
		prefix := ""
		if c.in == "formt" || c.in == "repository" {
			prefix = "--"
		}
		if got := didYouMean(c.in, cands, prefix); got != c.want {
			t.Errorf("didYouMean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestLintStdinAndRoot: `lint -` reads stdin; without PATHs lint finds the repository root
// from a sub-directory.
func TestLintStdinAndRoot(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"octo-sts", "lint", "--workflows=false", "-"}, strings.NewReader("issuer: https://token.actions.githubusercontent.com\nsubject: repo:a/b:ref:refs/heads/main\nbogus: 1\n"), &stdout, &stderr, func(string) string { return "" })
	if code != ExitFindings || !strings.Contains(stdout.String(), ".github/chainguard/stdin.sts.yaml:3:1: error:") {
		t.Errorf("lint -: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	dir := t.TempDir()
	sub := filepath.Join(dir, "src", "deep")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".github", "chainguard"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".github", "chainguard", "x.sts.yaml"), []byte("issuer: https://token.actions.githubusercontent.com\nsubject: repo:a/b:ref:refs/heads/main\nbogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "octo-sts")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/octo-sts").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "lint", "--workflows=false", "--fail-on", "never")
	cmd.Dir = sub
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), ".github/chainguard/x.sts.yaml:3:1: error:") || !strings.Contains(string(out), "^~~~~") {
		t.Errorf("lint from a sub-directory (--fail-on never): %v\n%s", err, out)
	}
}

// TestLintColor: --color always colours severities, never and NO_COLOR (auto, not a terminal) do not.
func TestLintColor(t *testing.T) {
	policy := "issuer: https://token.actions.githubusercontent.com\nsubject: repo:a/b:ref:refs/heads/main\nbogus: 1\n"
	for _, c := range []struct {
		args  []string
		env   map[string]string
		color bool
	}{
		{[]string{"--color", "always"}, nil, true},
		{[]string{"--color", "never"}, nil, false},
		{nil, map[string]string{"NO_COLOR": "1"}, false},
		{nil, nil, false}, // a buffer is not a terminal
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"octo-sts", "lint", "--workflows=false"}, c.args...)
		Run(context.Background(), append(args, "-"), strings.NewReader(policy), &stdout, &stderr, func(k string) string { return c.env[k] })
		if got := strings.Contains(stdout.String(), "\x1b[31merror\x1b[0m"); got != c.color {
			t.Errorf("%v %v: coloured %v, want %v:\n%q", c.args, c.env, got, c.color, stdout.String())
		}
	}
}

// goIsms are the flag package's own phrasings, which no octo-sts message may show a user.
var goIsms = []string{"flag provided but not defined", "Usage of", "flag needs an argument", "invalid value"}

// runLine runs one command line with empty streams and environment.
func runLine(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Run(context.Background(), append([]string{"octo-sts"}, args...), strings.NewReader(""), &o, &e, func(string) string { return "" })
	return code, o.String(), e.String()
}

// wantUsageLine fails unless the run was a usage error of exactly one line, prefixed with the
// command and containing want, on stderr only.
func wantUsageLine(t *testing.T, args []string, want string) {
	t.Helper()
	code, stdout, stderr := runLine(args...)
	prefix := "octo-sts " + args[0] + ": "
	if code != ExitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, prefix) || !strings.Contains(stderr, want) {
		t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line %q…%q", args, code, stdout, stderr, prefix, want)
	}
	for _, g := range goIsms {
		if strings.Contains(stderr, g) {
			t.Errorf("%q: %q shows the flag package's %q", args, stderr, g)
		}
	}
}

// typo drops the middle letter of a flag name, the commonest slip.
func typo(name string) string { return name[:len(name)/2] + name[len(name)/2+1:] }

// TestEveryCommandConventions is generated from the command list, so a new command cannot miss
// it: help on stdout (the same for CMD --help, CMD -h and help CMD, and listing exactly the flags
// of the command's entry), every flag's typo suggests that flag, every flag that takes a value
// says so when it lacks one, and a flag far from any gets one line pointing at --help, all with
// exit 2.
func TestEveryCommandConventions(t *testing.T) {
	for _, c := range commandList() {
		t.Run(c.name, func(t *testing.T) {
			code, help, stderr := runLine(c.name, "--help")
			if code != ExitOK || stderr != "" || !strings.HasPrefix(help, "usage: octo-sts "+c.name) {
				t.Fatalf("%s --help: exit %d, stderr %q, stdout %.80q", c.name, code, stderr, help)
			}
			var want strings.Builder
			printHelp(&want, c.name, flagSet(c.name, c.flags))
			if help != want.String() {
				t.Errorf("%s --help lists other flags than its command-list entry defines: register every flag in its define method", c.name)
			}
			for _, alt := range [][]string{{c.name, "-h"}, {"help", c.name}} {
				if code, out, errOut := runLine(alt...); code != ExitOK || out != help || errOut != "" {
					t.Errorf("%q: exit %d, stderr %q; want the same help as %s --help on stdout", alt, code, errOut, c.name)
				}
			}
			if !strings.Contains(topUsage(), "  "+c.name+" ") {
				t.Errorf("octo-sts help does not list %s", c.name)
			}
			wantUsageLine(t, []string{c.name, "--zzqqxx"}, "unknown flag --zzqqxx; --help lists the flags")
			wantUsageLine(t, []string{c.name, "--zzqqxx=1"}, "unknown flag --zzqqxx; --help lists the flags")
			flagSet(c.name, c.flags).VisitAll(func(f *flag.Flag) {
				if len(f.Name) >= 4 {
					wantUsageLine(t, []string{c.name, "--" + typo(f.Name)}, "unknown flag --"+typo(f.Name)+"; did you mean --"+f.Name+"?")
				}
				if !isBoolFlag(f) {
					wantUsageLine(t, []string{c.name, "--" + f.Name}, "--"+f.Name+" needs a value (--"+f.Name+" VALUE or --"+f.Name+"=VALUE)")
				}
			})
		})
	}
}
