package scaffold

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
)

func TestValidateRepo(t *testing.T) {
	good := []string{"acme/app", "a/b", "Acme-Corp/my.app_2", "x1/.github", strings.Repeat("a", 39) + "/" + strings.Repeat("b", 100)}
	for _, r := range good {
		if err := ValidateRepo("--repo", r); err != nil {
			t.Errorf("%q: %v", r, err)
		}
	}
	bad := map[string]string{
		"":                                 "--repo is required",
		"acme":                             "OWNER/NAME",
		"acme/app/x":                       "OWNER/NAME",
		"-acme/app":                        "owner",
		"acme-/app":                        "owner",
		"ac--me/app":                       "owner",
		"ac_me/app":                        "owner",
		strings.Repeat("a", 40) + "/app":   "owner",
		"acme/":                            "name",
		"acme/..":                          "name",
		"acme/a b":                         "name",
		"acme/app.git":                     ".git suffix",
		"acme/" + strings.Repeat("b", 101): "name",
		"acme/ap$p":                        "name",
	}
	for r, want := range bad {
		err := ValidateRepo("--repo", r)
		if err == nil || !strings.Contains(err.Error(), "--repo") || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error naming --repo and %q", r, err, want)
		}
	}
}

func TestValidateIdentity(t *testing.T) {
	for _, id := range []string{"renovate", "deploy-prod", "a.b_c", "X9"} {
		if err := ValidateIdentity("--identity", id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	for _, id := range []string{"", "../x", "a/b", `a\b`, "a b", ".hidden", "-x", "x.sts.yaml", "x.sts.yml", "trusted-token-issuers", "a..b", strings.Repeat("a", 101)} {
		if err := ValidateIdentity("--identity", id); err == nil || !strings.Contains(err.Error(), "--identity") {
			t.Errorf("%q: got %v, want an error naming --identity", id, err)
		}
	}
}

func TestValidateBranch(t *testing.T) {
	for _, b := range []string{"main", "release/1.x", "dev-2"} {
		if err := ValidateBranch("--default-branch", b); err != nil {
			t.Errorf("%q: %v", b, err)
		}
	}
	for _, b := range []string{"", "refs/heads/main", "a b", "a$b", "a:b", "/a", "a/", "a..b", "a.lock", "a//b"} {
		if err := ValidateBranch("--default-branch", b); err == nil || !strings.Contains(err.Error(), "--default-branch") {
			t.Errorf("%q: got %v, want an error naming --default-branch", b, err)
		}
	}
}

func TestWorkflowRef(t *testing.T) {
	cases := []struct {
		in, uses, pattern string
		match, noMatch    []string
	}{
		{"octo-sts/action@v1", "v1",
			`octo-sts/action/\.github/workflows/renovate\.yaml@refs/(?:heads|tags)/v1`,
			[]string{"octo-sts/action/.github/workflows/renovate.yaml@refs/tags/v1"},
			[]string{"octo-sts/action/.github/workflows/renovate.yaml@refs/tags/v11", "octo-sts/action/.github/workflows/renovate.yaml@v1"}},
		{"o/r@refs/tags/v1.2.3", "v1.2.3", `o/r/\.github/workflows/renovate\.yaml@refs/tags/v1\.2\.3`,
			[]string{"o/r/.github/workflows/renovate.yaml@refs/tags/v1.2.3"},
			[]string{"o/r/.github/workflows/renovate.yaml@refs/tags/v1x2x3"}},
		{"o/r@refs/heads/main", "main", `o/r/\.github/workflows/renovate\.yaml@refs/heads/main`,
			[]string{"o/r/.github/workflows/renovate.yaml@refs/heads/main"},
			[]string{"o/r/.github/workflows/renovate.yaml@refs/tags/main"}},
		{"o/r@0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567",
			`o/r/\.github/workflows/renovate\.yaml@0123456789abcdef0123456789abcdef01234567`,
			[]string{"o/r/.github/workflows/renovate.yaml@0123456789abcdef0123456789abcdef01234567"},
			[]string{"o/r/.github/workflows/renovate.yaml@refs/heads/0123456789abcdef0123456789abcdef01234567"}},
	}
	for _, c := range cases {
		w, err := ParseWorkflowRef("--reusable-ref", c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := w.UsesRef(); got != c.uses {
			t.Errorf("%s: UsesRef = %q, want %q", c.in, got, c.uses)
		}
		p := w.JobWorkflowRefPattern(RenovateWorkflowFile)
		if p != c.pattern {
			t.Errorf("%s: pattern = %q, want %q", c.in, p, c.pattern)
		}
		re := regexp.MustCompile("^" + p + "$")
		for _, m := range c.match {
			if !re.MatchString(m) {
				t.Errorf("%s: %q does not match %q", c.in, p, m)
			}
		}
		for _, m := range c.noMatch {
			if re.MatchString(m) {
				t.Errorf("%s: %q matches %q", c.in, p, m)
			}
		}
	}
	for _, bad := range []string{"o/r", "o/r@", "r@v1", "o/r@refs/pull/1/merge", "o/r@refs/heads/", "o/r@a b", "o/r/x@v1"} {
		if _, err := ParseWorkflowRef("--reusable-ref", bad); err == nil || !strings.Contains(err.Error(), "--reusable-ref") {
			t.Errorf("%q: got %v, want an error naming --reusable-ref", bad, err)
		}
	}
}

// TestGeneratedPoliciesLintClean lints every generated policy with the real linter across a spread
// of valid inputs, not just the golden ones.
func TestGeneratedPoliciesLintClean(t *testing.T) {
	repos := []string{"acme/app", "A-1/x.y_z", "acme/.github-tools"}
	refs := []string{DefaultReusableRef, "o/r@refs/tags/v2.0.0", "o/r@0123456789abcdef0123456789abcdef01234567", "o/r@release/1.x"}
	for _, repo := range repos {
		for _, ref := range refs {
			files, err := Renovate(RenovateOptions{Repo: repo, ReusableRef: ref, DefaultBranch: "release/2.x"})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if !strings.HasPrefix(f.Path, PolicyDir+"/") {
					continue
				}
				if fs := lint.Bytes(f.Path, f.Data, lint.Options{Repository: repo}); len(fs) != 0 {
					t.Errorf("%s %s: %d findings, first: %s [%s]", repo, ref, len(fs), fs[0].Message, fs[0].Rule)
				}
			}
		}
		files, err := Policy(PolicyOptions{Repo: repo, Identity: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if fs := lint.Bytes(files[0].Path, files[0].Data, lint.Options{Repository: repo}); len(fs) != 0 {
			t.Errorf("starter policy for %s: %d findings, first: %s [%s]", repo, len(fs), fs[0].Message, fs[0].Rule)
		}
	}
}

func TestRenovateValidates(t *testing.T) {
	if _, err := Renovate(RenovateOptions{Repo: "acme"}); err == nil || !strings.Contains(err.Error(), "--repo") {
		t.Errorf("bad repo: %v", err)
	}
	if _, err := Renovate(RenovateOptions{Repo: "acme/app", Identity: "a/b"}); err == nil || !strings.Contains(err.Error(), "--identity") {
		t.Errorf("bad identity: %v", err)
	}
	if _, err := Renovate(RenovateOptions{Repo: "acme/app", ReusableRef: "x"}); err == nil || !strings.Contains(err.Error(), "--reusable-ref") {
		t.Errorf("bad ref: %v", err)
	}
	if _, err := Policy(PolicyOptions{Repo: "acme/app", Identity: "ok", DefaultBranch: "a b"}); err == nil || !strings.Contains(err.Error(), "--default-branch") {
		t.Errorf("bad branch: %v", err)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	files := []File{{Path: "a/one.txt", Data: []byte("1")}, {Path: "b/c/two.txt", Data: []byte("2")}}
	if err := Write(dir, files, false); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil || string(got) != string(f.Data) {
			t.Errorf("%s: %q %v", f.Path, got, err)
		}
		info, err := os.Stat(filepath.Join(dir, f.Path))
		if err != nil || info.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v %v, want 0644", f.Path, info.Mode(), err)
		}
	}

	// Without force: every existing file is named and nothing changes.
	changed := []File{{Path: "a/one.txt", Data: []byte("x")}, {Path: "new.txt", Data: []byte("n")}, {Path: "b/c/two.txt", Data: []byte("y")}}
	err := Write(dir, changed, false)
	var ee *ExistsError
	if !errors.As(err, &ee) || strings.Join(ee.Paths, ",") != "a/one.txt,b/c/two.txt" {
		t.Fatalf("got %v, want ExistsError for both existing files", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.txt")); !os.IsNotExist(err) {
		t.Error("new.txt was written although other targets existed")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a/one.txt")); string(got) != "1" {
		t.Errorf("a/one.txt changed to %q", got)
	}

	// With force: all replaced.
	if err := Write(dir, changed, true); err != nil {
		t.Fatal(err)
	}
	for _, f := range changed {
		if got, _ := os.ReadFile(filepath.Join(dir, f.Path)); string(got) != string(f.Data) {
			t.Errorf("%s = %q after --force", f.Path, got)
		}
	}

	// A directory in the way is an error, not an overwrite, even with force.
	if err := os.MkdirAll(filepath.Join(dir, "d.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, []File{{Path: "d.txt", Data: []byte("z")}}, true); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory target: %v", err)
	}
}

// TestWriteAllOrNothing makes the second file impossible to create and checks that the first one
// was not left behind.
func TestWriteAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	// "blocked" is a file, so "blocked/x.txt" cannot be created.
	if err := os.WriteFile(filepath.Join(dir, "blocked"), []byte("file"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, []File{{Path: "ok/first.txt", Data: []byte("1")}, {Path: "blocked/x.txt", Data: []byte("2")}}, false)
	if err == nil {
		t.Fatal("want an error")
	}
	if _, err := os.Stat(filepath.Join(dir, "ok", "first.txt")); !os.IsNotExist(err) {
		t.Errorf("first.txt was left behind: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "ok"))
	if len(entries) != 0 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
