package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/octo-sts/action/internal/lint"
)

func init() {
	// Shared with other golden tests in this package; define it only once.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata")
	}
}

// initUpdating reports whether -update was given: golden files under testdata/init are rewritten.
func initUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const initGoldenDir = "../../testdata/init"

// runInitCmd runs `octo-sts init args...` in-process with env as the whole environment.
func runInitCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), append([]string{"octo-sts", "init"}, args...), strings.NewReader(""), &stdout, &stderr,
		func(k string) string { return env[k] })
	return code, stdout.String(), stderr.String()
}

// checkGolden compares a generated file with testdata/init/<name>/<rel>; -update rewrites it.
func checkGolden(t *testing.T, name, rel string, got []byte) {
	t.Helper()
	path := filepath.Join(initGoldenDir, name, filepath.FromSlash(rel))
	if initUpdating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run Init -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from what init writes (go test -update rewrites it)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// lintClean fails the test unless the policy has zero findings of any severity.
func lintClean(t *testing.T, rel string, data []byte, repo string) {
	t.Helper()
	if fs := lint.Bytes(rel, data, lint.Options{Repository: repo}); len(fs) > 0 {
		for _, f := range fs {
			t.Errorf("%s:%d:%d: %s: %s [%s]", f.File, f.Line, f.Column, f.Severity, f.Message, f.Rule)
		}
	}
}

// readTree reads rel under dir.
func readTree(t *testing.T, dir, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// anchored compiles a trust-policy pattern the way the server does.
func anchored(t *testing.T, p string) *regexp.Regexp {
	t.Helper()
	re, err := regexp.Compile("^" + p + "$")
	if err != nil {
		t.Fatalf("pattern %q does not compile: %v", p, err)
	}
	return re
}

// renovateWorkflow is the structure init renovate's caller workflow must have.
type renovateWorkflow struct {
	Name        string            `yaml:"name"`
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Permissions map[string]string `yaml:"permissions"`
		Uses        string            `yaml:"uses"`
		With        map[string]string `yaml:"with"`
		Steps       []any             `yaml:"steps"`
	} `yaml:"jobs"`
}

// renovatePolicy is the part of the generated policy the tests reason about.
type renovatePolicy struct {
	Issuer       string            `yaml:"issuer"`
	Subject      string            `yaml:"subject"`
	ClaimPattern map[string]string `yaml:"claim_pattern"`
	Permissions  map[string]string `yaml:"permissions"`
}

func TestInitRenovate(t *testing.T) {
	cases := []struct {
		name, repo, identity string
		args                 []string
		uses                 string
		claimOK, claimBad    []string
	}{
		{
			name: "renovate", repo: "acme/app", identity: "renovate",
			args: []string{"renovate", "--repo", "acme/app"},
			uses: "octo-sts/action/.github/workflows/renovate.yaml@v1",
			claimOK: []string{
				"octo-sts/action/.github/workflows/renovate.yaml@refs/tags/v1",
				"octo-sts/action/.github/workflows/renovate.yaml@refs/heads/v1",
			},
			claimBad: []string{
				"octo-sts/action/.github/workflows/renovate.yaml@refs/tags/v10",
				"octo-sts/action/.github/workflowsXrenovate.yaml@refs/tags/v1",
				"octo-sts/action/.github/workflows/renovateXyaml@refs/tags/v1",
				"evil/octo-sts/.github/workflows/renovate.yaml@refs/tags/v1",
				"acme/app/.github/workflows/renovate.yaml@refs/heads/main",
			},
		},
		{
			name: "renovate-sha", repo: "Acme-Corp/my.app_2", identity: "deps",
			args: []string{"renovate", "--repo", "Acme-Corp/my.app_2", "--identity", "deps", "--default-branch", "trunk",
				"--reusable-ref", "acme-corp/octo-sts-fork@0123456789abcdef0123456789abcdef01234567"},
			uses:    "acme-corp/octo-sts-fork/.github/workflows/renovate.yaml@0123456789abcdef0123456789abcdef01234567",
			claimOK: []string{"acme-corp/octo-sts-fork/.github/workflows/renovate.yaml@0123456789abcdef0123456789abcdef01234567"},
			claimBad: []string{
				"acme-corp/octo-sts-fork/.github/workflows/renovate.yaml@refs/heads/main",
				"acme-corp/octo-sts-fork/.github/workflows/renovate.yaml@0123456789abcdef0123456789abcdef01234568",
			},
		},
		{
			name: "renovate-full-ref", repo: "acme/app", identity: "renovate",
			args:     []string{"renovate", "--repo=acme/app", "--reusable-ref=octo-sts/action@refs/tags/v1.2.3"},
			uses:     "octo-sts/action/.github/workflows/renovate.yaml@v1.2.3",
			claimOK:  []string{"octo-sts/action/.github/workflows/renovate.yaml@refs/tags/v1.2.3"},
			claimBad: []string{"octo-sts/action/.github/workflows/renovate.yaml@refs/heads/v1.2.3", "octo-sts/action/.github/workflows/renovate.yaml@refs/tags/v1x2x3"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := runInitCmd(t, nil, append(c.args, "--dir", dir)...)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			policyRel := ".github/chainguard/" + c.identity + ".sts.yaml"
			for _, rel := range []string{policyRel, ".github/workflows/renovate.yaml"} {
				if !strings.Contains(stdout, "wrote "+filepath.ToSlash(filepath.Join(dir, rel))) {
					t.Errorf("stdout does not report %s:\n%s", rel, stdout)
				}
			}

			policy := readTree(t, dir, policyRel)
			checkGolden(t, c.name, policyRel, policy)
			lintClean(t, policyRel, policy, c.repo)
			if !strings.HasPrefix(string(policy), "# yaml-language-server: $schema=https://raw.githubusercontent.com/octo-sts/action/main/schema/trust-policy.schema.json\n") {
				t.Error("the policy does not start with the schema modeline")
			}
			var p renovatePolicy
			if err := yaml.Unmarshal(policy, &p); err != nil {
				t.Fatal(err)
			}
			if p.Issuer != "https://token.actions.githubusercontent.com" {
				t.Errorf("issuer = %q", p.Issuer)
			}
			wantBranch := "main"
			if c.name == "renovate-sha" {
				wantBranch = "trunk"
			}
			if want := "repo:" + c.repo + ":ref:refs/heads/" + wantBranch; p.Subject != want {
				t.Errorf("subject = %q, want %q", p.Subject, want)
			}
			if p.Permissions["workflows"] != "write" || p.Permissions["contents"] != "write" || p.Permissions["pull_requests"] != "write" || p.Permissions["issues"] != "write" {
				t.Errorf("permissions %v lack what Renovate needs", p.Permissions)
			}
			re := anchored(t, p.ClaimPattern["job_workflow_ref"])
			for _, s := range c.claimOK {
				if !re.MatchString(s) {
					t.Errorf("job_workflow_ref pattern %q does not match %q", re, s)
				}
			}
			for _, s := range c.claimBad {
				if re.MatchString(s) {
					t.Errorf("job_workflow_ref pattern %q also matches %q", re, s)
				}
			}

			wf := readTree(t, dir, ".github/workflows/renovate.yaml")
			checkGolden(t, c.name, ".github/workflows/renovate.yaml", wf)
			var w renovateWorkflow
			if err := yaml.Unmarshal(wf, &w); err != nil {
				t.Fatalf("generated workflow is not YAML: %v", err)
			}
			schedule, _ := w.On["schedule"].([]any)
			_, dispatch := w.On["workflow_dispatch"]
			if len(schedule) != 1 || len(w.On) != 2 || !dispatch {
				t.Errorf("want exactly a schedule and workflow_dispatch, got %v", w.On)
			} else if cron, _ := schedule[0].(map[string]any)["cron"].(string); len(strings.Fields(cron)) != 5 {
				t.Errorf("schedule %v has no five-field cron", schedule)
			}
			if w.Permissions == nil || len(w.Permissions) != 0 {
				t.Errorf("top-level permissions = %v, want {}", w.Permissions)
			}
			job, ok := w.Jobs["renovate"]
			if !ok || len(w.Jobs) != 1 {
				t.Fatalf("want exactly one job named renovate, got %v", w.Jobs)
			}
			if job.Uses != c.uses {
				t.Errorf("uses = %q, want %q", job.Uses, c.uses)
			}
			if want := map[string]string{"contents": "read", "id-token": "write"}; !mapsEqual(job.Permissions, want) {
				t.Errorf("job permissions = %v, want %v", job.Permissions, want)
			}
			if job.With["identity"] != c.identity || len(job.Steps) != 0 {
				t.Errorf("with = %v, steps = %v; want identity %q and no steps (a caller job)", job.With, job.Steps, c.identity)
			}
			// The reusable workflow's path in uses and in the pinned claim must agree.
			file, _, _ := strings.Cut(strings.SplitN(c.uses, "/", 3)[2], "@")
			if !strings.Contains(p.ClaimPattern["job_workflow_ref"], regexp.QuoteMeta(file)) {
				t.Errorf("claim %q does not pin %s", p.ClaimPattern["job_workflow_ref"], file)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestInitPolicy(t *testing.T) {
	t.Run("flags", func(t *testing.T) {
		dir := t.TempDir()
		code, _, stderr := runInitCmd(t, nil, "policy", "--repo", "acme/app", "--identity", "deploy", "--dir", dir)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		data := readTree(t, dir, ".github/chainguard/deploy.sts.yaml")
		checkGolden(t, "policy", ".github/chainguard/deploy.sts.yaml", data)
		lintClean(t, ".github/chainguard/deploy.sts.yaml", data, "acme/app")
		var p renovatePolicy
		if err := yaml.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		if p.Subject != "repo:acme/app:ref:refs/heads/main" || len(p.Permissions) != 1 || p.Permissions["contents"] != "read" {
			t.Errorf("starter policy = %+v; want the default branch and contents: read only", p)
		}
	})
	t.Run("default identity and GITHUB_REPOSITORY", func(t *testing.T) {
		dir := t.TempDir()
		code, _, stderr := runInitCmd(t, map[string]string{"GITHUB_REPOSITORY": "octo/widgets"}, "policy", "--dir", dir)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		data := readTree(t, dir, ".github/chainguard/ci.sts.yaml")
		lintClean(t, ".github/chainguard/ci.sts.yaml", data, "octo/widgets")
		if !strings.Contains(string(data), "\nsubject: repo:octo/widgets:ref:refs/heads/main\n") {
			t.Errorf("subject not taken from GITHUB_REPOSITORY:\n%s", data)
		}
	})
	for _, url := range []string{"https://github.com/Octo-Org/my.repo.git", "git@github.com:Octo-Org/my.repo.git", "ssh://git@github.com/Octo-Org/my.repo"} {
		t.Run("origin "+url, func(t *testing.T) {
			dir := t.TempDir()
			cfg := "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://github.com/other/thing.git\n[remote \"origin\"]\n\turl = " + url + "\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
			if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ".git", "config"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runInitCmd(t, nil, "policy", "--dir", dir, "--default-branch", "develop")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			data := readTree(t, dir, ".github/chainguard/ci.sts.yaml")
			lintClean(t, ".github/chainguard/ci.sts.yaml", data, "Octo-Org/my.repo")
			if !strings.Contains(string(data), "\nsubject: repo:Octo-Org/my.repo:ref:refs/heads/develop\n") {
				t.Errorf("subject not taken from the origin remote:\n%s", data)
			}
		})
	}
	t.Run("no repository anywhere", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
			t.Fatal(err)
		}
		// An origin that is not on github.com cannot name the repository.
		if err := os.WriteFile(filepath.Join(dir, ".git", "config"), []byte("[remote \"origin\"]\n\turl = https://gitlab.com/acme/app.git\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runInitCmd(t, nil, "policy", "--dir", dir)
		if code != ExitUsage || !strings.Contains(stderr, "--repo is required") || !strings.Contains(stderr, "--repo acme/app") {
			t.Errorf("exit %d, stderr %q; want a usage error naming --repo and an example", code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, ".github")); !os.IsNotExist(err) {
			t.Errorf("a failed init wrote files: %v", err)
		}
	})
}

func TestInitRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, ".github", "workflows", "renovate.yaml")
	if err := os.MkdirAll(filepath.Dir(existing), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(existing, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runInitCmd(t, nil, "renovate", "--repo", "acme/app", "--dir", dir)
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr %s", code, ExitFindings, stderr)
	}
	if !strings.Contains(stderr, ".github/workflows/renovate.yaml already exists") || !strings.Contains(stderr, "--force") || stdout != "" {
		t.Errorf("stdout %q, stderr %q; want the existing file named and --force suggested", stdout, stderr)
	}
	// Nothing at all is written: not even the file that did not exist.
	if _, err := os.Stat(filepath.Join(dir, ".github", "chainguard", "renovate.sts.yaml")); !os.IsNotExist(err) {
		t.Errorf("the policy was written although the workflow existed: %v", err)
	}
	if got := readTree(t, dir, ".github/workflows/renovate.yaml"); string(got) != "mine\n" {
		t.Errorf("existing workflow changed to %q", got)
	}
	entries, err := os.ReadDir(filepath.Dir(existing))
	if err != nil || len(entries) != 1 {
		t.Errorf("leftover files next to the workflow: %v %v", entries, err)
	}

	code, _, stderr = runInitCmd(t, nil, "renovate", "--repo", "acme/app", "--dir", dir, "--force")
	if code != ExitOK {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	if got := readTree(t, dir, ".github/workflows/renovate.yaml"); !bytes.Contains(got, []byte("uses: octo-sts/action/.github/workflows/renovate.yaml@v1")) {
		t.Errorf("--force did not overwrite the workflow:\n%s", got)
	}
	readTree(t, dir, ".github/chainguard/renovate.sts.yaml")

	// Both files present now: both are named.
	code, _, stderr = runInitCmd(t, nil, "renovate", "--repo", "acme/app", "--dir", dir)
	if code != ExitFindings || !strings.Contains(stderr, ".github/chainguard/renovate.sts.yaml and .github/workflows/renovate.yaml already exist") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}

	// init policy refuses too.
	code, _, stderr = runInitCmd(t, nil, "policy", "--repo", "acme/app", "--identity", "renovate", "--dir", dir)
	if code != ExitFindings || !strings.Contains(stderr, "renovate.sts.yaml already exists") {
		t.Errorf("init policy over an existing policy: exit %d, stderr %q", code, stderr)
	}
}

func TestInitUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{"no kind", nil, []string{"renovate or policy"}},
		{"unknown kind", []string{"dependabot"}, []string{`unknown kind "dependabot"`}},
		{"extra argument", []string{"renovate", "x", "--repo", "acme/app"}, []string{"unexpected arguments"}},
		{"renovate without repo", []string{"renovate"}, []string{"--repo is required", "--repo acme/app"}},
		{"repo without owner", []string{"renovate", "--repo", "app"}, []string{`--repo "app"`, "OWNER/NAME"}},
		{"repo with three parts", []string{"renovate", "--repo", "acme/app/x"}, []string{`--repo "acme/app/x"`, "OWNER/NAME"}},
		{"bad owner", []string{"renovate", "--repo", "-acme/app"}, []string{`--repo "-acme/app"`, "owner", "fix the owner part"}},
		{"bad name", []string{"policy", "--repo", "acme/a b"}, []string{`--repo "acme/a b"`, "fix the name part"}},
		{"dotgit name", []string{"policy", "--repo", "acme/app.git"}, []string{"without a .git suffix"}},
		{"identity path", []string{"policy", "--repo", "acme/app", "--identity", "../deploy"}, []string{`--identity "../deploy"`, "plain file name stem"}},
		{"identity suffix", []string{"policy", "--repo", "acme/app", "--identity", "deploy.sts.yaml"}, []string{"--identity deploy"}},
		{"identity allowlist", []string{"renovate", "--repo", "acme/app", "--identity", "trusted-token-issuers"}, []string{"allowlist"}},
		{"identity empty", []string{"policy", "--repo", "acme/app", "--identity="}, []string{"--identity is empty"}},
		{"repo empty", []string{"policy", "--repo="}, []string{"--repo is empty"}},
		{"ref without @", []string{"renovate", "--repo", "acme/app", "--reusable-ref", "octo-sts/action"}, []string{"--reusable-ref", "OWNER/REPO@REF"}},
		{"ref bad repo", []string{"renovate", "--repo", "acme/app", "--reusable-ref", "octo-sts@v1"}, []string{"--reusable-ref", "OWNER/NAME"}},
		{"ref bad ref", []string{"renovate", "--repo", "acme/app", "--reusable-ref", "o/r@refs/pull/1"}, []string{"--reusable-ref", "refs/heads/NAME"}},
		{"reusable-ref on policy", []string{"policy", "--repo", "acme/app", "--reusable-ref", "o/r@v1"}, []string{"only applies to init renovate"}},
		{"branch as ref", []string{"renovate", "--repo", "acme/app", "--default-branch", "refs/heads/main"}, []string{"--default-branch", "without refs/heads/"}},
		{"branch with space", []string{"policy", "--repo", "acme/app", "--default-branch", "my branch"}, []string{"--default-branch"}},
		{"unknown flag", []string{"renovate", "--repository", "acme/app"}, []string{"unknown flag --repository; did you mean --repo?"}},
		{"dir missing", []string{"renovate", "--repo", "acme/app", "--dir", filepath.Join(dir, "nope")}, []string{"--dir", "not a directory"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := c.args
			if !strings.Contains(strings.Join(args, " "), "--dir") {
				args = append(args, "--dir", dir)
			}
			code, stdout, stderr := runInitCmd(t, nil, args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, ExitUsage, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if stdout != "" {
				t.Errorf("stdout %q on a usage error", stdout)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("usage errors wrote %v", entries)
	}
}

func TestInitHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"renovate", "--help"}} {
		code, stdout, stderr := runInitCmd(t, nil, args...)
		if code != ExitOK || !strings.Contains(stdout, "usage: octo-sts init renovate --repo OWNER/NAME") || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
