package shipping

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// git runs git in dir and returns its trimmed output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("skip: git is not installed")
	}
}

// releaseRepo makes an "origin" with main (two commits), a side branch and a released tag,
// and a full clone of it, as the release workflow's checkout is.
func releaseRepo(t *testing.T) (clone, mainTip, side string) {
	t.Helper()
	dir := t.TempDir()
	origin := filepath.Join(dir, "origin")
	git(t, dir, "init", "-q", "-b", "main", origin)
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(origin, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a", "1\n")
	git(t, origin, "add", "a")
	git(t, origin, "commit", "-qm", "one")
	git(t, origin, "tag", "v1.0.0")
	write("a", "2\n")
	git(t, origin, "commit", "-qam", "two")
	mainTip = git(t, origin, "rev-parse", "HEAD")
	git(t, origin, "checkout", "-qb", "side")
	write("a", "side\n")
	git(t, origin, "commit", "-qam", "unreviewed")
	side = git(t, origin, "rev-parse", "HEAD")
	git(t, origin, "checkout", "-q", "main")
	clone = filepath.Join(dir, "clone")
	git(t, dir, "clone", "-q", origin, clone)
	return clone, mainTip, side
}

// TestReleaseCheck: the release gate lets through only a dispatch on main, a vX.Y.Z that was
// never released, and a commit reachable from main.
func TestReleaseCheck(t *testing.T) {
	needGit(t)
	clone, mainTip, side := releaseRepo(t)
	script := filepath.Join(repoRoot(t), ".ci", "release-check.sh")
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_GLOBAL=/dev/null"}
	for _, c := range []struct {
		name, ref, version, commit, want string
		ok                               bool
	}{
		{"tip of main", "refs/heads/main", "v1.1.0", "", "release v1.1.0 (major tag v1)", true},
		{"older commit on main", "refs/heads/main", "v1.0.1", "~1", "release v1.0.1", true},
		{"dispatched on a branch", "refs/heads/side", "v1.1.0", "", "releases run only from main", false},
		{"dispatched on a tag", "refs/tags/v1.1.0", "v1.1.0", "", "releases run only from main", false},
		{"commit not on main", "refs/heads/main", "v1.1.0", side, "is not reachable from main", false},
		{"abbreviated SHA", "refs/heads/main", "v1.1.0", mainTip[:12], "is not a full 40-character SHA", false},
		{"version exists", "refs/heads/main", "v1.0.0", "", "v1.0.0 already exists", false},
		{"major tag as version", "refs/heads/main", "v1", "", "is not vMAJOR.MINOR.PATCH", false},
		{"leading zero", "refs/heads/main", "v1.01.0", "", "is not vMAJOR.MINOR.PATCH", false},
		{"version smuggling a workflow command", "refs/heads/main", "v1.1.0\n::add-mask::x", "", "'v1.1.0%0A::add-mask::x' is not vMAJOR.MINOR.PATCH", false},
		{"ref smuggling a workflow command", "refs/heads/x\r\n::warning::x", "v1.1.0", "", "on 'refs/heads/x%0D%0A::warning::x'", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			commit := c.commit
			if commit == "~1" {
				commit = git(t, clone, "rev-parse", "HEAD~1")
			}
			out := filepath.Join(t.TempDir(), "output")
			env := append(base, "REF="+c.ref, "VERSION="+c.version, "COMMIT="+commit, "MAIN_SHA="+mainTip, "GITHUB_OUTPUT="+out)
			code, log := runIn(t, clone, env, "bash", script)
			if (code == 0) != c.ok || !strings.Contains(log, c.want) {
				t.Fatalf("exit %d, want ok=%v and %q in:\n%s", code, c.ok, c.want, log)
			}
			for _, l := range strings.Split(log, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "::") && !strings.HasPrefix(l, "::error title=release refused::") {
					t.Errorf("an input started a workflow command of its own: %q", l)
				}
			}
			if c.ok {
				b, _ := os.ReadFile(out)
				if !strings.Contains(string(b), "major=v1\n") || !strings.Contains(string(b), "version="+c.version+"\n") {
					t.Errorf("GITHUB_OUTPUT = %q", b)
				}
			}
		})
	}
}

// TestReleaseCommits runs the release-commit script on a clone of this repository and checks
// the pinning chain: tag → commit 2 (reusable workflows pin commit 1) → commit 1 (action.yml
// runs the image by digest, portable/ carries the checksums) → the released commit.
func TestReleaseCommits(t *testing.T) {
	needGit(t)
	root := repoRoot(t)
	clone := filepath.Join(t.TempDir(), "src")
	git(t, filepath.Dir(clone), "clone", "-q", root, clone)
	base := git(t, clone, "rev-parse", "HEAD")
	digest := "ghcr.io/octo-sts/action@sha256:" + strings.Repeat("ab", 32)
	sums := filepath.Join(t.TempDir(), "checksums.txt")
	body := strings.Repeat("0", 64) + "  octo-sts-linux-amd64\n" + strings.Repeat("1", 64) + "  octo-sts-windows-arm64.exe\n"
	if err := os.WriteFile(sums, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_GLOBAL=/dev/null", "VERSION=v1.2.3"}
	code, log := runIn(t, clone, env, "bash", filepath.Join(root, ".ci", "release-commits.sh"), digest, sums)
	if code != 0 {
		t.Fatalf("release-commits.sh exited %d:\n%s", code, log)
	}
	second := git(t, clone, "rev-parse", "HEAD")
	if !strings.Contains(log, "sha="+second) {
		t.Errorf("the script does not report the tagged commit %s:\n%s", second, log)
	}
	first := git(t, clone, "rev-parse", "HEAD~1")
	if git(t, clone, "rev-parse", "HEAD~2") != base {
		t.Fatal("the release commits are not two commits on top of the released one")
	}
	if got := git(t, clone, "show", first+":action.yml"); !strings.Contains(got, "\n  image: docker://"+digest+"\n") {
		t.Errorf("commit 1's action.yml does not run %s:\n%s", digest, got)
	}
	if got := git(t, clone, "show", first+":portable/checksums.txt"); got != strings.TrimSpace(body) {
		t.Errorf("portable/checksums.txt = %q", got)
	}
	if got := git(t, clone, "show", first+":portable/VERSION"); got != "v1.2.3" {
		t.Errorf("portable/VERSION = %q", got)
	}
	if files := git(t, clone, "diff", "--name-only", first, second); !strings.Contains(files, ".github/workflows/renovate.yaml") {
		t.Errorf("commit 2 changes %q, want the reusable workflows", files)
	}
	pins := 0
	for _, f := range strings.Fields(git(t, clone, "ls-tree", "--name-only", second, ".github/workflows/")) {
		for _, l := range strings.Split(git(t, clone, "show", second+":"+f), "\n") {
			m := usesLine.FindStringSubmatch(l)
			if m == nil || !ownRef.MatchString(strings.TrimSpace(m[1])) || strings.Contains(m[1], "/.github/workflows/") {
				continue
			}
			pins++
			if want := "@" + first + " # v1.2.3"; !strings.HasSuffix(m[1], want) {
				t.Errorf("%s at the release: %q, want it to end in %q", f, l, want)
			}
		}
	}
	if pins < 3 {
		t.Errorf("found %d inner octo-sts/action uses in the released reusable workflows, want at least 3", pins)
	}
}

// runIn is run with a working directory.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// TestReleasePolicyLintsClean: the trust policy that grants the release its push token passes
// our own linter with no error or warning, workflow cross-check included.
func TestReleasePolicyLintsClean(t *testing.T) {
	root := repoRoot(t)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	code, out := runIn(t, root, env, binary(t), "lint", "--repository", "octo-sts/action", "--fail-on", "warning", ".github/chainguard/release.sts.yaml")
	if code != 0 {
		t.Fatalf("octo-sts lint exited %d:\n%s", code, out)
	}
}
