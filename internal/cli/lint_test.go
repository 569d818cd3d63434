package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/report"
)

// updateLint rewrites testdata/lint/cli/golden; it has its own name so it cannot clash with an
// -update flag of another test file in this package.
var updateLint = flag.Bool("update-lint", false, "rewrite testdata/lint/cli/golden")

// lintCLIDir is testdata/lint/cli as an absolute path, since tests chdir into its fixtures.
func lintCLIDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", "testdata", "lint", "cli"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type lintResult struct {
	code           int
	stdout, stderr string
}

// runLintIn runs `octo-sts lint args...` with dir as working directory and env as the whole
// environment.
func runLintIn(t *testing.T, dir string, env map[string]string, args ...string) lintResult {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), append([]string{"octo-sts", "lint"}, args...), strings.NewReader(""), &stdout, &stderr,
		func(k string) string { return env[k] })
	return lintResult{code, stdout.String(), stderr.String()}
}

// TestLintGolden runs the CLI over the fixture repositories in testdata/lint/cli and compares exit
// code, stdout and stderr with testdata/lint/cli/golden/<case>.golden (-update-lint rewrites them).
func TestLintGolden(t *testing.T) {
	base := lintCLIDir(t)
	cases := []struct {
		name, dir string
		env       map[string]string
		args      []string
	}{
		{"repo-text", "repo", nil, nil},
		{"repo-json", "repo", nil, []string{"--format", "json"}},
		{"repo-github", "repo", nil, []string{"--format=github"}},
		{"repo-fail-on-warning-one-file", "repo", nil, []string{".github/chainguard/broad.sts.yaml", "--fail-on", "warning"}},
		{"repo-warning-under-fail-on-error", "repo", nil, []string{"--quiet", ".github/chainguard/broad.sts.yaml", ".github/chainguard/ok.sts.yaml"}},
		{"org-as-app-repo", "org", map[string]string{"GITHUB_REPOSITORY": "acme/app"}, nil},
		{"org-from-env", "org", map[string]string{"GITHUB_REPOSITORY": "acme/.github"}, nil},
		{"org-flag-beats-env", "org", map[string]string{"GITHUB_REPOSITORY": "acme/app"}, []string{"--repository", "acme/.github"}},
		{"org-custom-policy-repo", "org", nil, []string{"--repository", "acme/policies", "--org-policy-repo", "policies"}},
		{"org-forced-repo-kind", "org", map[string]string{"GITHUB_REPOSITORY": "acme/.github"}, []string{"--kind", "repo", ".github/chainguard/release.sts.yaml"}},
		{"clean", "clean", nil, nil},
		{"no-default-dir", "nodir", map[string]string{"GITHUB_WORKSPACE": "."}, nil},
		{"missing-path", "repo", nil, []string{".github/chainguard", "policies/missing.sts.yaml"}},
		{"no-policy-files", "nofiles", nil, nil},
		{"bad-format", "repo", nil, []string{"--format", "xml"}},
		{"unknown-flag", "repo", nil, []string{"--strict"}},
		{"workflows", "workflows", map[string]string{"GITHUB_REPOSITORY": "acme/app"}, nil},
		{"workflows-off", "workflows", map[string]string{"GITHUB_REPOSITORY": "acme/app"}, []string{"--workflows=false"}},
		// From a sub-directory, paths are shown from the working directory, as actionlint does...
		{"subdir-text", "repo/.github/chainguard", nil, nil},
		{"subdir-json", "repo/.github/chainguard", nil, []string{"--format", "json"}},
		{"subdir-workflows", "workflows/.github/chainguard", map[string]string{"GITHUB_REPOSITORY": "acme/app"}, nil},
		// ...but from the workspace in Actions, and for the formats read against the repository.
		{"subdir-actions", "repo/.github/chainguard", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": "../.."}, nil},
		{"subdir-actions-no-workspace", "repo/.github/chainguard", map[string]string{"GITHUB_ACTIONS": "true"}, nil},
		{"subdir-github", "repo/.github/chainguard", nil, []string{"--format", "github"}},
		{"subdir-one-file", "repo/.github/chainguard", nil, []string{"bad.sts.yaml", "../chainguard/broad.sts.yaml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runLintIn(t, filepath.Join(base, c.dir), c.env, c.args...)
			r.stdout = maskLintMessages(r.stdout)
			cmd := lintGoldenCommand(c.dir, c.env, c.args)
			got := fmt.Sprintf("%s\nexit: %d\n--- stdout\n%s--- stderr\n%s", cmd, r.code, r.stdout, r.stderr)
			path := filepath.Join(base, "golden", c.name+".golden")
			if *updateLint {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./internal/cli -run TestLintGolden -update-lint creates it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (rerun with -update-lint after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

// lintGoldenCommand is a golden file's first line, the command; a case run from a sub-directory
// of its fixture also shows the cd and the environment, which decide the paths it shows.
func lintGoldenCommand(dir string, env map[string]string, args []string) string {
	cmd := strings.Join(append([]string{"octo-sts lint"}, args...), " ")
	_, sub, ok := strings.Cut(dir, "/")
	if !ok {
		return "$ " + cmd
	}
	for _, k := range slices.Backward(slices.Sorted(maps.Keys(env))) {
		cmd = k + "=" + env[k] + " " + cmd
	}
	return "$ cd " + sub + "\n$ " + cmd
}

var (
	textMsgRE   = regexp.MustCompile(`(?m)^(.+?:\d+:\d+: (?:error|warning|notice): ).*( \[[a-z0-9-]+\])$`)
	jsonMsgRE   = regexp.MustCompile(`"message":"(?:[^"\\]|\\.)*"`)
	githubMsgRE = regexp.MustCompile(`(?m)^(::(?:error|warning|notice) [^:]*(?:%3A[^:]*)*::).*$`)
)

// maskLintMessages replaces finding messages with <message>: the CLI goldens pin what this command
// owns (format, positions, rule IDs, counts, exit codes), not the rules' wording, which
// internal/lint's own goldens cover.
func maskLintMessages(s string) string {
	s = textMsgRE.ReplaceAllString(s, "$1<message>$2")
	s = jsonMsgRE.ReplaceAllString(s, `"message":"<message>"`)
	return githubMsgRE.ReplaceAllString(s, "$1<message>")
}

func TestMaskLintMessages(t *testing.T) {
	in := `a.sts.yaml:4:3: error: unknown "x": [y] [unknown-key]
{"findings":[{"rule":"r","message":"say \"hi\" [x]"}]}
::error col=3,file=a.sts.yaml,line=4,title=octo-sts unknown-key::bad: "x"
1 error, 0 warnings, 0 notices in 1 file
`
	want := `a.sts.yaml:4:3: error: <message> [unknown-key]
{"findings":[{"rule":"r","message":"<message>"}]}
::error col=3,file=a.sts.yaml,line=4,title=octo-sts unknown-key::<message>
1 error, 0 warnings, 0 notices in 1 file
`
	if got := maskLintMessages(in); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestParseLintFlags(t *testing.T) {
	env := func(k string) string { return map[string]string{"GITHUB_REPOSITORY": "acme/app"}[k] }
	cases := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, f lintFlags)
	}{
		{name: "defaults", check: func(t *testing.T, f lintFlags) {
			if f.kind != "auto" || f.format != "text" || f.failOn != "error" || f.repository != "acme/app" || f.output != "" || f.quiet || f.paths != nil {
				t.Errorf("defaults = %+v", f)
			}
		}},
		{name: "flags after paths", args: []string{"a.sts.yaml", "--format", "sarif", "dir", "-fail-on=notice", "--quiet"}, check: func(t *testing.T, f lintFlags) {
			if !slices.Equal(f.paths, []string{"a.sts.yaml", "dir"}) || f.format != "sarif" || f.failOn != "notice" || !f.quiet {
				t.Errorf("got %+v", f)
			}
		}},
		{name: "double dash ends flags", args: []string{"--kind", "org", "--", "--weird-name.sts.yaml", "x"}, check: func(t *testing.T, f lintFlags) {
			if !slices.Equal(f.paths, []string{"--weird-name.sts.yaml", "x"}) || f.kind != "org" {
				t.Errorf("got %+v", f)
			}
		}},
		{name: "repository flag beats env", args: []string{"--repository", "acme/.github"}, check: func(t *testing.T, f lintFlags) {
			if f.repository != "acme/.github" {
				t.Errorf("repository = %q", f.repository)
			}
		}},
		{name: "every kind", args: []string{"--kind", "issuers"}, check: func(t *testing.T, f lintFlags) {
			if f.kind != "issuers" {
				t.Errorf("kind = %q", f.kind)
			}
		}},
		{name: "bad kind", args: []string{"--kind", "policy"}, wantErr: `--kind "policy": want one of auto, repo, org, issuers`},
		{name: "bad format", args: []string{"--format", "JSON"}, wantErr: `--format "JSON": want one of text, json, github, sarif; did you mean json?`},
		{name: "bad fail-on", args: []string{"--fail-on", "info"}, wantErr: `--fail-on "info": want one of error, warning, notice, never`},
		{name: "bad repository", args: []string{"--repository", "acme"}, wantErr: `--repository "acme": want OWNER/NAME`},
		{name: "repository with extra slash", args: []string{"--repository", "acme/a/b"}, wantErr: `--repository "acme/a/b": want OWNER/NAME`},
		{name: "bad org policy repo", args: []string{"--org-policy-repo", "acme/.github"}, wantErr: `--org-policy-repo: "acme/.github" must be a bare repository name`},
		{name: "org policy repo with a space", args: []string{"--org-policy-repo", "my repo"}, wantErr: `--org-policy-repo: "my repo" must be a bare repository name`},
		{name: "missing value", args: []string{"--format"}, wantErr: "--format needs a value"},
		{name: "unknown flag after path", args: []string{"dir", "--strict"}, wantErr: "unknown flag --strict"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := parseLintFlags(IO{Stdout: io.Discard, Getenv: env}, c.args)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, f)
		})
	}
}

func TestLintHelp(t *testing.T) {
	dir := lintCLIDir(t)
	for _, arg := range []string{"-h", "--help"} {
		r := runLintIn(t, dir, nil, arg)
		if r.code != ExitOK || !strings.HasPrefix(r.stdout, "usage: octo-sts lint") || r.stderr != "" {
			t.Errorf("%s: code %d, stdout %q, stderr %q", arg, r.code, r.stdout, r.stderr)
		}
		for _, want := range []string{"--kind auto|repo|org|issuers", "--fail-on error|warning|notice|never", "--output FILE", "exit codes: 0"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("usage lacks %q", want)
			}
		}
	}
}

// TestLintFailOnThresholds pins the exit-code contract for each --fail-on over one file of each
// severity (broad.sts.yaml warns, empty-audience.sts.yaml has a notice).
func TestLintFailOnThresholds(t *testing.T) {
	dir := filepath.Join(lintCLIDir(t), "repo")
	for _, c := range []struct {
		file, failOn string
		want         int
	}{
		{".github/chainguard/bad.sts.yaml", "error", ExitFindings},
		{".github/chainguard/broad.sts.yaml", "error", ExitOK},
		{".github/chainguard/broad.sts.yaml", "warning", ExitFindings},
		{".github/chainguard/empty-audience.sts.yaml", "warning", ExitOK},
		{".github/chainguard/empty-audience.sts.yaml", "notice", ExitFindings},
		{".github/chainguard/ok.sts.yaml", "notice", ExitOK},
	} {
		if r := runLintIn(t, dir, nil, "--fail-on", c.failOn, c.file); r.code != c.want {
			t.Errorf("%s --fail-on %s: exit %d, want %d\n%s%s", c.file, c.failOn, r.code, c.want, r.stdout, r.stderr)
		}
	}
}

func TestLintOutputFileAndSARIF(t *testing.T) {
	dir := filepath.Join(lintCLIDir(t), "repo")
	out := filepath.Join(t.TempDir(), "lint.sarif")
	r := runLintIn(t, dir, nil, "--format", "sarif", "--output", out)
	if r.code != ExitFindings || r.stdout != "" || r.stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 1 and the report only in the file", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name, Version string
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("--output file is not SARIF JSON: %v", err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || doc.Runs[0].Tool.Driver.Name != "octo-sts" || doc.Runs[0].Tool.Driver.Version == "" {
		t.Fatalf("unexpected SARIF header: %+v", doc)
	}
	var got []string
	for _, res := range doc.Runs[0].Results {
		got = append(got, res.RuleID+" "+res.Level+" "+res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	}
	want := []string{
		"unknown-key error .github/chainguard/bad.sts.yaml",
		"broad-pattern warning .github/chainguard/broad.sts.yaml",
		"empty-value note .github/chainguard/empty-audience.sts.yaml",
	}
	if !slices.Equal(got, want) {
		t.Errorf("results = %q\nwant %q", got, want)
	}

	// An unwritable --output is an internal failure that names the flag.
	r = runLintIn(t, dir, nil, "--output", filepath.Join(t.TempDir(), "no", "such", "dir", "x.txt"))
	if r.code != ExitInternal || !strings.Contains(r.stderr, "--output:") {
		t.Errorf("unwritable output: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestLintPathsRelativeToWorkspace checks that, in Actions, reported paths are relative to
// GITHUB_WORKSPACE (the repository root) even when the step runs in a sub-directory.
func TestLintPathsRelativeToWorkspace(t *testing.T) {
	ws := lintCLIDir(t)
	r := runLintIn(t, filepath.Join(ws, "repo", ".github"), map[string]string{"GITHUB_WORKSPACE": ws}, "chainguard/bad.sts.yaml")
	if r.code != ExitFindings || !strings.HasPrefix(r.stdout, "repo/.github/chainguard/bad.sts.yaml:4:3: error: ") {
		t.Errorf("exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestLintGitHubFormatWritesStepSummary: in a run step with --format github the annotations are
// capped, so the full table goes to the step summary the overflow notice points at.
func TestLintGitHubFormatWritesStepSummary(t *testing.T) {
	dir := filepath.Join(lintCLIDir(t), "repo")
	summary := filepath.Join(t.TempDir(), "summary.md")
	r := runLintIn(t, dir, map[string]string{"GITHUB_STEP_SUMMARY": summary}, "--format", "github")
	if r.code != ExitFindings || !strings.HasPrefix(r.stdout, "::error ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### ❌ octo-sts lint: 1 error in 1 of 4 files", "<details open><summary><code>.github/chainguard/bad.sts.yaml</code>", "| 4 | ❌ error |", "#unknown-key)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("step summary lacks %q:\n%s", want, md)
		}
	}
	// Other formats leave the step summary alone.
	summary2 := filepath.Join(t.TempDir(), "summary.md")
	runLintIn(t, dir, map[string]string{"GITHUB_STEP_SUMMARY": summary2}, "--format", "text")
	if _, err := os.Stat(summary2); !os.IsNotExist(err) {
		t.Errorf("text format wrote a step summary (stat err %v)", err)
	}
}

// TestLintRecognisesOrgPolicyRepoFromGitRemote: in a checkout of acme/.github (seen from its
// origin remote), `repositories` is valid, and lint must not advise removing it (that would give
// the token every repository).
func TestLintRecognisesOrgPolicyRepoFromGitRemote(t *testing.T) {
	dir := t.TempDir()
	for p, data := range map[string]string{
		".git/config":                        "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:acme/.github.git\n",
		".github/chainguard/deploy.sts.yaml": "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nrepositories: [app]\npermissions:\n  contents: read\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// From the root, and with the file named from its own directory (the root, found as
	// actionlint finds it, still says which repository this is and where the file sits in it).
	for _, c := range []struct{ dir, path string }{{".", ""}, {".github/chainguard", "deploy.sts.yaml"}} {
		args := []string{}
		if c.path != "" {
			args = append(args, c.path)
		}
		r := runLintIn(t, filepath.Join(dir, c.dir), nil, args...)
		if r.code != ExitOK || r.stdout != "0 errors, 0 warnings, 0 notices in 1 file\n" {
			t.Errorf("in %s, lint %v: exit %d, want 0 with no findings:\n%s%s", c.dir, args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestLintIgnoreFlag(t *testing.T) {
	dir := t.TempDir()
	cg := filepath.Join(dir, ".github", "chainguard")
	if err := os.MkdirAll(cg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cg, "p.sts.yaml"), []byte("issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:acme/app:.*\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runLintIn(t, dir, nil, "--fail-on", "warning", "--repository", "acme/app"); r.code != ExitFindings {
		t.Fatalf("without --ignore: exit %d\n%s", r.code, r.stdout)
	}
	if r := runLintIn(t, dir, nil, "--fail-on", "warning", "--repository", "acme/app", "--ignore", "broad-pattern"); r.code != ExitOK {
		t.Errorf("--ignore broad-pattern: exit %d\n%s", r.code, r.stdout)
	}
	if r := runLintIn(t, dir, nil, "--ignore", "no-such-rule"); r.code != ExitUsage || !strings.Contains(r.stderr, `unknown rule "no-such-rule"`) {
		t.Errorf("--ignore no-such-rule: exit %d\n%s", r.code, r.stderr)
	}
}

// TestPathView: outside Actions, text and JSON show paths from the working directory (actionlint's
// rule); Actions and the repository-read formats keep them repository-relative, and a path lint
// could not make repository-relative is left alone.
func TestPathView(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, ".github", "chainguard")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	for _, c := range []struct {
		name   string
		env    map[string]string
		format report.Format
		root   string
		in     string
		want   string
	}{
		{"text", nil, report.FormatText, "../..", ".github/chainguard/a.sts.yaml", "a.sts.yaml"},
		{"json", nil, report.FormatJSON, "../..", ".github/workflows/ci.yml", "../workflows/ci.yml"},
		{"top of the tree", nil, report.FormatText, "../..", "trusted-token-issuers.yaml", "../../trusted-token-issuers.yaml"},
		{"not under root", nil, report.FormatText, "../..", "../elsewhere/a.sts.yaml", "../elsewhere/a.sts.yaml"},
		{"absolute", nil, report.FormatText, "../..", "/tmp/a.sts.yaml", "/tmp/a.sts.yaml"},
		{"root is here", nil, report.FormatText, ".", "a.sts.yaml", "a.sts.yaml"},
		{"actions", map[string]string{"GITHUB_ACTIONS": "true"}, report.FormatText, "../..", ".github/chainguard/a.sts.yaml", ".github/chainguard/a.sts.yaml"},
		{"workspace", map[string]string{"GITHUB_WORKSPACE": root}, report.FormatText, root, ".github/chainguard/a.sts.yaml", ".github/chainguard/a.sts.yaml"},
		{"sarif", nil, report.FormatSARIF, "../..", ".github/chainguard/a.sts.yaml", ".github/chainguard/a.sts.yaml"},
		{"github", nil, report.FormatGitHub, "../..", ".github/chainguard/a.sts.yaml", ".github/chainguard/a.sts.yaml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := newPathView(func(k string) string { return c.env[k] }, c.format, c.root)
			fs := v.show([]lint.Finding{{File: c.in}})
			if fs[0].File != c.want {
				t.Errorf("%s shown as %q, want %q", c.in, fs[0].File, c.want)
			}
		})
	}
}
