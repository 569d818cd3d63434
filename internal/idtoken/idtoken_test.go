package idtoken_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/idtoken"
	"github.com/octo-sts/action/internal/sts/ststest"
)

func signer(t *testing.T) *ststest.Signer {
	t.Helper()
	s, err := ststest.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestActionsTokenAudience(t *testing.T) {
	t.Parallel()
	srv, err := ststest.NewIDTokenServer("", signer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": srv.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": srv.RequestToken}
	// An audience with characters that need encoding must arrive intact, and api-version must survive.
	a := &idtoken.Actions{Getenv: func(k string) string { return env[k] }, Audience: "sts.example.com:8443&x=y"}
	tok, err := a.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	claims, err := idtoken.ParseClaims(tok)
	if err != nil {
		t.Fatal(err)
	}
	if claims["aud"] != "sts.example.com:8443&x=y" || claims["iss"] != ststest.Issuer {
		t.Fatalf("claims %v", claims)
	}
}

func TestActionsTokenFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		retry  bool
	}{{403, true}, {500, true}, {503, true}, {429, true}, {401, false}, {404, false}}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.status), func(t *testing.T) {
			t.Parallel()
			srv, err := ststest.NewIDTokenServer("", signer(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			srv.FailNext(c.status)
			env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": srv.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": srv.RequestToken}
			_, err = (&idtoken.Actions{Getenv: func(k string) string { return env[k] }, Audience: "a"}).Token(context.Background())
			var ie *idtoken.Error
			if !errors.As(err, &ie) || ie.Retryable() != c.retry || ie.HTTPStatus() != c.status {
				t.Fatalf("status %d: got %#v", c.status, err)
			}
		})
	}
}

func TestClassifyIDTokenFailure(t *testing.T) {
	t.Parallel()
	if r, _ := idtoken.ClassifyIDTokenFailure(403, "Can't issue ID_TOKEN for job in 'Delayed' state"); !r {
		t.Error("Delayed 403 not retried")
	}
	if r, _ := idtoken.ClassifyIDTokenFailure(403, "Resource not accessible by integration"); r {
		t.Error("plain 403 retried")
	}
	if _, m := idtoken.ClassifyIDTokenFailure(500, "a\nb"); strings.Contains(m, "\n") {
		t.Errorf("message keeps newline: %q", m)
	}
}

func writeEvent(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMissingPermissionMessage(t *testing.T) {
	t.Parallel()
	fork := writeEvent(t, `{"pull_request":{"head":{"repo":{"full_name":"evil/app","fork":true}},"base":{"repo":{"full_name":"octo-org/app"}}}}`)
	same := writeEvent(t, `{"pull_request":{"head":{"repo":{"full_name":"octo-org/app","fork":false}},"base":{"repo":{"full_name":"octo-org/app"}}}}`)
	cases := []struct {
		name string
		env  map[string]string
		want string
		not  string
	}{
		{"plain", map[string]string{"GITHUB_EVENT_NAME": "push"}, "id-token: write", "This is a pull request"},
		{"dependabot", map[string]string{"GITHUB_ACTOR": "dependabot[bot]", "GITHUB_EVENT_NAME": "pull_request"}, "This run was triggered by Dependabot", "This is a pull request"},
		{"fork", map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": fork}, `fork "evil/app"`, "This run was triggered by Dependabot"},
		{"same-repo PR", map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": same}, "id-token: write", "This is a pull request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := &idtoken.Actions{Getenv: func(k string) string { return c.env[k] }}
			_, err := a.Token(context.Background())
			var ie *idtoken.Error
			if !errors.As(err, &ie) || !ie.MissingPermission || ie.Retryable() {
				t.Fatalf("got %#v", err)
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), c.not) {
				t.Fatalf("message %q: want %q, not %q", err, c.want, c.not)
			}
		})
	}
}

func jwtOf(payload string) string {
	e := base64.RawURLEncoding.EncodeToString
	return e([]byte(`{"alg":"RS256"}`)) + "." + e([]byte(payload)) + "." + e([]byte("sig-bytes"))
}

func TestParseClaims(t *testing.T) {
	t.Parallel()
	c, err := idtoken.ParseClaims(jwtOf(`{"sub":"repo:a/b:ref:refs/heads/main","exp":1700000000}`))
	if err != nil || c["sub"] != "repo:a/b:ref:refs/heads/main" || c["exp"] != float64(1700000000) {
		t.Fatalf("got %v %v", c, err)
	}
	secretish := jwtOf(`["not-an-object-SECRETPAYLOAD"]`)
	for _, bad := range []string{"", "a.b", "a.b.c.d", "..", jwtOf(`null`), secretish, "!!!.e30.c2ln", jwtOf("{")} {
		_, err := idtoken.ParseClaims(bad)
		if err == nil {
			t.Errorf("ParseClaims(%q) accepted", bad)
			continue
		}
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error quotes the token")
		}
	}
}

func TestParseTokenFile(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"abc.def.ghi\n": "abc.def.ghi", "abc.def.ghi\r\n": "abc.def.ghi", "abc.def.ghi": "abc.def.ghi"} {
		if got, err := idtoken.ParseTokenFile([]byte(in)); err != nil || got != want {
			t.Errorf("ParseTokenFile(%q) = %q %v", in, got, err)
		}
	}
	for _, in := range []string{"", "\n", "a\nb", "a b", " abc", "abc\n\n", "\xff"} {
		if _, err := idtoken.ParseTokenFile([]byte(in)); err == nil {
			t.Errorf("ParseTokenFile(%q) accepted", in)
		}
	}
}

func TestFileEnvReaderSources(t *testing.T) {
	t.Parallel()
	tok := jwtOf(`{"sub":"system:serviceaccount:ns:sa"}`)
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got, err := idtoken.File(p)(ctx); err != nil || got != tok {
		t.Fatalf("File: %v", err)
	}
	// Rotation: the file is re-read on every call.
	tok2 := jwtOf(`{"sub":"rotated"}`)
	if err := os.WriteFile(p, []byte(tok2), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := idtoken.File(p)(ctx); got != tok2 {
		t.Fatal("File did not re-read")
	}
	if _, err := idtoken.File(filepath.Join(t.TempDir(), "missing"))(ctx); err == nil {
		t.Fatal("missing file accepted")
	}
	env := map[string]string{"T": tok}
	if got, err := idtoken.Env("T", func(k string) string { return env[k] })(ctx); err != nil || got != tok {
		t.Fatalf("Env: %v", err)
	}
	if _, err := idtoken.Env("NOPE", func(k string) string { return env[k] })(ctx); err == nil || !strings.Contains(err.Error(), "NOPE") {
		t.Fatalf("Env unset: %v", err)
	}
	r := idtoken.Reader(strings.NewReader(tok+"\n"), "--token-stdin")
	for range 2 { // a pipe is read once and the token reused
		if got, err := r(ctx); err != nil || got != tok {
			t.Fatalf("Reader: %q %v", got, err)
		}
	}
	if _, err := idtoken.Reader(strings.NewReader("not a jwt"), "--token-stdin")(ctx); err == nil {
		t.Fatal("Reader accepted garbage")
	}
}

func FuzzParseClaims(f *testing.F) {
	f.Add(jwtOf(`{"sub":"x"}`))
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := idtoken.ParseClaims(s)
		if err != nil {
			if len(s) > 12 && strings.Contains(err.Error(), s) {
				t.Fatalf("error quotes the token")
			}
			return
		}
		if c == nil || strings.Count(s, ".") != 2 {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzParseTokenFile(f *testing.F) {
	for _, s := range []string{"a.b.c\n", "a b", "\r\n", "x\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := idtoken.ParseTokenFile(b)
		if err != nil {
			return
		}
		if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
			t.Fatalf("accepted %q", tok)
		}
	})
}

func FuzzClassifyIDTokenFailure(f *testing.F) {
	f.Add(403, "Can't issue ID_TOKEN for job in 'Pending' state")
	f.Add(500, "")
	f.Fuzz(func(t *testing.T, status int, body string) {
		retry, msg := idtoken.ClassifyIDTokenFailure(status, body)
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("message keeps a line break: %q", msg)
		}
		if retry && status < 500 && status != 403 && status != 429 {
			t.Fatalf("status %d retried", status)
		}
	})
}

func FuzzParsePullRequestEvent(f *testing.F) {
	f.Add([]byte(`{"pull_request":{"head":{"repo":{"full_name":"a/b"}},"base":{"repo":{"full_name":"a/b"}}}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		head, base, fork := idtoken.ParsePullRequestEvent(b)
		if strings.ContainsAny(head+base, "\r\n") {
			t.Fatalf("unsanitised names %q %q", head, base)
		}
		_ = fork
	})
}

// A malformed ACTIONS_ID_TOKEN_REQUEST_URL is a broken environment, not a busy endpoint: url.Parse
// reports it as a *url.Error like a network failure, but retrying it only burns the deadline.
func TestActionsTokenMalformedURLIsNotRetried(t *testing.T) {
	t.Parallel()
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "http://[::1", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req-token-1234567890"}
	a := &idtoken.Actions{Getenv: func(k string) string { return env[k] }, Audience: "octo-sts.dev"}
	_, err := a.Token(context.Background())
	var ie *idtoken.Error
	if !errors.As(err, &ie) || ie.Retryable() {
		t.Fatalf("got %v (retryable %v), want a permanent *idtoken.Error", err, ie != nil && ie.Retryable())
	}
	if strings.Contains(err.Error(), "req-token-1234567890") {
		t.Fatalf("error leaks the request token: %v", err)
	}
}

// ACTIONS_ID_TOKEN_REQUEST_TOKEN is a bearer credential for the job's runtime services: an
// endpoint (or proxy) that echoes the Authorization header must not get it into the message.
func TestActionsTokenScrubsEchoedRequestToken(t *testing.T) {
	t.Parallel()
	const reqToken = "runtime-request-token-0123456789abcdef"
	for _, status := range []int{http.StatusUnauthorized, http.StatusInternalServerError} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "rejected Authorization: "+r.Header.Get("Authorization"), status)
		}))
		t.Cleanup(srv.Close)
		env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": srv.URL + "/idtoken?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": reqToken}
		_, err := (&idtoken.Actions{Getenv: func(k string) string { return env[k] }, Audience: "a"}).Token(context.Background())
		if err == nil || !strings.Contains(err.Error(), "rejected Authorization") {
			t.Fatalf("%d: got %v", status, err)
		}
		if strings.Contains(err.Error(), reqToken) || strings.Contains(err.Error(), reqToken[:16]) {
			t.Fatalf("%d: error leaks the request token: %v", status, err)
		}
	}
}

// The request token must never follow a redirect to another origin (same host name on another
// port, or plain http), while a same-origin redirect is followed.
func TestActionsTokenRedirects(t *testing.T) {
	t.Parallel()
	srv, err := ststest.NewIDTokenServer("", signer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	leaked := make(chan string, 4)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked <- r.Header.Get("Authorization")
	}))
	t.Cleanup(other.Close)
	real, _ := url.Parse(srv.RequestURL)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/same" {
			// Same origin: proxy to the real endpoint so the answer is a real token.
			rq, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, real.Scheme+"://"+real.Host+real.Path+"?"+r.URL.RawQuery, nil)
			rq.Header = r.Header.Clone()
			resp, err := http.DefaultClient.Do(rq)
			if err != nil {
				http.Error(w, err.Error(), 502)
				return
			}
			defer resp.Body.Close()
			w.WriteHeader(resp.StatusCode)
			_, _ = io.Copy(w, resp.Body)
			return
		}
		target := other.URL + "/x"
		if r.URL.Path == "/start-same" {
			target = "/same?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	for path, wantOK := range map[string]bool{"/start-same": true, "/start-cross": false} {
		env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": redirector.URL + path + "?" + real.RawQuery, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": srv.RequestToken}
		tok, err := (&idtoken.Actions{Getenv: func(k string) string { return env[k] }, Audience: "a"}).Token(context.Background())
		if wantOK {
			if err != nil || tok == "" {
				t.Fatalf("same-origin redirect: %v", err)
			}
			continue
		}
		var ie *idtoken.Error
		if !errors.As(err, &ie) || ie.Retryable() || !strings.Contains(err.Error(), strings.TrimPrefix(other.URL, "http://")) || !strings.Contains(err.Error(), strings.TrimPrefix(redirector.URL, "http://")) {
			t.Fatalf("cross-origin redirect: got %v, want a permanent error naming both origins", err)
		}
		if strings.Contains(err.Error(), srv.RequestToken) {
			t.Fatal("error quotes the request token")
		}
	}
	select {
	case a := <-leaked:
		t.Fatalf("the request token reached another origin: %q", a)
	default:
	}
}
