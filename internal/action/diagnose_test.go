package action

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/octo-sts/action/internal/sts/ststest"
)

// contentsAPI fakes GET /repos/{owner}/{repo}/contents/{path} on 127.0.0.1: files maps
// "owner/repo/path" to content; status forces an error answer.
type contentsAPI struct {
	*httptest.Server
	mu     sync.Mutex
	files  map[string]string
	status int
	auth   []string
	paths  []string
}

func newContentsAPI(t *testing.T, files map[string]string) *contentsAPI {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &contentsAPI{files: files}
	c.Server = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(c.serve)}}
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func (c *contentsAPI) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.auth = append(c.auth, r.Header.Get("Authorization"))
	c.paths = append(c.paths, r.URL.Path)
	status := c.status
	content, ok := c.files[strings.TrimPrefix(strings.Replace(r.URL.Path, "/contents/", "/", 1), "/repos/")]
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case status != 0:
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"message": http.StatusText(status)})
	case r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/repos/") || !ok:
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"message": "Not Found"})
	default:
		json.NewEncoder(w).Encode(map[string]any{
			"type": "file", "encoding": "base64", "name": filepath.Base(r.URL.Path), "path": r.URL.Path,
			"content": base64.StdEncoding.EncodeToString([]byte(content)),
		})
	}
}

// diagnoseHarness wires the real hooks (other tests replace and reset them) and points their
// environment at the harness.
func diagnoseHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.env["GITHUB_REPOSITORY"] = "octo-org/app"
	prevD, prevE, prevEnv := Diagnose, DebugEvaluate, diagnoseGetenv
	Diagnose, DebugEvaluate = diagnose, debugEvaluate
	diagnoseGetenv = func(k string) string { return h.env[k] }
	t.Cleanup(func() { Diagnose, DebugEvaluate, diagnoseGetenv = prevD, prevE, prevEnv })
	return h
}

func writePolicy(t *testing.T, root, identity, body string) {
	t.Helper()
	p := filepath.Join(root, ".github", "chainguard", identity+".sts.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const releasePolicy = "issuer: https://token.actions.githubusercontent.com\nsubject: repo:octo-org/app:ref:refs/heads/release\npermissions:\n  contents: read\n"

func wantAll(t *testing.T, where, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", where, w, got)
		}
	}
}

func TestHooksInstalledByInit(t *testing.T) {
	// Tests that replace the hooks restore the previous value, so init's assignment is visible here.
	if Diagnose == nil || DebugEvaluate == nil {
		t.Fatal("init did not install both hooks")
	}
}

// A 403 with the policy in the workspace: the summary shows the table, the reported row and the
// server's exact message, and no secret.
func TestDiagnose403FromWorkspace(t *testing.T) {
	h := diagnoseHarness(t)
	writePolicy(t, h.dir, "deploy", releasePolicy)
	h.sts.Script(ststest.Deny)
	if code := h.main(); code != exitFailure {
		t.Fatalf("exit %d", code)
	}
	summary := h.file("summary")
	wantAll(t, "summary", summary,
		"#### Diagnosis",
		"from the workspace checkout",
		"**❌ Verdict: deny** (HTTP 403)",
		"`subject` **← reported**",
		"`repo:octo-org/app:ref:refs/heads/release`",
		`trust policy: subject "repo:octo-org/app:ref:refs/heads/main" did not match "repo:octo-org/app:ref:refs/heads/release"`,
		"The local evaluation reproduces the server's answer exactly.",
	)
	wantAll(t, "log", h.stdout.String(), "::group::Diagnosis", "**❌ Verdict: deny** (HTTP 403)")
	h.assertNoLeaks("")
	if strings.Contains(summary, "ghp_workflowtoken123456") {
		t.Fatal("github-token in the summary")
	}
}

// A 404 for another repository: the policy is fetched through the contents API with the
// github-token, found invalid, and the 404 explained.
func TestDiagnose404InvalidPolicyViaAPI(t *testing.T) {
	h := diagnoseHarness(t)
	api := newContentsAPI(t, map[string]string{
		"octo-org/policies/.github/chainguard/deploy.sts.yaml": releasePolicy + "repositories: [app]\n",
	})
	h.env["GITHUB_API_URL"] = api.URL
	h.env["INPUT_SCOPE"] = "octo-org/policies" // the fake STS only knows octo-org/app: 404
	if code := h.main(); code != exitFailure {
		t.Fatalf("exit %d\n%s", code, h.stdout.String())
	}
	summary := h.file("summary")
	wantAll(t, "summary", summary,
		"from `octo-org/policies` (default branch, via the GitHub API)",
		"**❌ Verdict: invalid policy** (HTTP 404)",
		"`unable to parse trust policy found for \"deploy\"`",
		"repositories",
		"This is why the server answered 404",
	)
	if len(api.auth) != 1 || api.auth[0] != "Bearer ghp_workflowtoken123456" {
		t.Errorf("contents API auth %q", api.auth)
	}
	if api.paths[0] != "/repos/octo-org/policies/contents/.github/chainguard/deploy.sts.yaml" {
		t.Errorf("path %q", api.paths[0])
	}
	h.assertNoLeaks("")
}

// An org scope reads <owner>/.github and parses an org policy (repositories allowed).
func TestDiagnoseOrgScope(t *testing.T) {
	h := diagnoseHarness(t)
	api := newContentsAPI(t, map[string]string{
		"octo-org/.github/.github/chainguard/deploy.sts.yaml": releasePolicy + "repositories: [app]\n",
	})
	h.env["GITHUB_API_URL"] = api.URL + "/"
	h.env["INPUT_SCOPE"] = "octo-org"
	h.main()
	wantAll(t, "summary", h.file("summary"), "(org policy, identity `deploy`)", "**❌ Verdict: deny** (HTTP 403)", "The policy parses and compiles, so the 404 has another cause", "not installed on `octo-org`")
	h.assertNoLeaks("")
}

func TestDiagnoseCannotReadPolicy(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		token  string
		want   []string
	}{
		{"missing", 0, "ghp_workflowtoken123456", []string{"There is no `.github/chainguard/deploy.sts.yaml` on the default branch of `octo-org/policies`", "unable to find trust policy for \"deploy\"", "not installed on `octo-org`"}},
		{"forbidden", http.StatusForbidden, "ghp_workflowtoken123456", []string{"may not read `octo-org/policies` (HTTP 403)", "contents: read"}},
		{"no token", 0, "", []string{"no `github-token` was given"}},
		{"no API URL", 0, "ghp_workflowtoken123456", []string{"GITHUB_API_URL is not set"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := diagnoseHarness(t)
			api := newContentsAPI(t, map[string]string{})
			api.status = c.status
			h.env["GITHUB_API_URL"] = api.URL
			if c.name == "no API URL" {
				delete(h.env, "GITHUB_API_URL")
			}
			h.env["INPUT_SCOPE"] = "octo-org/policies"
			h.env["INPUT_GITHUB-TOKEN"] = c.token
			h.main()
			wantAll(t, "summary", h.file("summary"), c.want...)
			if (c.token == "" || c.name == "no API URL") && len(api.paths) != 0 {
				t.Error("called the API without a token")
			}
			h.assertNoLeaks("")
		})
	}
}

// debug: true evaluates the workspace policy and exchanges nothing.
func TestDebugEvaluatesWithoutExchange(t *testing.T) {
	h := diagnoseHarness(t)
	writePolicy(t, h.dir, "deploy", "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:octo-org/app:ref:refs/heads/.*\n")
	h.env["INPUT_DEBUG"] = "true"
	if code := h.main(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, h.stdout.String())
	}
	if h.sts.Requests() != 0 {
		t.Fatal("debug mode exchanged")
	}
	wantAll(t, "log", h.stdout.String(), "::group::Policy evaluation", "**✅ Verdict: allow**")
	wantAll(t, "summary", h.file("summary"), "**✅ Verdict: allow**", "`audience`", "Signature: not checked locally")
	if strings.Contains(h.file("summary"), "reproduces the server") {
		t.Error("debug output compares with a server answer that does not exist")
	}
	h.assertNoLeaks("")
}

func TestExplainDirect(t *testing.T) {
	claims := ststest.GitHubClaims()
	claims["aud"] = "octo-sts.dev"
	in := DiagnoseInput{Claims: claims, Scope: "octo-org/app", Identity: "deploy", Domain: "octo-sts.dev", Workspace: t.TempDir()}
	prev := diagnoseGetenv
	diagnoseGetenv = func(string) string { return "" }
	t.Cleanup(func() { diagnoseGetenv = prev })

	writePolicy(t, in.Workspace, "deploy", "issuer: https://token.actions.githubusercontent.com\nsubject: repo:octo-org/app:ref:refs/heads/main\nclaim_pattern:\n  event_name: pull_request\n")
	in.Status, in.Message = 403, `trust policy: claim "event_name" did not match "^pull_request$"`
	wantAll(t, "claim mismatch", diagnose(context.Background(), in), "reproduces the server's answer exactly", "claim_pattern[event_name]")

	in.Message = `trust policy: expected claim "other" not found in token`
	wantAll(t, "other claim", diagnose(context.Background(), in), "the server may name a different one")

	writePolicy(t, in.Workspace, "deploy", "issuer: https://token.actions.githubusercontent.com\nsubject: repo:octo-org/app:ref:refs/heads/main\n")
	wantAll(t, "allowed locally", diagnose(context.Background(), in), "Locally this policy allows the token", "default branch")

	for _, bad := range []DiagnoseInput{{Claims: claims, Scope: "a/b/c", Identity: "deploy"}, {Claims: claims, Scope: "octo-org/app", Identity: "../x"}} {
		if md := diagnose(context.Background(), bad); !strings.Contains(md, "not") {
			t.Errorf("%+v: %s", bad, md)
		}
	}
	bad := DiagnoseInput{Claims: map[string]any{"sub": 5}, Scope: "octo-org/app", Identity: "deploy"}
	wantAll(t, "undecodable", diagnose(context.Background(), bad), "cannot decode")
}

func TestScopeRepo(t *testing.T) {
	for scope, want := range map[string]string{"acme/widgets": "acme/widgets", "acme": "acme/.github", "acme/.github": "acme/.github"} {
		o, r, ok := scopeRepo(scope, "")
		if !ok || o+"/"+r != want {
			t.Errorf("scopeRepo(%q) = %s/%s %v", scope, o, r, ok)
		}
	}
	if _, _, ok := scopeRepo("a/b/c", ""); ok {
		t.Error("a/b/c accepted")
	}
}

// TestServerCause: allowlist and mint failures point at trusted-token-issuers.yaml or the App's
// permissions, in the org policy repository the server is configured with.
func TestServerCause(t *testing.T) {
	for _, c := range []struct {
		status     int
		msg, want  string
		irrelevant bool
	}{
		{403, "issuer not permitted by organization policy", "`octo-org/policies/.github/chainguard/trusted-token-issuers.yaml`", true},
		{400, "organization trusted-issuer configuration is invalid", "trusted-issuer allowlist is invalid", true},
		{403, "token exchange failure (StatusUnprocessableEntity)", "permissions the Octo STS App was granted", false},
		{403, `trust policy: subject "a" did not match "b"`, "", false},
	} {
		got, irrelevant := serverCause(DiagnoseInput{Scope: "octo-org/app", Identity: "deploy", Status: c.status, Message: c.msg, OrgPolicyRepo: "policies"}, "https://issuer.example")
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) || irrelevant != c.irrelevant {
			t.Errorf("%d %q: got %q (irrelevant %v)", c.status, c.msg, got, irrelevant)
		}
	}
}
