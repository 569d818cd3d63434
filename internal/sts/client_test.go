package sts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octo-sts/action/internal/idtoken"
	"github.com/octo-sts/action/internal/sts"
	"github.com/octo-sts/action/internal/sts/ststest"
)

type fixture struct {
	id     *ststest.IDTokenServer
	sts    *ststest.STS
	client *sts.Client
	clock  *ststest.Clock
	src    sts.TokenSource
	seen   []string // JWTs passed to OnIDToken
}

var signer = func() *ststest.Signer {
	s, err := ststest.NewSigner()
	if err != nil {
		panic(err)
	}
	return s
}()

func newFixture(t testing.TB) *fixture {
	t.Helper()
	id, err := ststest.NewIDTokenServer("", signer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(id.Close)
	s, err := ststest.NewSTS("", signer, "octo-org/app", "deploy")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	f := &fixture{id: id, sts: s, clock: ststest.NewClock()}
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": id.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": id.RequestToken}
	src := &idtoken.Actions{Getenv: func(k string) string { return env[k] }, Audience: s.Domain, HTTPClient: id.Client()}
	f.src = src.Token
	f.client = &sts.Client{
		Domain:         s.Domain,
		HTTPClient:     s.Client(),
		Clock:          f.clock,
		RequestTimeout: 2 * time.Second,
		Backoff:        sts.Backoff{Rand: func() float64 { return 0 }},
		OnIDToken:      func(j string) { f.seen = append(f.seen, j) },
	}
	return f
}

var req = sts.Request{Scope: "octo-org/app", Identity: "deploy"}

func TestExchangeSuccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res, err := f.client.Exchange(context.Background(), req, f.src)
	if err != nil {
		t.Fatal(err)
	}
	if res.Token != f.sts.Token || res.Attempts != 1 {
		t.Fatalf("got %+v", res)
	}
	if res.Summary != "1 attempt in 0.0s; last: 200" {
		t.Errorf("summary %q", res.Summary)
	}
	if len(f.seen) != 1 || f.seen[0] != f.id.Issued()[0] {
		t.Errorf("OnIDToken not called with the issued token")
	}
}

func TestExchangeOutcomes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		script    []string
		idFail    []int
		wantClass sts.Class
		wantCode  int
		requests  int
		idTokens  int
		sleeps    []time.Duration
		gaveUp    bool
		msg       string
	}{
		{name: "403 not retried", script: []string{ststest.Deny}, wantClass: sts.ClassDenied, wantCode: 403, requests: 1, idTokens: 1, msg: `trust policy: subject "repo:octo-org/app:ref:refs/heads/main" did not match`},
		{name: "404 not retried", script: []string{ststest.NotFound}, wantClass: sts.ClassNotFound, wantCode: 404, requests: 1, idTokens: 1, msg: `unable to find trust policy for "deploy"`},
		{name: "429 honours Retry-After", script: []string{ststest.RateLimit}, requests: 2, idTokens: 2, sleeps: []time.Duration{time.Second}},
		{name: "503 retried with backoff", script: []string{ststest.Unavail, ststest.Unavail}, requests: 3, idTokens: 3, sleeps: []time.Duration{500 * time.Millisecond, time.Second}},
		{name: "503 until attempts run out", script: []string{"503", "503", "503", "503", "503", "503", "503", "503"}, wantClass: sts.ClassServer, wantCode: 503, requests: 8, idTokens: 8, gaveUp: true},
		{name: "reset retried", script: []string{ststest.Reset}, requests: 2, idTokens: 2, sleeps: []time.Duration{500 * time.Millisecond}},
		{name: "hang retried after per-request timeout", script: []string{ststest.Hang}, requests: 2, idTokens: 2, sleeps: []time.Duration{500 * time.Millisecond}},
		{name: "oversized body rejected", script: []string{ststest.Oversize}, wantClass: sts.ClassBadResponse, wantCode: 200, requests: 1, idTokens: 1, msg: "larger than 64 KiB"},
		{name: "malformed body rejected", script: []string{ststest.Malformed}, wantClass: sts.ClassBadResponse, wantCode: 200, requests: 1, idTokens: 1, msg: "not the expected JSON"},
		{name: "id token pending 403 retried", idFail: []int{403}, requests: 1, idTokens: 1, sleeps: []time.Duration{500 * time.Millisecond}},
		{name: "id token 503 retried", idFail: []int{503, 502}, requests: 1, idTokens: 1, sleeps: []time.Duration{500 * time.Millisecond, time.Second}},
		{name: "id token 401 not retried", idFail: []int{401}, wantClass: sts.ClassIDToken, wantCode: 401, requests: 0, idTokens: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.name == "hang retried after per-request timeout" {
				// Long enough for a TLS handshake under -race on a loaded machine (200 ms was not:
				// the retries' handshakes timed out too), short enough to keep the test quick.
				f.client.RequestTimeout = 1500 * time.Millisecond
			}
			f.sts.Script(tc.script...)
			f.id.FailNext(tc.idFail...)
			res, err := f.client.Exchange(context.Background(), req, f.src)
			if got := f.sts.Requests(); got != tc.requests {
				t.Errorf("STS requests = %d, want %d", got, tc.requests)
			}
			if got := len(f.id.Issued()); got != tc.idTokens {
				t.Errorf("ID tokens issued = %d, want %d (one fresh token per attempt)", got, tc.idTokens)
			}
			if tc.sleeps != nil && !reflect.DeepEqual(f.clock.Sleeps(), tc.sleeps) {
				t.Errorf("sleeps = %v, want %v", f.clock.Sleeps(), tc.sleeps)
			}
			if tc.wantClass == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if res.Token != f.sts.Token {
					t.Fatalf("token %q", res.Token)
				}
				return
			}
			var se *sts.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not *sts.Error", err)
			}
			if se.Class != tc.wantClass || se.Status != tc.wantCode || se.GaveUp != tc.gaveUp {
				t.Errorf("got class %q status %d gaveUp %v, want %q %d %v", se.Class, se.Status, se.GaveUp, tc.wantClass, tc.wantCode, tc.gaveUp)
			}
			if !strings.Contains(se.Message, tc.msg) {
				t.Errorf("message %q does not contain %q", se.Message, tc.msg)
			}
			for _, j := range f.id.Issued() {
				if strings.Contains(err.Error(), j) {
					t.Errorf("error leaks the JWT")
				}
			}
			if strings.Contains(err.Error(), f.sts.Token) {
				t.Errorf("error leaks the GitHub token")
			}
		})
	}
}

func TestExchangeScrubsEchoedJWT(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sts.Script(ststest.EchoDeny)
	_, err := f.client.Exchange(context.Background(), req, f.src)
	var se *sts.Error
	if !errors.As(err, &se) || se.Status != 403 {
		t.Fatalf("got %v", err)
	}
	jwt := f.id.Issued()[0]
	for _, part := range append(strings.Split(jwt, "."), jwt) {
		if strings.Contains(se.Message, part) {
			t.Fatalf("message leaks JWT material: %q", se.Message)
		}
	}
	if !strings.Contains(se.Message, "bad token ***") {
		t.Errorf("message %q lost the server text", se.Message)
	}
	if strings.Contains(se.Message, "\n") {
		t.Errorf("message keeps a newline that could start a workflow command: %q", se.Message)
	}
}

func TestExchangeGivesUpBeforeDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.client.Timeout = 1500 * time.Millisecond
	f.sts.Script("503", "503", "503", "503")
	_, err := f.client.Exchange(context.Background(), req, f.src)
	var se *sts.Error
	if !errors.As(err, &se) || !se.GaveUp {
		t.Fatalf("got %v", err)
	}
	// 0.5s, then 1s would end at 1.5s: the second wait would reach the deadline, so stop at 2 attempts.
	if se.Attempts != 2 || !strings.Contains(se.Message, "timeout would pass") {
		t.Errorf("attempts=%d message=%q", se.Attempts, se.Message)
	}
	if got := se.Summary(); got != "2 attempts in 0.5s; last: 503" {
		t.Errorf("summary %q", got)
	}
	if se.Title() != "octo-sts: server error (503)" {
		t.Errorf("title %q", se.Title())
	}
}

func TestExchangeRetryAfterBeyondDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Under the 1 s the server asks for, yet long enough for the first attempt (ID token, TLS,
	// answer) under -race on a busy machine: 500 ms was not, once.
	f.client.Timeout = 950 * time.Millisecond
	f.sts.Script(ststest.RateLimit)
	_, err := f.client.Exchange(context.Background(), req, f.src)
	var se *sts.Error
	if !errors.As(err, &se) || se.Status != 429 || !strings.Contains(se.Message, "server asked to wait 1s") {
		t.Fatalf("got %v", err)
	}
	if len(f.clock.Sleeps()) != 0 {
		t.Errorf("slept although the deadline could not be met")
	}
}

func TestExchangeValidatesBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, r := range []sts.Request{{Scope: "octo org/app", Identity: "deploy"}, {Scope: "octo-org/app", Identity: "../x"}} {
		_, err := f.client.Exchange(context.Background(), r, f.src)
		var se *sts.Error
		if !errors.As(err, &se) || se.Class != sts.ClassInput {
			t.Fatalf("%+v: got %v", r, err)
		}
	}
	if f.sts.Requests() != 0 || len(f.id.Issued()) != 0 {
		t.Fatal("a request was sent for invalid input")
	}
}

func TestExchangeMissingPermission(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	src := &idtoken.Actions{Getenv: func(string) string { return "" }, Audience: "x"}
	_, err := f.client.Exchange(context.Background(), req, src.Token)
	var se *sts.Error
	if !errors.As(err, &se) || se.Class != sts.ClassIDToken || !strings.Contains(se.Message, "id-token: write") {
		t.Fatalf("got %v", err)
	}
	if se.Attempts != 1 {
		t.Errorf("missing permission was retried: %d attempts", se.Attempts)
	}
}

func TestExchangeAudienceMismatchIs403(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": f.id.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": f.id.RequestToken}
	src := &idtoken.Actions{Getenv: func(k string) string { return env[k] }, Audience: "https://github.com/octo-org"}
	_, err := f.client.Exchange(context.Background(), req, src.Token)
	var se *sts.Error
	if !errors.As(err, &se) || se.Status != 403 || !strings.Contains(se.Message, "audience") {
		t.Fatalf("got %v", err)
	}
}

func TestExchangeURLEncodes(t *testing.T) {
	t.Parallel()
	c := &sts.Client{Domain: "sts.example.com:8443"}
	got := c.ExchangeURL(sts.Request{Scope: "org/repo", Identity: "a+b&c"})
	want := "https://sts.example.com:8443/sts/exchange?identity=a%2Bb%26c&scope=org%2Frepo&scopes=org%2Frepo"
	if got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

func TestBackoffDelay(t *testing.T) {
	t.Parallel()
	b := sts.Backoff{Initial: time.Second, Max: 4 * time.Second, Rand: func() float64 { return 0.5 }}
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 3 * time.Second}
	for i, w := range want {
		if got := b.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %v want %v", i+1, got, w)
		}
	}
}

func TestNewHTTPClientKeepsProxyFromEnvironment(t *testing.T) {
	t.Parallel()
	tr, ok := sts.NewHTTPClient().Transport.(*http.Transport)
	if !ok || tr.Proxy == nil {
		t.Fatal("transport drops proxy settings")
	}
	if reflect.ValueOf(tr.Proxy).Pointer() != reflect.ValueOf(http.ProxyFromEnvironment).Pointer() {
		t.Fatal("proxy is not http.ProxyFromEnvironment")
	}
	if tr.TLSClientConfig != nil && tr.TLSClientConfig.RootCAs != nil {
		t.Fatal("custom RootCAs would ignore SSL_CERT_FILE")
	}
}

// A redirect must never carry the bearer JWT anywhere: Go's client keeps the Authorization
// header on a redirect to the same host name (even to another port or to plain http), so a
// misconfigured proxy could downgrade the exchange and expose a replayable ID token.
func TestExchangeDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	got := make(chan string, 4)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization")
		_, _ = w.Write([]byte(`{"token":"ghs_redirectedtoken000"}`))
	}))
	t.Cleanup(plain.Close)
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, plain.URL+r.URL.RequestURI(), status)
		}))
		t.Cleanup(redirector.Close)
		c := &sts.Client{Domain: strings.TrimPrefix(redirector.URL, "https://"), HTTPClient: redirector.Client(), Clock: ststest.NewClock(), MaxAttempts: 1}
		jwt := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl"
		_, err := c.Exchange(context.Background(), req, func(context.Context) (string, error) { return jwt, nil })
		var se *sts.Error
		if !errors.As(err, &se) || se.Class != sts.ClassBadResponse || se.Attempts != 1 ||
			!strings.Contains(se.Message, "redirect from https://"+strings.TrimPrefix(redirector.URL, "https://")) ||
			!strings.Contains(se.Message, "to http://"+strings.TrimPrefix(plain.URL, "http://")) {
			t.Errorf("%d: got %v, want a permanent failure naming both origins", status, err)
		}
		select {
		case a := <-got:
			t.Fatalf("%d: the redirect was followed (Authorization %q reached the target)", status, a)
		default:
		}
	}
}

// A redirect within the STS origin is harmless and followed (bounded by credhttp).
func TestExchangeFollowsSameOriginRedirect(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sts/exchange" {
			http.Redirect(w, r, "/sts/exchange2?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return
		}
		if r.Header.Get("Authorization") == "" {
			http.Error(w, "no auth", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"token":"ghs_sameoriginredirect000"}`))
	}))
	t.Cleanup(srv.Close)
	c := &sts.Client{Domain: strings.TrimPrefix(srv.URL, "https://"), HTTPClient: srv.Client(), Clock: ststest.NewClock(), MaxAttempts: 1}
	jwt := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl"
	res, err := c.Exchange(context.Background(), req, func(context.Context) (string, error) { return jwt, nil })
	if err != nil || res.Token != "ghs_sameoriginredirect000" {
		t.Fatalf("got %v, %v; want the token through a same-origin redirect", res, err)
	}
}

// A server that echoes the bearer token JSON-escaped (\u0065yJ…) defeats a scrub of the raw
// body; the message limit must not then cut the decoded token into a fragment no scrub matches.
func TestExchangeScrubsEscapedEchoBeforeTruncating(t *testing.T) {
	t.Parallel()
	header := "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
	payload := "eyJzdWIiOiJyZXBvOm9jdG8tb3JnL2FwcDpyZWY6cmVmcy9oZWFkcy9tYWluIn0"
	sig := strings.Repeat("S1gnatureBytes_-", 22)
	jwt := header + "." + payload + "." + sig
	esc := func(seg string) string { return fmt.Sprintf("\\u%04x", seg[0]) + seg[1:] }
	// Place the token so that the 1 KiB message limit falls inside the signature.
	pad := strings.Repeat("x", 1024-len(header)-len(payload)-2-40)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"code":7,"message":"%s%s.%s.%s","details":[]}`, pad, esc(header), esc(payload), esc(sig))
	}))
	t.Cleanup(srv.Close)
	c := &sts.Client{Domain: strings.TrimPrefix(srv.URL, "https://"), HTTPClient: srv.Client(), Clock: ststest.NewClock()}
	_, err := c.Exchange(context.Background(), req, func(context.Context) (string, error) { return jwt, nil })
	var se *sts.Error
	if !errors.As(err, &se) || se.Status != 403 {
		t.Fatalf("got %v", err)
	}
	for i := 0; i+16 <= len(sig); i += 4 {
		if strings.Contains(se.Message, sig[i:i+16]) {
			t.Fatalf("message leaks a fragment of the JWT signature: %q", se.Message)
		}
	}
	if !strings.Contains(se.Message, "xxxx") {
		t.Errorf("message lost the server text: %q", se.Message)
	}
}

// cancelRaceTransport answers the way net/http can when a response races the request's own
// cancellation: only after the request context has ended, with the empty 200 a server handler
// writes when it gives up because the client hung up.
type cancelRaceTransport struct{ calls atomic.Int32 }

func (c *cancelRaceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.calls.Add(1) == 1 {
		<-r.Context().Done()
		return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader(`{"token":"ghs_secondattempt0001"}`)), Header: http.Header{}, Request: r}, nil
}

// A per-request timeout is a retryable timeout even when net/http returns the racing empty 200
// instead of the context error (this made the "hang" case above flaky under -race).
func TestExchangeTimeoutRacingAnEmpty200IsRetried(t *testing.T) {
	t.Parallel()
	tr := &cancelRaceTransport{}
	c := &sts.Client{Domain: "sts.example.com", HTTPClient: &http.Client{Transport: tr}, Clock: ststest.NewClock(), RequestTimeout: 50 * time.Millisecond, Backoff: sts.Backoff{Rand: func() float64 { return 0 }}}
	jwt := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl"
	res, err := c.Exchange(context.Background(), req, func(context.Context) (string, error) { return jwt, nil })
	if err != nil || res.Token != "ghs_secondattempt0001" || res.Attempts != 2 {
		t.Fatalf("got %+v, %v; want the timed-out attempt retried", res, err)
	}
}

// TestNoRetryOnUnverifiedCertificate: a certificate that does not verify cannot be fixed by
// retrying; the client says so after one attempt.
func TestNoRetryOnUnverifiedCertificate(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	c := &sts.Client{Domain: strings.TrimPrefix(srv.URL, "https://"), HTTPClient: &http.Client{}, Clock: ststest.NewClock()}
	_, err := c.Exchange(context.Background(), sts.Request{Scope: "org/repo", Identity: "deploy"}, func(context.Context) (string, error) { return "a.b.c", nil })
	var se *sts.Error
	if !errors.As(err, &se) || se.Class != sts.ClassNetwork || se.Attempts != 1 || !strings.Contains(se.Message, "does not verify") {
		t.Fatalf("got %#v", err)
	}
}

// TestRetryStatusSemantics: 503 (a current server's transient policy read) is retried, 403 never.
func TestRetryStatusSemantics(t *testing.T) {
	for _, c := range []struct {
		status, attempts int
	}{{http.StatusServiceUnavailable, 3}, {http.StatusForbidden, 1}, {http.StatusTooManyRequests, 3}} {
		var hits atomic.Int32
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			if r.URL.Query().Get("scope") != "org/repo" || r.URL.Query().Get("scopes") != "org/repo" {
				t.Errorf("want scope and scopes, got %s", r.URL.RawQuery)
			}
			w.WriteHeader(c.status)
			fmt.Fprint(w, `{"code":14,"message":"x","details":[]}`)
		}))
		cl := &sts.Client{Domain: strings.TrimPrefix(srv.URL, "https://"), HTTPClient: srv.Client(), Clock: ststest.NewClock(), MaxAttempts: 3,
			Backoff: sts.Backoff{Rand: func() float64 { return 0 }}}
		_, err := cl.Exchange(context.Background(), sts.Request{Scope: "org/repo", Identity: "deploy"}, func(context.Context) (string, error) { return "a.b.c", nil })
		srv.Close()
		var se *sts.Error
		if !errors.As(err, &se) || int(hits.Load()) != c.attempts {
			t.Errorf("status %d: %d attempts, want %d (%v)", c.status, hits.Load(), c.attempts, err)
		}
	}
}
