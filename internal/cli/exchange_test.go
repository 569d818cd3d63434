package cli

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/octo-sts/action/internal/logsafe/runnertest"
	"github.com/octo-sts/action/internal/sts/ststest"
)

// The exchange tests swap the package's HTTP client to trust the fake STS, so they run serially.

type cliFixture struct {
	sts *ststest.STS
	api *ststest.GitHubAPI
	jwt string
}

func newCLIFixture(t *testing.T) *cliFixture {
	t.Helper()
	signer, err := ststest.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	f := ststest.Start(t, signer, "octo-org/app", "deploy")
	s := f.STS
	claims := ststest.GitHubClaims()
	claims["iss"] = "https://kubernetes.default.svc"
	claims["sub"] = "system:serviceaccount:ci:deployer"
	claims["aud"] = s.Domain
	claims["exp"] = time.Now().Add(10 * time.Minute).Unix()
	jwt, err := signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	old, oldClock := httpClient, testClock
	httpClient = func() *http.Client { return s.Client() }
	testClock = ststest.NewClock()
	t.Cleanup(func() { httpClient, testClock = old, oldClock })
	return &cliFixture{sts: s, api: f.API, jwt: jwt}
}

func run(t *testing.T, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), append([]string{"octo-sts"}, args...), strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func (f *cliFixture) noLeak(t *testing.T, s string) {
	t.Helper()
	if strings.Contains(s, f.jwt) || strings.Contains(s, strings.Split(f.jwt, ".")[1]) || strings.Contains(s, f.sts.Token) {
		t.Errorf("diagnostics leak a credential:\n%s", s)
	}
}

func TestExchangeCommandSources(t *testing.T) {
	f := newCLIFixture(t)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(f.jwt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"exchange", "--scope", "octo-org/app", "--identity", "deploy", "--domain", f.sts.Domain}
	cases := map[string]struct {
		stdin string
		env   map[string]string
		args  []string
	}{
		"file":  {args: []string{"--token-file", file}},
		"env":   {env: map[string]string{"K8S_TOKEN": f.jwt}, args: []string{"--token-env", "K8S_TOKEN"}},
		"stdin": {stdin: f.jwt + "\n", args: []string{"--token-stdin"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.stdin, c.env, append(slices.Clone(base), c.args...)...)
			if code != ExitOK || stdout != f.sts.Token+"\n" {
				t.Fatalf("code %d stdout %q stderr %s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, "token-hash ") || !strings.Contains(stderr, "1 attempt in") {
				t.Errorf("stderr %q", stderr)
			}
			f.noLeak(t, stderr)
		})
	}
}

func TestExchangeCommandFailures(t *testing.T) {
	f := newCLIFixture(t)
	base := []string{"exchange", "--scope", "octo-org/app", "--identity", "deploy", "--domain", f.sts.Domain, "--token-stdin"}
	cases := []struct {
		script []string
		code   int
		want   []string
	}{
		{[]string{ststest.Deny}, ExitFindings, []string{"octo-sts exchange: permission denied (403)", "did not match", "token sub: system:serviceaccount:ci:deployer", "octo-sts check --policy .github/chainguard/deploy.sts.yaml --token @FILE"}},
		{[]string{ststest.EchoDeny}, ExitFindings, []string{"permission denied (403)", "bad token ***"}},
		{[]string{ststest.NotFound}, ExitFindings, []string{"(404)", "octo-org/app/.github/chainguard/deploy.sts.yaml", "octo-sts lint"}},
		{[]string{ststest.RateLimit}, ExitOK, []string{"attempt 1 failed at sts: rate limited (429)", "retrying in 1.0s", "2 attempts in 1.0s"}},
	}
	for _, c := range cases {
		t.Run(c.script[0], func(t *testing.T) {
			f.sts.Script(c.script...)
			code, stdout, stderr := run(t, f.jwt, nil, base...)
			if code != c.code {
				t.Fatalf("code %d stderr %s", code, stderr)
			}
			if c.code != ExitOK && stdout != "" {
				t.Errorf("stdout must stay empty on failure: %q", stdout)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			f.noLeak(t, stderr)
		})
	}
}

func TestExchangeCommandUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"exchange", "--scope", "o/r", "--identity", "i"}, "exactly one of"},
		{[]string{"exchange", "--scope", "o/r", "--identity", "i", "--token-stdin", "--token-env", "X"}, "exactly one of"},
		{[]string{"exchange", "--scope", "my org", "--identity", "i", "--token-stdin"}, "--scope"},
		{[]string{"exchange", "--scope", "o/r", "--identity", "a/../b", "--token-stdin"}, "--identity"},
		{[]string{"exchange", "--scope", "o/r", "--identity", "i", "--domain", "https://x", "--token-stdin"}, "--domain"},
		{[]string{"exchange", "--scope", "o/r", "--identity", "i", "--token-stdin", "--timeout", "-1s"}, "--timeout"},
		// Nothing can fill an empty variable later: refused before any request.
		{[]string{"exchange", "--scope", "o/r", "--identity", "i", "--token-env", "OCTO_UNSET"}, "--token-env OCTO_UNSET: the environment variable is empty or unset"},
		{[]string{"exchange", "--bogus"}, "unknown flag --bogus"},
		{[]string{"exchange", "extra"}, "unexpected arguments"},
	}
	for _, c := range cases {
		code, stdout, stderr := run(t, "", nil, c.args...)
		if code != ExitUsage || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: code %d stderr %q", c.args, code, stderr)
		}
	}
	if code, _, _ := run(t, "", nil, "exchange", "-h"); code != ExitOK {
		t.Errorf("-h exit %d", code)
	}
}

func TestExchangeCommandBadStdinToken(t *testing.T) {
	f := newCLIFixture(t)
	code, _, stderr := run(t, "not a jwt\n", nil, "exchange", "--scope", "octo-org/app", "--identity", "deploy", "--domain", f.sts.Domain, "--token-stdin")
	if code != ExitFindings || !strings.Contains(stderr, "--token-stdin") || f.sts.Requests() != 0 {
		t.Fatalf("code %d requests %d stderr %s", code, f.sts.Requests(), stderr)
	}
}

func BenchmarkExchangeLoopback(b *testing.B) {
	signer, err := ststest.NewSigner()
	if err != nil {
		b.Fatal(err)
	}
	s, err := ststest.NewSTS("", signer, "octo-org/app", "deploy")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	claims := ststest.GitHubClaims()
	claims["aud"] = s.Domain
	claims["exp"] = time.Now().Add(time.Hour).Unix()
	jwt, err := signer.Sign(claims)
	if err != nil {
		b.Fatal(err)
	}
	old := httpClient
	client := s.Client()
	httpClient = func() *http.Client { return client }
	defer func() { httpClient = old }()
	args := []string{"octo-sts", "exchange", "--scope", "octo-org/app", "--identity", "deploy", "--domain", s.Domain, "--token-env", "T"}
	env := func(k string) string {
		if k == "T" {
			return jwt
		}
		return ""
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var out bytes.Buffer
		if code := Run(context.Background(), args, strings.NewReader(""), &out, &bytes.Buffer{}, env); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// Claims are printed on stderr, which the runner scans for workflow commands just like stdout
// (after trimming leading whitespace) when the CLI runs in a `run:` step: a claim holding a
// newline must not start a line with "::".
func TestExchangeCommandClaimsCannotInjectCommands(t *testing.T) {
	f := newCLIFixture(t)
	claims := ststest.GitHubClaims()
	claims["sub"] = "system:serviceaccount:ci:deployer\n::warning::injected by sub"
	claims["aud"] = []any{f.sts.Domain, "x\r\n  ::add-mask::aud"}
	claims["iss"] = "https://evil.example/##[set-output name=findings;]0"
	claims["exp"] = time.Now().Add(10 * time.Minute).Unix()
	jwt, err := f.sts.Signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	f.sts.Audience = "" // accept the list audience; the Deny script answers 403 regardless
	f.sts.Script(ststest.Deny)
	code, stdout, stderr := run(t, jwt, nil, "exchange", "--scope", "octo-org/app", "--identity", "deploy", "--domain", f.sts.Domain, "--audience", "other.example", "--token-stdin")
	if code != ExitFindings || stdout != "" {
		t.Fatalf("code %d stdout %q stderr %s", code, stdout, stderr)
	}
	if cmds := runnertest.Parse(stderr); len(cmds) > 0 {
		t.Errorf("stderr would run workflow commands %+v:\n%s", cmds, stderr)
	}
	if !strings.Contains(stderr, "token sub:") || !strings.Contains(stderr, "does not contain --audience") {
		t.Errorf("claims or audience warning missing:\n%s", stderr)
	}
}
