package action

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octo-sts/action/internal/secret"
	"github.com/octo-sts/action/internal/sts/ststest"
)

var testSigner = func() *ststest.Signer {
	s, err := ststest.NewSigner()
	if err != nil {
		panic(err)
	}
	return s
}()

// harness runs the action in-process the way the runner runs the container: INPUT_* and
// GITHUB_* env, file-command files in a temp dir, and loopback fakes for every service.
type harness struct {
	t      testing.TB
	id     *ststest.IDTokenServer
	sts    *ststest.STS
	api    *ststest.GitHubAPI
	clock  *ststest.Clock
	dir    string
	env    map[string]string
	stdout bytes.Buffer // everything written across main and post
	stderr bytes.Buffer
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	f := ststest.Start(t, testSigner, "octo-org/app", "deploy")
	dir := t.TempDir()
	h := &harness{t: t, id: f.ID, sts: f.STS, api: f.API, clock: ststest.NewClock(), dir: dir}
	h.env = map[string]string{
		"GITHUB_ACTIONS":                 "true",
		"GITHUB_OUTPUT":                  filepath.Join(dir, "output"),
		"GITHUB_ENV":                     filepath.Join(dir, "env"),
		"GITHUB_STATE":                   filepath.Join(dir, "state"),
		"GITHUB_STEP_SUMMARY":            filepath.Join(dir, "summary"),
		"GITHUB_WORKSPACE":               dir,
		"GITHUB_API_URL":                 f.API.URL,
		"GITHUB_EVENT_NAME":              "push",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   f.ID.RequestURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": f.ID.RequestToken,
		"INPUT_SCOPE":                    "octo-org/app",
		"INPUT_IDENTITY":                 "deploy",
		"INPUT_DOMAIN":                   f.STS.Domain,
		"INPUT_REVOKE":                   "true",
		"INPUT_TIMEOUT":                  "60s",
		"INPUT_DEBUG":                    "false",
		"INPUT_MODE":                     "exchange",
		"INPUT_GITHUB-TOKEN":             "ghp_workflowtoken123456",
		"INPUT_EXPORT-ENV":               "",
	}
	return h
}

func (h *harness) run(env map[string]string) int {
	out := &bytes.Buffer{}
	code := Run(context.Background(), Options{
		Stdout: out, Stderr: &h.stderr, Getenv: func(k string) string { return env[k] },
		HTTPClient: h.sts.Client(), Clock: h.clock,
	})
	h.stdout.Write(out.Bytes())
	return code
}

func (h *harness) main() int { return h.run(h.env) }

// post runs the post step with STATE_* parsed from the state file, as the runner does.
func (h *harness) post() int {
	env := map[string]string{}
	for k, v := range h.env {
		env[k] = v
	}
	for _, e := range parseFileCommands(h.t, h.file("state")) {
		env["STATE_"+e.name] = e.value
	}
	return h.run(env)
}

func (h *harness) file(name string) string {
	b, err := os.ReadFile(filepath.Join(h.dir, name))
	if err != nil && !os.IsNotExist(err) {
		h.t.Fatal(err)
	}
	return string(b)
}

type entry struct{ name, value string }

const delim = "_GitHubActionsFileCommandDelimeter_"

func parseFileCommands(t testing.TB, s string) []entry {
	t.Helper()
	var out []entry
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, ok := strings.CutSuffix(lines[i], "<<"+delim)
		if !ok || i+2 >= len(lines) || lines[i+2] != delim {
			t.Fatalf("malformed file-command content at line %d: %q", i, s)
		}
		out = append(out, entry{name, lines[i+1]})
		i += 2
	}
	return out
}

func (h *harness) outputs(file string) map[string]string {
	m := map[string]string{}
	for _, e := range parseFileCommands(h.t, h.file(file)) {
		m[e.name] = e.value
	}
	return m
}

// secrets are every credential the run could have seen, including the github-token input.
func (h *harness) secrets() []string {
	out := append(h.id.Issued(), h.sts.Token)
	if gt := strings.TrimSpace(h.env["INPUT_GITHUB-TOKEN"]); gt != "" {
		out = append(out, gt)
	}
	return out
}

// assertNoLeaks scans every byte the action wrote. A secret may appear only in its own
// ::add-mask:: line, in the `token` output, the exported env entry and the `token` state entry.
func (h *harness) assertNoLeaks(exportName string) {
	h.t.Helper()
	for _, sec := range h.secrets() {
		for _, stream := range []struct {
			name string
			data string
		}{{"stdout", h.stdout.String()}, {"stderr", h.stderr.String()}} {
			for _, line := range strings.Split(stream.data, "\n") {
				if strings.Contains(line, sec) && line != "::add-mask::"+sec {
					h.t.Errorf("%s leaks a secret in line %q", stream.name, line)
				}
			}
		}
		if strings.Contains(h.file("summary"), sec) {
			h.t.Errorf("step summary leaks a secret")
		}
		allowed := map[string]string{"output": "token", "state": "token", "env": exportName}
		for file, name := range allowed {
			for _, e := range parseFileCommands(h.t, h.file(file)) {
				if strings.Contains(e.name, sec) || (strings.Contains(e.value, sec) && (e.name != name || e.value != sec)) {
					h.t.Errorf("%s entry %q leaks a secret", file, e.name)
				}
			}
		}
	}
	// No fragment of a secret may show up either (a truncated echo is still a leak).
	for _, sec := range h.secrets() {
		for _, line := range strings.Split(h.stdout.String()+h.stderr.String()+h.file("summary"), "\n") {
			if strings.HasPrefix(line, "::add-mask::") {
				continue
			}
			for i := 0; i+24 <= len(sec); i += 4 {
				if strings.Contains(line, sec[i:i+24]) {
					h.t.Errorf("secret fragment leaked in %q", line)
					break
				}
			}
		}
	}
}

// commands returns the workflow commands the runner would execute, honouring stop-commands.
func commands(stdout string) []string {
	var cmds []string
	stop := ""
	for _, line := range strings.Split(stdout, "\n") {
		l := strings.TrimLeft(line, " \t")
		if stop != "" {
			if l == "::"+stop+"::" {
				stop = ""
			}
			continue
		}
		if !strings.HasPrefix(l, "::") {
			continue
		}
		if tok, ok := strings.CutPrefix(l, "::stop-commands::"); ok {
			stop = tok
			continue
		}
		cmds = append(cmds, l)
	}
	return cmds
}

func errorsOf(stdout string) []string {
	var out []string
	for _, c := range commands(stdout) {
		if strings.HasPrefix(c, "::error") {
			out = append(out, c)
		}
	}
	return out
}

func TestMainAndPostSuccess(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if code := h.main(); code != 0 {
		t.Fatalf("main exit %d\n%s", code, h.stdout.String())
	}
	out := h.outputs("output")
	if out["token"] != h.sts.Token || out["token-hash"] != secret.Hash(h.sts.Token) {
		t.Fatalf("outputs %v", out)
	}
	state := h.outputs("state")
	if state["phase"] != "main" || state["token"] != h.sts.Token {
		t.Fatalf("state %v", state)
	}
	stdout := h.stdout.String()
	// Both secrets are masked, and each mask precedes every other line that could mention it.
	jwt := h.id.Issued()[0]
	if !strings.Contains(stdout, "::add-mask::"+jwt+"\n") || !strings.Contains(stdout, "::add-mask::"+h.sts.Token+"\n") {
		t.Fatal("secrets not masked")
	}
	if !strings.Contains(stdout, "::group::OIDC Token Claims") || !strings.Contains(stdout, `"sub": "repo:octo-org/app:ref:refs/heads/main"`) {
		t.Errorf("claims not printed in a group:\n%s", stdout)
	}
	if !strings.Contains(stdout, "token-hash "+secret.Hash(h.sts.Token)) || !strings.Contains(stdout, "1 attempt in 0.0s; last: 200") {
		t.Errorf("missing hash or summary line:\n%s", stdout)
	}
	if len(errorsOf(stdout)) != 0 {
		t.Errorf("unexpected error annotations")
	}
	if !strings.Contains(h.file("summary"), secret.Hash(h.sts.Token)) {
		t.Errorf("step summary lacks the token hash")
	}
	if code := h.post(); code != 0 {
		t.Fatalf("post exit %d", code)
	}
	if r := h.api.Revoked(); len(r) != 1 || r[0] != h.sts.Token {
		t.Fatalf("revoked %v", r)
	}
	if !strings.Contains(h.stdout.String(), "Revoked the GitHub token") {
		t.Errorf("post did not report revocation")
	}
	h.assertNoLeaks("")
}

func TestWarnsAboutUnusableSubject(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.id.Claims["sub"] = "repo:octo-org/app:environment:Prod Env"
	h.main()
	if !strings.Contains(h.stdout.String(), "::warning title=octo-sts%3A unusable subject::") {
		t.Fatalf("no warning:\n%s", h.stdout.String())
	}
}

// TestSubdirectoryIdentityNotice: team/deploy reads a sub-directory policy; the step says the
// server's check run does not validate it.
func TestSubdirectoryIdentityNotice(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.env["INPUT_IDENTITY"] = "team/deploy"
	h.main()
	if !strings.Contains(h.stdout.String(), "::notice title=octo-sts%3A policy in a sub-directory::") || !strings.Contains(h.stdout.String(), ".github/chainguard/team/deploy.sts.yaml") {
		t.Fatalf("no notice:\n%s", h.stdout.String())
	}
}

func TestExportEnv(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.env["INPUT_EXPORT-ENV"] = "GH_TOKEN"
	if code := h.main(); code != 0 {
		t.Fatalf("exit %d\n%s", code, h.stdout.String())
	}
	if env := h.outputs("env"); env["GH_TOKEN"] != h.sts.Token || len(env) != 1 {
		t.Fatalf("env %v", env)
	}
	h.assertNoLeaks("GH_TOKEN")
}

func TestExchangeFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		script  []string
		timeout string
		title   string
		want    []string // substrings of stdout
	}{
		{"403", []string{ststest.Deny}, "", "octo-sts: permission denied (403)", []string{
			`Octo STS answered 403: trust policy: subject "repo:octo-org/app:ref:refs/heads/main" did not match "repo:octo-org/app:ref:refs/heads/release"`,
			`  sub: "repo:octo-org/app:ref:refs/heads/main"`, `  job_workflow_ref: `}},
		{"403 echoing the token", []string{ststest.EchoDeny}, "", "octo-sts: permission denied (403)", []string{"bad token ***"}},
		{"403 echoing the token past the message limit", []string{ststest.EchoCut}, "", "octo-sts: permission denied (403)", []string{"xxxxxxxx"}},
		{"404", []string{ststest.NotFound}, "", "octo-sts: trust policy not found (404)", []string{
			"octo-org/app/.github/chainguard/deploy.sts.yaml", "default branch", "ALSO reported as 404", "`mode: lint`"}},
		{"503 until the deadline", []string{"503", "503", "503", "503", "503", "503", "503", "503"}, "", "octo-sts: server error (503)", []string{"8 attempts in"}},
		{"hang", []string{ststest.Hang}, "1s", "octo-sts: timed out", []string{"timed out"}},
		{"oversized", []string{ststest.Oversize}, "", "octo-sts: bad response (200)", []string{"larger than 64 KiB"}},
		{"malformed", []string{ststest.Malformed}, "", "octo-sts: bad response (200)", []string{"not the expected JSON"}},
		{"malformed 200 containing the token", []string{ststest.EchoBad200}, "", "octo-sts: bad response (200)", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			// Without a github-token the diagnosis hook stays off the network (loopback only).
			h.env["INPUT_GITHUB-TOKEN"] = ""
			h.sts.Script(c.script...)
			if c.timeout != "" {
				h.env["INPUT_TIMEOUT"] = c.timeout
			}
			if code := h.main(); code != 1 {
				t.Fatalf("exit %d\n%s", code, h.stdout.String())
			}
			stdout := h.stdout.String()
			errs := errorsOf(stdout)
			if len(errs) != 1 || !strings.HasPrefix(errs[0], "::error title="+strings.ReplaceAll(c.title, ":", "%3A")+"::") {
				t.Fatalf("want one error titled %q, got %q\n%s", c.title, errs, stdout)
			}
			for _, w := range c.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q\n%s", w, stdout)
				}
			}
			for _, cmd := range commands(stdout) {
				if strings.HasPrefix(cmd, "::warning") {
					t.Errorf("server text executed as a workflow command: %q", cmd)
				}
			}
			if _, ok := h.outputs("output")["token"]; ok {
				t.Error("token output written on failure")
			}
			// Post after a failed main: nothing minted, nothing said.
			before := h.stdout.Len()
			if code := h.post(); code != 0 || h.stdout.Len() != before {
				t.Errorf("post after failure: exit %d, output %q", code, h.stdout.String()[before:])
			}
			h.assertNoLeaks("")
		})
	}
}

func TestRetriesThenSucceeds(t *testing.T) {
	t.Parallel()
	for _, step := range []string{ststest.RateLimit, ststest.Reset, ststest.Unavail} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.sts.Script(step)
			if code := h.main(); code != 0 {
				t.Fatalf("exit %d\n%s", code, h.stdout.String())
			}
			if len(h.id.Issued()) != 2 {
				t.Errorf("want a fresh ID token per attempt, got %d", len(h.id.Issued()))
			}
			if !strings.Contains(h.stdout.String(), "attempt 1 failed at sts") || !strings.Contains(h.stdout.String(), "2 attempts in") {
				t.Errorf("retry not reported:\n%s", h.stdout.String())
			}
			if step == ststest.RateLimit && !slices.Equal(h.clock.Sleeps(), []time.Duration{time.Second}) {
				t.Errorf("Retry-After not honoured: %v", h.clock.Sleeps())
			}
			h.assertNoLeaks("")
		})
	}
}

func TestInvalidInputsFailBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	cases := map[string][2]string{
		"padded scope":        {"INPUT_SCOPE", "octo-org/app "},
		"multi-line":          {"INPUT_IDENTITY", "deploy\n"},
		"bad scope":           {"INPUT_SCOPE", "my org/repo"},
		"path identity":       {"INPUT_IDENTITY", "../deploy"},
		"domain with scheme":  {"INPUT_DOMAIN", "https://octo-sts.dev"},
		"export PATH":         {"INPUT_EXPORT-ENV", "PATH"},
		"bad timeout":         {"INPUT_TIMEOUT", "sixty"},
		"huge timeout":        {"INPUT_TIMEOUT", "2h"},
		"bad bool":            {"INPUT_REVOKE", "yes"},
		"bad audience":        {"INPUT_AUDIENCE", "a@b"},
		"unknown mode":        {"INPUT_MODE", "nope"},
		"org repo with owner": {"INPUT_ORG-POLICY-REPO", "acme/.github"},
	}
	for name, kv := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.env[kv[0]] = kv[1]
			if code := h.main(); code != 2 {
				t.Fatalf("exit %d\n%s", code, h.stdout.String())
			}
			errs := errorsOf(h.stdout.String())
			if len(errs) != 1 || !strings.Contains(errs[0], "title=octo-sts%3A invalid input") {
				t.Fatalf("errors %q", errs)
			}
			field := strings.ToLower(strings.TrimPrefix(kv[0], "INPUT_"))
			if !strings.Contains(errs[0], `"`+field+`"`) {
				t.Errorf("error does not name the field %s: %s", field, errs[0])
			}
			if h.sts.Requests() != 0 || len(h.id.Issued()) != 0 {
				t.Error("requests were made for invalid input")
			}
			if h.outputs("state")["phase"] != "main" {
				t.Error("phase not saved before failing")
			}
		})
	}
}

// A malformed github-token must not be quoted back in the input error: it is a credential.
func TestMalformedGitHubTokenIsNeverEchoed(t *testing.T) {
	t.Parallel()
	for name, v := range map[string]string{
		"trailing space":   "ghp_workflowtoken123456 ",
		"leading tab":      "\tghp_workflowtoken123456",
		"trailing newline": "ghp_workflowtoken123456\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range []string{"exchange", "lint"} {
				h := newHarness(t)
				h.env["INPUT_MODE"] = mode
				h.env["INPUT_GITHUB-TOKEN"] = v
				if code := h.main(); code != 2 {
					t.Fatalf("%s: exit %d\n%s", mode, code, h.stdout.String())
				}
				errs := errorsOf(h.stdout.String())
				if len(errs) != 1 || !strings.Contains(errs[0], `"github-token"`) {
					t.Fatalf("%s: errors %q", mode, errs)
				}
				h.assertNoLeaks("")
				if h.sts.Requests() != 0 || len(h.id.Issued()) != 0 {
					t.Errorf("%s: requests were made for invalid input", mode)
				}
			}
		})
	}
}

func TestUnderscoreInputSpelling(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	delete(h.env, "INPUT_EXPORT-ENV")
	h.env["INPUT_EXPORT_ENV"] = "MY_TOKEN"
	if code := h.main(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if h.outputs("env")["MY_TOKEN"] != h.sts.Token {
		t.Fatal("underscore spelling ignored")
	}
}

func TestMissingIDTokenPermission(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"plain":      {},
		"dependabot": {"GITHUB_ACTOR": "dependabot[bot]"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			delete(h.env, "ACTIONS_ID_TOKEN_REQUEST_URL")
			delete(h.env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
			for k, v := range env {
				h.env[k] = v
			}
			if code := h.main(); code != 1 {
				t.Fatalf("exit %d", code)
			}
			errs := errorsOf(h.stdout.String())
			if len(errs) != 1 || !strings.Contains(errs[0], "id-token: write") || !strings.Contains(errs[0], "title=octo-sts%3A no ID token") {
				t.Fatalf("errors %q", errs)
			}
			if name == "dependabot" && !strings.Contains(errs[0], "Dependabot") {
				t.Errorf("Dependabot not explained: %s", errs[0])
			}
		})
	}
}

func TestNoGitHubOutputFailsBeforeMinting(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	delete(h.env, "GITHUB_OUTPUT")
	if code := h.main(); code != 2 {
		t.Fatalf("exit %d", code)
	}
	if len(h.id.Issued()) != 0 {
		t.Fatal("minted an ID token with nowhere to put the result")
	}
}

func TestRevokeFalse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.env["INPUT_REVOKE"] = "false"
	if code := h.main(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if _, ok := h.outputs("state")["token"]; ok {
		t.Fatal("token saved although revoke is false")
	}
	if code := h.post(); code != 0 || len(h.api.Revoked()) != 0 {
		t.Fatalf("post revoked or failed: %d", code)
	}
	if !strings.Contains(h.stdout.String(), "revoke: false") {
		t.Error("post did not say why it skipped")
	}
}

func TestPostOutcomes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		want   string
	}{
		{"already revoked", http.StatusUnauthorized, "already invalid"},
		{"server error", http.StatusInternalServerError, "::warning::Could not revoke the GitHub token"},
		{"forbidden", http.StatusForbidden, "::warning::Could not revoke"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if code := h.main(); code != 0 {
				t.Fatalf("exit %d", code)
			}
			h.api.ForceStatus(c.status)
			if code := h.post(); code != 0 {
				t.Fatalf("post must never fail the job; exit %d", code)
			}
			if !strings.Contains(h.stdout.String(), c.want) {
				t.Errorf("stdout lacks %q\n%s", c.want, h.stdout.String())
			}
			if len(errorsOf(h.stdout.String())) != 0 {
				t.Error("post emitted an error annotation")
			}
			h.assertNoLeaks("")
		})
	}
}

func TestPostSkipsExpiredToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := asPost(t, map[string]string{"STATE_token": "ghs_expiredtoken0001", "STATE_minted-at": fmt.Sprint(time.Now().Add(-2 * time.Hour).Unix()), "GITHUB_API_URL": h.api.URL})
	if code := h.run(env); code != 0 || !strings.Contains(h.stdout.String(), "already expired") {
		t.Fatalf("exit %d: %s", code, h.stdout.String())
	}
}

func TestPostUnreachableAPIWarns(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.api.Close()
	env := asPost(t, map[string]string{"STATE_token": "ghs_unreachable00001", "GITHUB_API_URL": h.api.URL})
	if code := h.run(env); code != 0 || !strings.Contains(h.stdout.String(), "::warning::Could not revoke") {
		t.Fatalf("exit %d: %s", code, h.stdout.String())
	}
	if strings.Contains(strings.ReplaceAll(h.stdout.String(), "::add-mask::ghs_unreachable00001", ""), "ghs_unreachable00001") {
		t.Fatal("token leaked")
	}
}

// Tests below replace package-level hooks, so they do not run in parallel.

func TestDiagnoseHook(t *testing.T) {
	var got DiagnoseInput
	prev := Diagnose
	Diagnose = func(_ context.Context, in DiagnoseInput) string {
		got = in
		return "policy subject wants `release`\n::warning::from diagnosis"
	}
	t.Cleanup(func() { Diagnose = prev })
	h := newHarness(t)
	h.sts.Script(ststest.Deny)
	if code := h.main(); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if got.Status != 403 || got.Scope != "octo-org/app" || got.Identity != "deploy" || got.GitHubToken != "ghp_workflowtoken123456" ||
		got.Claims["sub"] != "repo:octo-org/app:ref:refs/heads/main" || !strings.Contains(got.Message, "did not match") || got.Workspace != h.dir {
		t.Fatalf("hook input %+v", got)
	}
	if !strings.Contains(h.stdout.String(), "policy subject wants `release`") || !strings.Contains(h.file("summary"), "policy subject wants") {
		t.Error("diagnosis not in log and summary")
	}
	for _, c := range commands(h.stdout.String()) {
		if strings.HasPrefix(c, "::warning") {
			t.Error("diagnosis output executed as a command")
		}
	}
	if len(errorsOf(h.stdout.String())) != 1 {
		t.Error("want exactly one error annotation")
	}
}

// A hook that hangs and ignores its context (say, an API call through a client with no
// timeout) must not hold the job open: the action gives up on it after hookTimeout.
func TestHungHookDoesNotHoldTheJob(t *testing.T) {
	release := make(chan struct{})
	hang := func(context.Context, DiagnoseInput) string { <-release; return "late" }
	prevD, prevE, prevT := Diagnose, DebugEvaluate, hookTimeout
	Diagnose, DebugEvaluate, hookTimeout = hang, hang, 50*time.Millisecond
	t.Cleanup(func() { close(release); Diagnose, DebugEvaluate, hookTimeout = prevD, prevE, prevT })
	for _, debug := range []string{"false", "true"} {
		h := newHarness(t)
		h.env["INPUT_DEBUG"] = debug
		h.sts.Script(ststest.Deny)
		want := 1
		if debug == "true" {
			want = 0
		}
		done := make(chan int, 1)
		go func() { done <- h.main() }()
		select {
		case code := <-done:
			if code != want {
				t.Errorf("debug=%s: exit %d, want %d\n%s", debug, code, want, h.stdout.String())
			}
			if strings.Contains(h.stdout.String(), "late") {
				t.Errorf("debug=%s: an abandoned hook's output was used", debug)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("debug=%s: the action waited on a hung hook", debug)
		}
	}
}

func TestDebugMode(t *testing.T) {
	var called bool
	prev := DebugEvaluate
	DebugEvaluate = func(_ context.Context, in DiagnoseInput) string {
		called = in.Claims["aud"] == in.Domain && in.Status == 0
		return "would match: yes"
	}
	t.Cleanup(func() { DebugEvaluate = prev })
	h := newHarness(t)
	h.env["INPUT_DEBUG"] = "true"
	if code := h.main(); code != 0 {
		t.Fatalf("exit %d\n%s", code, h.stdout.String())
	}
	if h.sts.Requests() != 0 || !called {
		t.Fatalf("debug exchanged (%d requests) or hook not called (%v)", h.sts.Requests(), called)
	}
	if !strings.Contains(h.stdout.String(), "would match: yes") || !strings.Contains(h.stdout.String(), "::group::OIDC Token Claims") {
		t.Errorf("stdout:\n%s", h.stdout.String())
	}
	h.assertNoLeaks("")
}

func TestRegisterMode(t *testing.T) {
	var input string
	RegisterMode("test-echo", func(_ context.Context, rt *Runtime) int {
		input, _ = rt.Input("path")
		if err := rt.SetOutput("findings", "3"); err != nil {
			return 3
		}
		return 7
	})
	t.Cleanup(func() { modesMu.Lock(); delete(modes, "test-echo"); modesMu.Unlock() })
	h := newHarness(t)
	h.env["INPUT_MODE"] = "test-echo"
	h.env["INPUT_PATH"] = ".github/chainguard"
	if code := h.main(); code != 7 || input != ".github/chainguard" || h.outputs("output")["findings"] != "3" {
		t.Fatalf("code %d input %q outputs %v", code, input, h.outputs("output"))
	}
	defer func() {
		if recover() == nil {
			t.Error("duplicate mode did not panic")
		}
	}()
	RegisterMode("exchange", nil)
}

func TestInputList(t *testing.T) {
	t.Parallel()
	env := map[string]string{"INPUT_PATH": ".github/chainguard\n  other/dir \r\n\n"}
	rt := newRuntime(Options{Stdout: &bytes.Buffer{}, Getenv: func(k string) string { return env[k] }})
	if got := rt.InputList("path"); !slices.Equal(got, []string{".github/chainguard", "other/dir"}) {
		t.Fatalf("got %q", got)
	}
	if _, err := rt.Input("path"); err == nil {
		t.Fatal("Input accepted a multi-line value")
	}
}

func TestSetOutputRefusesUnsafeValues(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rt := newRuntime(Options{Stdout: &bytes.Buffer{}, Getenv: func(k string) string { return h.env[k] }})
	for _, v := range []string{"a\nb", "x\r", "a" + delim + "b"} {
		if err := rt.SetOutput("x", v); err == nil {
			t.Errorf("SetOutput(%q) accepted", v)
		}
	}
	if h.file("output") != "" {
		t.Fatal("an unsafe value was written")
	}
	noEnv := newRuntime(Options{Stdout: &bytes.Buffer{}, Getenv: func(string) string { return "" }})
	if err := noEnv.SetOutput("x", "y"); err == nil {
		t.Fatal("SetOutput without GITHUB_OUTPUT did not error")
	}
	noEnv.Summary("no panic without GITHUB_STEP_SUMMARY")
}

func TestValidateEnvName(t *testing.T) {
	t.Parallel()
	allowed := []string{"GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "OCTO_STS_TOKEN", "RELEASE_TOKEN", "_X", "TOKEN2", "GOOGLE_TOKEN", "HOMEBREW_GITHUB_API_TOKEN"}
	for _, ok := range allowed {
		if err := ValidateEnvName(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	denied := []string{
		// not the conservative pattern
		"", "2X", "A-B", "A B", "A=B", "token", "gh_token", "http_proxy", "X\nY", strings.Repeat("X", 129),
		// the reproduction set and the runner's namespaces
		"PATH", "HOME", "TMPDIR", "ENV", "BASH_ENV", "LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES",
		"GOFLAGS", "GOPROXY", "GOTOOLCHAIN", "GODEBUG", "GOROOT", "CGO_CFLAGS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",
		"NODE_OPTIONS", "NODE_PATH", "PYTHONPATH", "PYTHONSTARTUP", "PERL5OPT", "PERL5LIB", "RUBYOPT", "RUBYLIB",
		"DOTNET_STARTUP_HOOKS", "COMPLUS_X", "CORECLR_PROFILER", "ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY",
		"GIT_CONFIG_GLOBAL", "GIT_ASKPASS", "GIT_SSH_COMMAND", "SSH_AUTH_SOCK", "DOCKER_HOST", "DOCKER_CONFIG", "KUBECONFIG",
		"GITHUB_ENV", "GITHUB_PATH", "RUNNER_TEMP", "ACTIONS_RUNTIME_TOKEN", "INPUT_SCOPE", "STATE_TOKEN", "STATE_PHASE",
		"SSL_CERT_FILE", "CURL_CA_BUNDLE", "MAVEN_OPTS", "RUSTFLAGS", "RUSTC_WRAPPER", "MAKEFLAGS", "JAVA_HOME", "PAGER", "EDITOR",
		"XDG_CONFIG_HOME", "LC_ALL", "NPM_CONFIG_REGISTRY", "PIP_INDEX_URL", "CLASSPATH", "SHELL", "IFS", "PS4", "PROMPT_COMMAND", "CI",
	}
	for _, bad := range denied {
		err := ValidateEnvName(bad)
		if err == nil || !strings.Contains(err.Error(), `"export-env"`) || !strings.Contains(err.Error(), "GH_TOKEN") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

var mdSpecial = regexp.MustCompile("[`<>|\\[\\]]")

func TestMDEscape(t *testing.T) {
	t.Parallel()
	got := mdEscape("<img src=x>|`code`[l](u)")
	if mdSpecial.MatchString(strings.NewReplacer("\\`", "", "\\|", "", "\\[", "", "\\]", "").Replace(got)) {
		t.Fatalf("unescaped markdown: %q", got)
	}
}

// BenchmarkActionExchange is the whole main step on loopback: ID token from the fake Actions
// endpoint, TLS exchange at the fake STS, masking, outputs, state and step summary on disk.
func BenchmarkActionExchange(b *testing.B) {
	h := newHarness(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range []string{"output", "env", "state", "summary"} {
			_ = os.Remove(filepath.Join(h.dir, f))
		}
		h.stdout.Reset()
		if code := h.main(); code != 0 {
			b.Fatalf("exit %d\n%s", code, h.stdout.String())
		}
	}
}

func FuzzCheckInput(f *testing.F) {
	for _, s := range []string{"octo-org/app", " x", "x\n", "", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := checkInput("scope", s)
		if err != nil {
			return
		}
		if v != s || strings.TrimSpace(v) != v || strings.ContainsAny(v, "\r\n") {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzValidateEnvName(f *testing.F) {
	for _, s := range []string{"GH_TOKEN", "PATH", "a=b", "X\nY"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateEnvName(s) != nil {
			return
		}
		if strings.ContainsAny(s, "=\r\n <") || strings.ToUpper(s) != s || (strings.HasPrefix(s, "GITHUB_") && !slices.Contains(tokenEnvNames, s)) {
			t.Fatalf("accepted %q", s)
		}
	})
}

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

// The post step must exit 0 even when its log stream is gone: go-githubactions panics on a
// failed write, and the crash report itself is a write.
func TestPostNeverFailsEvenWithABrokenLog(t *testing.T) {
	t.Parallel()
	api, err := ststest.NewGitHubAPI("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	api.Accept("ghs_brokenlogtoken01")
	env := asPost(t, map[string]string{"STATE_token": "ghs_brokenlogtoken01", "GITHUB_API_URL": api.URL})
	code := -1
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("post step panicked: %v", r)
			}
		}()
		code = Run(context.Background(), Options{Stdout: brokenWriter{}, Getenv: func(k string) string { return env[k] }})
	}()
	if code != 0 {
		t.Fatalf("post exit %d, want 0", code)
	}
	if r := api.Revoked(); len(r) != 1 || r[0] != "ghs_brokenlogtoken01" {
		t.Errorf("a broken log stopped the revocation: revoked %v", r)
	}
}

// TestDebugSummaryShowsScopeLiterally: the debug summary's headline shows the scope and identity
// as code spans, as written: markdown escapes inside a code span would show as backslashes
// (my\_app).
func TestDebugSummaryShowsScopeLiterally(t *testing.T) {
	h := newHarness(t)
	h.env["INPUT_DEBUG"] = "true"
	h.env["INPUT_SCOPE"] = "octo-org/my_app"
	h.env["INPUT_IDENTITY"] = "deploy_prod"
	if code := h.main(); code != 0 {
		t.Fatalf("exit %d\n%s", code, h.stdout.String())
	}
	if want := "### octo-sts debug for `octo-org/my_app` / `deploy_prod`"; !strings.Contains(h.file("summary"), want) {
		t.Errorf("summary = %q, want it to hold %q", h.file("summary"), want)
	}
}
