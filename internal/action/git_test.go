package action

import (
	"encoding/base64"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitServer serves bare repositories under root over smart HTTP (git http-backend through CGI)
// on loopback, and only to requests carrying the basic credential for token.
func gitServer(t *testing.T, root, token string) *httptest.Server {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skipf("git not available: %v", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skipf("git-http-backend not available: %v", err)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+token))
	h := &cgi.Handler{Path: backend, Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Authorization"), want) {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "credential required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// git runs git with exactly env (plus a private HOME and no system config or prompts).
func git(t *testing.T, dir string, env map[string]string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustGit(t *testing.T, dir string, env map[string]string, args ...string) {
	t.Helper()
	if out, err := git(t, dir, env, args...); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// gitEnv is what later steps see: the job's GIT_CONFIG_* plus everything written to GITHUB_ENV,
// later entries winning, as the runner applies them.
func gitEnv(h *harness, base map[string]string) map[string]string {
	env := map[string]string{}
	for k, v := range base {
		env[k] = v
	}
	for _, e := range parseFileCommands(h.t, h.file("env")) {
		env[e.name] = e.value
	}
	return env
}

func TestConfigureGitWithRealGit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srvRoot := t.TempDir()
	mustGit(t, srvRoot, nil, "init", "--bare", "-b", "main", "repo.git")
	mustGit(t, filepath.Join(srvRoot, "repo.git"), nil, "config", "http.receivepack", "true")
	seed := t.TempDir()
	mustGit(t, seed, nil, "init", "-b", "main")
	mustGit(t, seed, nil, "commit", "--allow-empty", "-m", "seed")
	mustGit(t, seed, nil, "push", filepath.Join(srvRoot, "repo.git"), "main")

	srv := gitServer(t, srvRoot, h.sts.Token)
	remote := srv.URL + "/repo.git"
	// An earlier step's git configuration must survive.
	job := map[string]string{"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.name", "GIT_CONFIG_VALUE_0": "earlier-step"}
	for k, v := range job {
		h.env[k] = v
	}
	h.env["GITHUB_SERVER_URL"] = srv.URL
	h.env["INPUT_CONFIGURE-GIT"] = "true"

	if _, err := git(t, t.TempDir(), job, "clone", remote, "x"); err == nil {
		t.Fatal("the server accepted a clone without the credential; the test proves nothing")
	}
	if code := h.main(); code != 0 {
		t.Fatalf("main exit %d\n%s", code, h.stdout.String())
	}
	env := gitEnv(h, job)
	if env["GIT_CONFIG_COUNT"] != "2" || env["GIT_CONFIG_KEY_0"] != "user.name" || env["GIT_CONFIG_KEY_1"] != "http."+srv.URL+"/.extraheader" {
		t.Fatalf("GIT_CONFIG_* = %v", env)
	}
	cred := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + h.sts.Token))
	if !strings.Contains(h.stdout.String(), "::add-mask::"+cred+"\n") {
		t.Error("the encoded credential is not masked")
	}

	work := t.TempDir()
	mustGit(t, work, env, "clone", remote, "clone")
	clone := filepath.Join(work, "clone")
	mustGit(t, clone, env, "fetch", "origin")
	mustGit(t, clone, env, "commit", "--allow-empty", "-m", "from the job")
	mustGit(t, clone, env, "push", "origin", "main")
	if out, _ := git(t, clone, env, "config", "user.name"); strings.TrimSpace(out) != "earlier-step" {
		t.Errorf("earlier GIT_CONFIG entry lost: user.name = %q", out)
	}
	cfg, err := os.ReadFile(filepath.Join(clone, ".git", "config"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cfg), cred) || strings.Contains(string(cfg), h.sts.Token) {
		t.Error("the credential was written to .git/config")
	}

	if code := h.post(); code != 0 {
		t.Fatalf("post exit %d", code)
	}
	after := gitEnv(h, job)
	for k, v := range after {
		if strings.Contains(v, cred) || strings.Contains(v, h.sts.Token) {
			t.Errorf("after the post step %s still carries the credential", k)
		}
	}
	if out, err := git(t, clone, after, "fetch", "origin"); err == nil {
		t.Errorf("fetch still authenticated after the post step:\n%s", out)
	}
	if out, _ := git(t, clone, after, "config", "user.name"); strings.TrimSpace(out) != "earlier-step" {
		t.Errorf("post step broke the earlier GIT_CONFIG entry: user.name = %q", out)
	}
	if r := h.api.Revoked(); len(r) != 1 {
		t.Errorf("revoked %v", r)
	}
}

func TestGitServerURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "https://github.com/", "https://github.com": "https://github.com/", "https://ghes.example.com/": "https://ghes.example.com/",
		"https://ghes.example.com:8443/some/path?q": "https://ghes.example.com:8443/",
	} {
		if got, err := gitServerURL(in); err != nil || got != want {
			t.Errorf("gitServerURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"ftp://x", "https://user:pw@github.com", "github.com", "https://"} {
		if _, err := gitServerURL(bad); err == nil {
			t.Errorf("gitServerURL(%q) accepted", bad)
		}
	}
}

func TestConfigureGitRefusesBrokenCount(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.env["INPUT_CONFIGURE-GIT"] = "true"
	h.env["GIT_CONFIG_COUNT"] = "lots"
	if code := h.main(); code == 0 {
		t.Fatal("accepted a broken GIT_CONFIG_COUNT")
	}
	if !strings.Contains(strings.Join(errorsOf(h.stdout.String()), "\n"), "GIT_CONFIG_COUNT") {
		t.Errorf("error does not name GIT_CONFIG_COUNT:\n%s", h.stdout.String())
	}
	// The token was minted before git was configured: the failed step's post step still revokes it.
	if code := h.post(); code != 0 {
		t.Fatalf("post exit %d", code)
	}
	if r := h.api.Revoked(); len(r) != 1 || r[0] != h.sts.Token {
		t.Errorf("revoked %v; the token minted before the failure stays live", r)
	}
	h.assertNoLeaks("")
}

// TestConfigureGitCredentialOnlyInItsSlot: the basic credential is as good as the token, so it
// may appear only in its ::add-mask:: line and its GIT_CONFIG_VALUE entry, never in the log, the
// summary, outputs or state, in the main or the post step.
func TestConfigureGitCredentialOnlyInItsSlot(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.env["INPUT_CONFIGURE-GIT"] = "true"
	h.env["INPUT_EXPORT-ENV"] = "GH_TOKEN"
	if code := h.main(); code != 0 {
		t.Fatalf("main exit %d\n%s", code, h.stdout.String())
	}
	if code := h.post(); code != 0 {
		t.Fatalf("post exit %d", code)
	}
	h.assertNoLeaks("GH_TOKEN")
	_, cred := gitAuthHeader(h.sts.Token)
	for _, line := range strings.Split(h.stdout.String()+h.stderr.String()+h.file("summary"), "\n") {
		if strings.Contains(line, cred) && line != "::add-mask::"+cred {
			t.Errorf("the git credential leaks in line %q", line)
		}
	}
	for _, file := range []string{"output", "state"} {
		if strings.Contains(h.file(file), cred) {
			t.Errorf("the git credential is in the %s file", file)
		}
	}
	for _, e := range parseFileCommands(t, h.file("env")) {
		if strings.Contains(e.value, cred) && (e.name != "GIT_CONFIG_VALUE_0" || e.value != "AUTHORIZATION: basic "+cred) {
			t.Errorf("env entry %s carries the git credential", e.name)
		}
	}
}
