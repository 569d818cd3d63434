package action

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const (
	lintToken  = "ghs_linttokenfake000000000000000001"
	badPolicy  = "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  pull-requests: write\n"
	broadPol   = "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:acme/.*\npermissions:\n  contents: read\n"
	okPolicy   = "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  contents: read\n"
	orgPolicy  = "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  issues: write\nrepositories:\n  - app\n"
	lintPRPath = "/repos/acme/app/pulls/7/files"
)

// lintRig runs the action in lint mode over a temp workspace, the way the runner would.
type lintRig struct {
	t      *testing.T
	dir    string // holds the workspace and the file-command files
	ws     string
	env    map[string]string
	client *http.Client
	stdout bytes.Buffer
}

func newLintRig(t *testing.T) *lintRig {
	t.Helper()
	dir := t.TempDir()
	ws := filepath.Join(dir, "workspace")
	r := &lintRig{t: t, dir: dir, ws: ws, client: http.DefaultClient}
	r.env = map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STATE":        filepath.Join(dir, "state"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
		"GITHUB_WORKSPACE":    ws,
		"GITHUB_REPOSITORY":   "acme/app",
		"GITHUB_EVENT_NAME":   "push",
		"INPUT_MODE":          "lint",
		"INPUT_PATH":          ".github/chainguard",
		"INPUT_FAIL-ON":       "error",
		"INPUT_GITHUB-TOKEN":  lintToken,
		"INPUT_SARIF-FILE":    "",
	}
	r.write(".github/chainguard/bad.sts.yaml", badPolicy)
	r.write(".github/chainguard/broad.sts.yaml", broadPol)
	r.write(".github/chainguard/ok.sts.yaml", okPolicy)
	r.write(".github/chainguard/other-bad.sts.yaml", badPolicy)
	r.write("testdata/fixture.sts.yaml", badPolicy)
	return r
}

func (r *lintRig) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.ws, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// pullRequest makes the run a pull_request event for PR #7 served by api.
func (r *lintRig) pullRequest(api *fakeFilesAPI) {
	ev := filepath.Join(r.dir, "event.json")
	if err := os.WriteFile(ev, []byte(`{"action":"synchronize","number":7,"pull_request":{"number":7}}`), 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.env["GITHUB_EVENT_NAME"] = "pull_request"
	r.env["GITHUB_EVENT_PATH"] = ev
	r.env["GITHUB_API_URL"] = api.srv.URL
	r.client = api.srv.Client()
}

func (r *lintRig) run() int {
	r.stdout.Reset()
	return Run(context.Background(), Options{Stdout: &r.stdout, Getenv: func(k string) string { return r.env[k] }, HTTPClient: r.client})
}

func (r *lintRig) file(name string) string {
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil && !os.IsNotExist(err) {
		r.t.Fatal(err)
	}
	return string(b)
}

// output returns the value of a step output from the GITHUB_OUTPUT file.
func (r *lintRig) output(name string) (string, bool) {
	head := name + "<<" + fileDelimiter + "\n"
	s := r.file("output")
	i := strings.LastIndex(s, head)
	if i < 0 {
		return "", false
	}
	v, _, _ := strings.Cut(s[i+len(head):], "\n"+fileDelimiter)
	return v, true
}

// annotated lists "kind file" for each ::error/::warning/::notice annotation with a file.
func (r *lintRig) annotated() []string {
	var out []string
	for _, l := range strings.Split(r.stdout.String(), "\n") {
		kind, rest, ok := strings.Cut(strings.TrimPrefix(l, "::"), " ")
		if !strings.HasPrefix(l, "::") || !ok || !slices.Contains([]string{"error", "warning", "notice"}, kind) {
			continue
		}
		props, _, _ := strings.Cut(rest, "::")
		for _, p := range strings.Split(props, ",") {
			if f, ok := strings.CutPrefix(p, "file="); ok {
				out = append(out, kind+" "+f)
			}
		}
	}
	return out
}

func (r *lintRig) assertNoTokenLeak() {
	r.t.Helper()
	for name, s := range map[string]string{"stdout": r.stdout.String(), "output": r.file("output"), "summary": r.file("summary"), "state": r.file("state")} {
		if strings.Contains(s, lintToken) {
			r.t.Errorf("github-token leaked into %s", name)
		}
	}
}

// fakeFilesAPI serves GET /repos/acme/app/pulls/7/files in pages with Link headers, the way
// api.github.com paginates, and records what it was asked.
type fakeFilesAPI struct {
	srv    *httptest.Server
	pages  [][]map[string]string
	status int // non-zero: fail every request with this status
	mu     sync.Mutex
	asked  []string // "page=N per_page=M auth=..." per request
}

func newFakeFilesAPI(t *testing.T, pages ...[]map[string]string) *fakeFilesAPI {
	t.Helper()
	api := &fakeFilesAPI{pages: pages}
	api.srv = httptest.NewServer(http.HandlerFunc(api.serve)) // binds 127.0.0.1
	t.Cleanup(api.srv.Close)
	return api
}

func (a *fakeFilesAPI) serve(w http.ResponseWriter, req *http.Request) {
	page := 1
	if p := req.URL.Query().Get("page"); p != "" {
		page, _ = strconv.Atoi(p)
	}
	a.mu.Lock()
	a.asked = append(a.asked, fmt.Sprintf("%s %s page=%d per_page=%s auth=%s", req.Method, req.URL.Path, page, req.URL.Query().Get("per_page"), req.Header.Get("Authorization")))
	a.mu.Unlock()
	if a.status != 0 {
		// Echo the credential back, as a misbehaving proxy might: it must not reach the log.
		http.Error(w, `{"message":"Bad credentials `+req.Header.Get("Authorization")+`"}`, a.status)
		return
	}
	if req.URL.Path != lintPRPath || page < 1 || page > len(a.pages) {
		http.NotFound(w, req)
		return
	}
	link := func(n int, rel string) string {
		return fmt.Sprintf(`<%s%s?page=%d&per_page=100>; rel="%s"`, a.srv.URL, lintPRPath, n, rel)
	}
	var links []string
	if page < len(a.pages) {
		links = append(links, link(page+1, "next"), link(len(a.pages), "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(a.pages[page-1])
}

func (a *fakeFilesAPI) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.asked)
}

func file(name, status string) map[string]string {
	return map[string]string{"filename": name, "status": status}
}

// prPages is a three-page file list: 100 files on page one (as per_page=100 asks), with policy
// files spread over every page, a removed one, one outside the path input, and one the
// workspace lacks.
func prPages() [][]map[string]string {
	var p1 []map[string]string
	for i := range 98 {
		p1 = append(p1, file(fmt.Sprintf("src/f%03d.go", i), "modified"))
	}
	p1 = append(p1, file(".github/chainguard/bad.sts.yaml", "modified"), file(".github/chainguard/gone.sts.yaml", "removed"))
	p2 := []map[string]string{file("testdata/fixture.sts.yaml", "added"), file("README.md", "modified"), file(".github/chainguard/broad.sts.yaml", "added")}
	p3 := []map[string]string{file(".github/chainguard/not-checked-out.sts.yaml", "renamed")}
	return [][]map[string]string{p1, p2, p3}
}

func TestLintPullRequestLintsOnlyChangedPolicyFiles(t *testing.T) {
	r := newLintRig(t)
	api := newFakeFilesAPI(t, prPages()...)
	r.pullRequest(api)

	if code := r.run(); code != exitFailure {
		t.Fatalf("exit %d, want 1 (bad.sts.yaml has an error)\n%s", code, r.stdout.String())
	}
	want := []string{
		"GET " + lintPRPath + " page=1 per_page=100 auth=Bearer " + lintToken,
		"GET " + lintPRPath + " page=2 per_page=100 auth=Bearer " + lintToken,
		"GET " + lintPRPath + " page=3 per_page=100 auth=Bearer " + lintToken,
	}
	if got := api.requests(); !slices.Equal(got, want) {
		t.Errorf("API requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Changed files on pages 1 and 2 are linted; other-bad.sts.yaml (unchanged), the removed
	// file and the fixture outside `path` are not.
	if got, want := r.annotated(), []string{"error .github/chainguard/bad.sts.yaml", "warning .github/chainguard/broad.sts.yaml"}; !slices.Equal(got, want) {
		t.Errorf("annotations = %q, want %q\n%s", got, want, r.stdout.String())
	}
	out := r.stdout.String()
	if !strings.Contains(out, "::warning::octo-sts lint: .github/chainguard/not-checked-out.sts.yaml changed in pull request #7 but is not in the workspace") {
		t.Errorf("no warning for the changed file missing from the workspace:\n%s", out)
	}
	if !strings.Contains(out, "in 2 linted files (the policy files changed in pull request #7)") {
		t.Errorf("log does not say what was linted:\n%s", out)
	}
	if v, _ := r.output("findings"); v != "2" {
		t.Errorf("findings output = %q, want 2", v)
	}
	summary := r.file("summary")
	for _, s := range []string{"### ❌ octo-sts lint: 1 error in 1 of 2 files", "Also 1 warning.", "<details open>", "<code>.github/chainguard/bad.sts.yaml</code>", "pull request \\#7"} {
		if !strings.Contains(summary, s) {
			t.Errorf("step summary lacks %q:\n%s", s, summary)
		}
	}
	if strings.Contains(summary, "other-bad") {
		t.Error("the step summary lists a file the pull request did not change")
	}
	r.assertNoTokenLeak()
}

// TestLintPullRequestSkipsSymlinks: a pull request could add a policy-named link to a file outside
// the repository (say /proc/self/environ); the linter must not follow it and quote what it finds,
// and reports the link as an error finding so the pull request cannot merge it.
func TestLintPullRequestSkipsSymlinks(t *testing.T) {
	r := newLintRig(t)
	secretFile := filepath.Join(r.dir, "outside.txt")
	if err := os.WriteFile(secretFile, []byte("SECRET=hunter2: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secretFile, filepath.Join(r.ws, ".github", "chainguard", "link.sts.yaml")); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	api := newFakeFilesAPI(t, []map[string]string{file(".github/chainguard/link.sts.yaml", "added"), file(".github/chainguard/ok.sts.yaml", "modified")})
	r.pullRequest(api)
	if code := r.run(); code != exitFailure {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}
	out := r.stdout.String()
	if strings.Contains(out, "hunter2") || strings.Contains(r.file("summary"), "hunter2") {
		t.Errorf("the linter followed the link and quoted the target:\n%s", out)
	}
	if !strings.Contains(out, ".github/chainguard/link.sts.yaml is a symbolic link; lint does not follow links") {
		t.Errorf("no warning about the link:\n%s", out)
	}
	if v, _ := r.output("findings"); v != "1" {
		t.Errorf("findings = %q, want 1 (the link refused as not-regular-file)", v)
	}
}

func TestLintPullRequestTargetReadsNumberFromPayload(t *testing.T) {
	r := newLintRig(t)
	api := newFakeFilesAPI(t, []map[string]string{file(".github/chainguard/ok.sts.yaml", "modified")})
	r.pullRequest(api)
	r.env["GITHUB_EVENT_NAME"] = "pull_request_target"
	// Only the top-level number: pull_request_target payloads carry both, older fixtures one.
	if err := os.WriteFile(r.env["GITHUB_EVENT_PATH"], []byte(`{"number":7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := r.run(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}
	if len(api.requests()) != 1 || len(r.annotated()) != 0 {
		t.Errorf("requests %q, annotations %q", api.requests(), r.annotated())
	}
	if v, _ := r.output("findings"); v != "0" {
		t.Errorf("findings = %q", v)
	}
}

func TestLintPullRequestWithoutPolicyChanges(t *testing.T) {
	r := newLintRig(t)
	api := newFakeFilesAPI(t, []map[string]string{file("src/main.go", "modified"), file(".github/chainguard/bad.sts.yaml", "removed")})
	r.pullRequest(api)
	if code := r.run(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}
	if len(r.annotated()) != 0 || !strings.Contains(r.stdout.String(), "no policy files under .github/chainguard changed in pull request #7") {
		t.Errorf("stdout:\n%s", r.stdout.String())
	}
	if v, ok := r.output("findings"); !ok || v != "0" {
		t.Errorf("findings output = %q (set: %v), want 0", v, ok)
	}
	if !strings.Contains(r.file("summary"), "No policy files under") {
		t.Errorf("summary = %q", r.file("summary"))
	}
}

// TestLintPullRequestWithoutPolicyChangesShowsPathsLiterally: the summary shows the path input
// as one code span, as written: markdown escapes inside a code span would show as backslashes
// (team\_a), and a backtick in a path would end the span early.
func TestLintPullRequestWithoutPolicyChangesShowsPathsLiterally(t *testing.T) {
	r := newLintRig(t)
	api := newFakeFilesAPI(t, []map[string]string{file("src/main.go", "modified")})
	r.pullRequest(api)
	r.env["INPUT_PATH"] = "team_a/*policies* odd`dir"
	if code := r.run(); code != exitOK {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}
	if want := "No policy files under ``team_a/*policies* odd`dir`` changed in pull request #7."; !strings.Contains(r.file("summary"), want) {
		t.Errorf("summary = %q, want it to hold %q", r.file("summary"), want)
	}
}

// TestLintFallsBackToWholePath: when the changed files cannot be listed the action warns and
// lints everything under `path`, rather than silently passing.
func TestLintFallsBackToWholePath(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(r *lintRig, api *fakeFilesAPI)
		warn  string
	}{
		{"api error", func(r *lintRig, api *fakeFilesAPI) { api.status = http.StatusUnauthorized }, "listing the files of pull request #7"},
		{"empty token", func(r *lintRig, api *fakeFilesAPI) { r.env["INPUT_GITHUB-TOKEN"] = "" }, `input "github-token" is empty`},
		{"no event payload", func(r *lintRig, api *fakeFilesAPI) { r.env["GITHUB_EVENT_PATH"] = "" }, "GITHUB_EVENT_PATH is not set"},
		{"payload without number", func(r *lintRig, api *fakeFilesAPI) {
			_ = os.WriteFile(r.env["GITHUB_EVENT_PATH"], []byte(`{"action":"opened"}`), 0o644)
		}, "has no pull request number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newLintRig(t)
			api := newFakeFilesAPI(t, prPages()...)
			r.pullRequest(api)
			c.setup(r, api)
			if code := r.run(); code != exitFailure {
				t.Fatalf("exit %d\n%s", code, r.stdout.String())
			}
			out := r.stdout.String()
			if !strings.Contains(out, "::warning::octo-sts lint: ") || !strings.Contains(out, c.warn) || !strings.Contains(out, "linting the whole .github/chainguard instead") {
				t.Errorf("no fallback warning containing %q:\n%s", c.warn, out)
			}
			// Errors are annotated first (the runner shows only ~10 per kind).
			want := []string{"error .github/chainguard/bad.sts.yaml", "error .github/chainguard/other-bad.sts.yaml", "warning .github/chainguard/broad.sts.yaml"}
			if got := r.annotated(); !slices.Equal(got, want) {
				t.Errorf("annotations = %q, want %q", got, want)
			}
			r.assertNoTokenLeak()
		})
	}
}

func TestLintPushLintsWholePathWithoutAPI(t *testing.T) {
	r := newLintRig(t)
	api := newFakeFilesAPI(t, prPages()...)
	r.env["GITHUB_API_URL"] = api.srv.URL
	// One per line (blank lines and indentation from a YAML block are fine) or space-separated.
	r.env["INPUT_PATH"] = ".github/chainguard/bad.sts.yaml\n\n  .github/chainguard/ok.sts.yaml testdata\n"
	if code := r.run(); code != exitFailure {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}
	if n := len(api.requests()); n != 0 {
		t.Errorf("a push event called the API %d times", n)
	}
	want := []string{"error .github/chainguard/bad.sts.yaml", "error testdata/fixture.sts.yaml", "warning testdata/fixture.sts.yaml"} // the last: file-not-read
	if got := r.annotated(); !slices.Equal(got, want) {
		t.Errorf("annotations = %q, want %q", got, want)
	}
	if v, _ := r.output("findings"); v != "3" {
		t.Errorf("findings = %q", v)
	}
	// The full list is also in the log, shielded from command injection.
	out := r.stdout.String()
	if !strings.Contains(out, "::group::octo-sts lint: every finding\n::stop-commands::") ||
		!strings.Contains(out, ".github/chainguard/bad.sts.yaml:4:3: error: ") {
		t.Errorf("log lacks the grouped finding list:\n%s", out)
	}
	// The list streams as files are linted; the annotations follow once the block has ended
	// (inside it the runner would not execute them).
	_, tok, _ := strings.Cut(out, "::stop-commands::")
	tok, _, _ = strings.Cut(tok, "\n")
	end := strings.Index(out, "::"+tok+"::\n::endgroup::\n")
	if end < 0 || end > strings.Index(out, "::error ") || !strings.Contains(out, "::endgroup::\n::error ") {
		t.Errorf("annotations are not after the finding list's stop-commands block:\n%s", out)
	}
}

func TestLintFailOn(t *testing.T) {
	for _, c := range []struct {
		failOn string
		file   string
		want   int
	}{
		{"error", ".github/chainguard/broad.sts.yaml", exitOK},
		{"", ".github/chainguard/broad.sts.yaml", exitOK},
		{"warning", ".github/chainguard/broad.sts.yaml", exitFailure},
		{"notice", ".github/chainguard/broad.sts.yaml", exitFailure},
		{"never", ".github/chainguard/bad.sts.yaml", exitOK},
		{"notice", ".github/chainguard/ok.sts.yaml", exitOK},
	} {
		r := newLintRig(t)
		r.env["INPUT_FAIL-ON"] = c.failOn
		r.env["INPUT_PATH"] = c.file
		if code := r.run(); code != c.want {
			t.Errorf("fail-on %q on %s: exit %d, want %d\n%s", c.failOn, c.file, code, c.want, r.stdout.String())
		}
		if _, ok := r.output("findings"); !ok {
			t.Errorf("fail-on %q: findings output not set", c.failOn)
		}
	}
}

func TestLintInvalidInputs(t *testing.T) {
	for _, c := range []struct {
		key, value, want string
	}{
		{"INPUT_FAIL-ON", "warn", `input "fail-on": "warn" is not one of error, warning, notice, never`},
		{"INPUT_PATH", "/etc/passwd", `input "path": "/etc/passwd" is absolute`},
		{"INPUT_PATH", ".github/../../x", `input "path": ".github/../../x" leaves the workspace`},
		{"INPUT_SARIF-FILE", "../out.sarif", `input "sarif-file": "../out.sarif" leaves the workspace`},
		{"INPUT_ORG-POLICY-REPO", "acme/.github", `input "org-policy-repo": "acme/.github" must be a bare repository name`},
		{"INPUT_PATH", "policies", `input "path": policies does not exist in the workspace`},
	} {
		r := newLintRig(t)
		r.env[c.key] = c.value
		if code := r.run(); code != exitUsage {
			t.Errorf("%s=%q: exit %d, want 2", c.key, c.value, code)
		}
		if !strings.Contains(r.stdout.String(), c.want) {
			t.Errorf("%s=%q: no error mentioning %q:\n%s", c.key, c.value, c.want, r.stdout.String())
		}
	}
	// A directory without policy files is a configuration mistake too.
	r := newLintRig(t)
	r.write("empty/README.md", "x")
	r.env["INPUT_PATH"] = "empty"
	if code := r.run(); code != exitUsage || !strings.Contains(r.stdout.String(), "no policy files found under empty") {
		t.Errorf("empty dir: exit %d\n%s", code, r.stdout.String())
	}
}

func TestLintWritesSARIF(t *testing.T) {
	r := newLintRig(t)
	r.env["INPUT_SARIF-FILE"] = "results/octo-sts.sarif"
	if code := r.run(); code != exitFailure {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}
	data, err := os.ReadFile(filepath.Join(r.ws, "results", "octo-sts.sarif"))
	if err != nil {
		t.Fatalf("SARIF not written relative to the workspace: %v", err)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
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
	if err := json.Unmarshal(data, &doc); err != nil || doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("not a SARIF 2.1.0 log (%v):\n%s", err, data)
	}
	var got []string
	for _, res := range doc.Runs[0].Results {
		got = append(got, res.RuleID+" "+res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	}
	want := []string{"unknown-key .github/chainguard/bad.sts.yaml", "broad-pattern .github/chainguard/broad.sts.yaml", "unknown-key .github/chainguard/other-bad.sts.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("SARIF results = %q, want %q (repo-relative URIs)", got, want)
	}
}

// TestLintOutsideActionsFileCommands: without GITHUB_OUTPUT / GITHUB_STEP_SUMMARY (docker run
// by hand) go-githubactions would panic; the mode must still lint, exit normally, and not point
// the overflow notice at a job summary it could not write.
func TestLintOutsideActionsFileCommands(t *testing.T) {
	r := newLintRig(t)
	for _, k := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"} {
		delete(r.env, k)
	}
	for i := range 12 {
		r.write(fmt.Sprintf("many/.github/chainguard/p%02d.sts.yaml", i), badPolicy)
	}
	r.env["INPUT_PATH"] = "many"
	if code := r.run(); code != exitFailure {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}
	out := r.stdout.String()
	if strings.Contains(out, "internal error") || len(r.annotated()) != 10 {
		t.Errorf("stdout:\n%s", out)
	}
	if !strings.Contains(out, "::notice::2 more findings, run `octo-sts lint` for the full list") {
		t.Errorf("overflow notice should not mention a job summary here:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "output")); !os.IsNotExist(err) {
		t.Errorf("an output file appeared without GITHUB_OUTPUT (stat: %v)", err)
	}
}

// TestLintAutoKindUsesRepository: org policies (with `repositories`) are fine in the org policy
// repository and an error anywhere else; the action decides from GITHUB_REPOSITORY.
func TestLintAutoKindUsesRepository(t *testing.T) {
	for _, c := range []struct {
		repo, orgRepo string
		want          int
	}{
		{"acme/.github", "", exitOK},
		{"acme/app", "", exitFailure},
		{"acme/policies", "policies", exitOK},
	} {
		r := newLintRig(t)
		r.write(".github/chainguard/org.sts.yaml", orgPolicy)
		r.env["GITHUB_REPOSITORY"] = c.repo
		r.env["INPUT_ORG-POLICY-REPO"] = c.orgRepo
		r.env["INPUT_PATH"] = ".github/chainguard/org.sts.yaml"
		if code := r.run(); code != c.want {
			t.Errorf("%s (org-policy-repo %q): exit %d, want %d\n%s", c.repo, c.orgRepo, code, c.want, r.stdout.String())
		}
	}
}

func TestLintManyFindingsAreCappedWithSummaryHint(t *testing.T) {
	r := newLintRig(t)
	for i := range 25 {
		r.write(fmt.Sprintf("many/.github/chainguard/p%02d.sts.yaml", i), badPolicy)
	}
	r.env["INPUT_PATH"] = "many"
	if code := r.run(); code != exitFailure {
		t.Fatalf("exit %d", code)
	}
	if n := len(r.annotated()); n != 10 {
		t.Errorf("%d annotations, want the 10 the runner shows", n)
	}
	if !strings.Contains(r.stdout.String(), "::notice::15 more findings, see the job summary") {
		t.Errorf("no overflow notice:\n%s", r.stdout.String())
	}
	if n := strings.Count(r.file("summary"), "#unknown-key)"); n != 25 {
		t.Errorf("step summary lists %d findings, want all 25", n)
	}
	if v, _ := r.output("findings"); v != "25" {
		t.Errorf("findings = %q", v)
	}
}

func TestPullRequestNumber(t *testing.T) {
	dir := t.TempDir()
	for payload, want := range map[string]int{
		`{"number":12,"pull_request":{"number":12}}`: 12,
		`{"pull_request":{"number":5}}`:              5,
		`{"number":9}`:                               9,
		`{"number":0}`:                               0,
		`not json`:                                   0,
	} {
		p := filepath.Join(dir, "ev.json")
		if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := pullRequestNumber(p)
		if got != want || (want == 0) != (err != nil) {
			t.Errorf("%s: got %d, %v; want %d", payload, got, err, want)
		}
	}
	if _, err := pullRequestNumber(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
		t.Errorf("missing payload error = %v", err)
	}
}

func TestUnderAny(t *testing.T) {
	roots := []string{".github/chainguard", "policies/"}
	for p, want := range map[string]bool{
		".github/chainguard/a.sts.yaml":      true,
		".github/chainguard/sub/b.sts.yaml":  true,
		".github/chainguardx/a.sts.yaml":     false,
		"policies/x.sts.yaml":                true,
		"testdata/.github/chainguard/a.yaml": false,
	} {
		if got := underAny(p, roots); got != want {
			t.Errorf("underAny(%q) = %v", p, got)
		}
	}
	if !underAny("anything/x.sts.yaml", []string{"."}) {
		t.Error(`path "." must cover the whole repository`)
	}
}

// TestLintSARIFThroughPlantedLink: a pull request plants the sarif-file path as a link to the
// event payload; the write must not go through it.
func TestLintSARIFThroughPlantedLink(t *testing.T) {
	r := newLintRig(t)
	victim := filepath.Join(r.dir, "event-payload.json")
	if err := os.WriteFile(victim, []byte(`{"keep":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(r.ws, "results"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(r.ws, "results", "octo-sts.sarif")); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	r.env["INPUT_SARIF-FILE"] = "results/octo-sts.sarif"
	if code := r.run(); code == exitOK {
		t.Fatalf("exit %d, want a failure for the planted link\n%s", code, r.stdout.String())
	}
	if b, _ := os.ReadFile(victim); string(b) != `{"keep":true}` {
		t.Errorf("SARIF was written through the link: %q", b)
	}
	if !strings.Contains(r.stdout.String(), "symbolic link") {
		t.Errorf("no message about the link:\n%s", r.stdout.String())
	}
}

// TestLintPullRequestFileNameLeavesWorkspace: a file name from the API with ".." is not read.
func TestLintPullRequestFileNameLeavesWorkspace(t *testing.T) {
	r := newLintRig(t)
	outside := filepath.Join(r.dir, "outside.sts.yaml")
	if err := os.WriteFile(outside, []byte("SECRET=hunter2: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	api := newFakeFilesAPI(t, []map[string]string{file("../outside.sts.yaml", "added"), file(".github/chainguard/../../outside.sts.yaml", "added"), file(".github/chainguard/ok.sts.yaml", "modified")})
	r.pullRequest(api)
	r.run()
	out := r.stdout.String()
	if strings.Contains(out, "hunter2") || strings.Contains(r.file("summary"), "hunter2") {
		t.Errorf("a file outside the workspace was read:\n%s", out)
	}
	if !strings.Contains(out, "unusable file name") {
		t.Errorf("no warning about the file name:\n%s", out)
	}
}

// A full lint also checks the workspace's workflows against the policies, on the workflow line.
func TestLintCrossChecksWorkflows(t *testing.T) {
	r := newLintRig(t)
	r.write(".github/workflows/release.yml", "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: octo-sts/action@v1\n        with:\n          scope: acme/app\n          identity: ok\n")
	if code := r.run(); code != exitFailure {
		t.Fatalf("exit %d\n%s", code, r.stdout.String())
	}
	if !slices.Contains(r.annotated(), "error .github/workflows/release.yml") || !strings.Contains(r.stdout.String(), "workflow-id-token") {
		t.Errorf("no workflow-id-token annotation on the workflow: %q\n%s", r.annotated(), r.stdout.String())
	}
	r.assertNoTokenLeak()
}
