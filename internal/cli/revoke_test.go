package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/logsafe/runnertest"
)

func TestRevokeCommand(t *testing.T) {
	f := newCLIFixture(t)
	f.api.Accept("ghs_cli_token_12345")
	env := map[string]string{"GITHUB_API_URL": f.api.URL}
	code, stdout, stderr := run(t, "ghs_cli_token_12345\n", env, "revoke")
	if code != ExitOK || stdout != "" || !strings.Contains(stderr, "revoked token-hash") {
		t.Fatalf("code %d stdout %q stderr %q", code, stdout, stderr)
	}
	if r := f.api.Revoked(); len(r) != 1 || r[0] != "ghs_cli_token_12345" {
		t.Fatalf("revoked %v", r)
	}
	// Again: GitHub answers 401, which is not a failure.
	code, _, stderr = run(t, "ghs_cli_token_12345", nil, "revoke", "--api-url", f.api.URL)
	if code != ExitOK || !strings.Contains(stderr, "already invalid") {
		t.Fatalf("code %d stderr %q", code, stderr)
	}
	f.api.ForceStatus(500)
	code, _, stderr = run(t, "ghs_cli_token_12345", env, "revoke", "--timeout", "5s")
	if code != ExitFindings || strings.Contains(stderr, "ghs_cli_token_12345") {
		t.Fatalf("code %d stderr %q", code, stderr)
	}
}

func TestRevokeCommandUsage(t *testing.T) {
	t.Parallel()
	for _, stdin := range []string{"", "\n", "a b", "a\nb"} {
		if code, _, stderr := run(t, stdin, nil, "revoke"); code != ExitUsage || !strings.Contains(stderr, "one token") {
			t.Errorf("stdin %q: code %d %q", stdin, code, stderr)
		}
	}
	if code, _, _ := run(t, "x", nil, "revoke", "extra"); code != ExitUsage {
		t.Errorf("extra args accepted")
	}
	// A token never travels over plain http except to this machine.
	for _, u := range []string{"http://api.example.com", "http://10.0.0.1/api/v3"} {
		if code, _, stderr := run(t, "ghs_cli_token_12345", nil, "revoke", "--api-url", u); code != ExitUsage || !strings.Contains(stderr, "plain http") {
			t.Errorf("--api-url %s: code %d %q", u, code, stderr)
		}
	}
}

// TestTokenFromTerminal: revoke and exchange --token-stdin refuse a terminal on stdin at once
// (they would wait for typing); /dev/null and pipes are not terminals.
func TestTokenFromTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, f := range []*os.File{null, r} {
		if interactive(f) {
			t.Errorf("%s counts as a terminal", f.Name())
		}
	}
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal to test with: %v", err)
	}
	defer tty.Close()
	for _, args := range [][]string{{"revoke"}, {"exchange", "--scope", "a/b", "--identity", "c", "--token-stdin"}} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), append([]string{"octo-sts"}, args...), tty, &stdout, &stderr, func(string) string { return "" })
		if code != ExitUsage || !strings.Contains(stderr.String(), "stdin is a terminal") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%q on a terminal: exit %d, %q", args, code, stderr.String())
		}
	}
}

// TestRevokeAPIURLDefault: $GITHUB_API_URL is --api-url's default, applied after parsing: a given
// --api-url wins over it, even an empty one (refused, not replaced by the environment).
func TestRevokeAPIURLDefault(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GITHUB_API_URL": "http://api.example.com"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, `--api-url "http://api.example.com" is plain http`},
		{[]string{"--api-url", "ftp://x"}, `--api-url "ftp://x" is not an http(s) URL`},
		{[]string{"--api-url="}, `--api-url "" is not an http(s) URL`},
	} {
		code, _, stderr := run(t, "ghs_cli_token_12345", env, append([]string{"revoke"}, c.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q with GITHUB_API_URL set: exit %d, %q; want %q", c.args, code, stderr, c.want)
		}
	}
}

// TestRevokeServerTextCannotCommandRunner: GitHub's (or whatever --api-url names) error message
// reaches stderr, which the runner scans for workflow commands; a line break in it must not start one.
func TestRevokeServerTextCannotCommandRunner(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"message":"nope\n::error::injected\n::add-mask::x"}`))
	}))
	defer api.Close()
	code, _, stderr := run(t, "ghs_cli_token_12345", nil, "revoke", "--api-url", api.URL)
	if code != ExitFindings || !strings.Contains(stderr, "422") {
		t.Fatalf("code %d stderr %q", code, stderr)
	}
	if cmds := runnertest.Parse(stderr); len(cmds) > 0 {
		t.Errorf("the server's message starts workflow commands %v:\n%s", cmds, stderr)
	}
}
