package revoke_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octo-sts/action/internal/revoke"
	"github.com/octo-sts/action/internal/sts/ststest"
)

func api(t *testing.T) *ststest.GitHubAPI {
	t.Helper()
	g, err := ststest.NewGitHubAPI("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

func noSleep(context.Context, time.Duration) error { return nil }

func TestRevoke(t *testing.T) {
	t.Parallel()
	g := api(t)
	g.Accept("ghs_live_token_1")
	out, err := revoke.Revoke(context.Background(), revoke.Options{APIURL: g.URL, Token: "ghs_live_token_1", Sleep: noSleep})
	if err != nil || out != revoke.Revoked {
		t.Fatalf("got %v %v", out, err)
	}
	if r := g.Revoked(); len(r) != 1 || r[0] != "ghs_live_token_1" {
		t.Fatalf("revoked %v", r)
	}
	// Second call: GitHub answers 401 for a revoked token.
	out, err = revoke.Revoke(context.Background(), revoke.Options{APIURL: g.URL, Token: "ghs_live_token_1", Sleep: noSleep})
	if err != nil || out != revoke.AlreadyInvalid {
		t.Fatalf("got %v %v", out, err)
	}
}

func TestRevokeGHESPath(t *testing.T) {
	t.Parallel()
	g := api(t)
	g.Accept("ghs_enterprise_tok")
	out, err := revoke.Revoke(context.Background(), revoke.Options{APIURL: g.URL + "/api/v3", Token: "ghs_enterprise_tok", Sleep: noSleep})
	if err != nil || out != revoke.Revoked {
		t.Fatalf("got %v %v", out, err)
	}
}

func TestRevokeFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status   int
		attempts int
		msg      string
	}{
		{http.StatusInternalServerError, 3, "GitHub answered 500"},
		{http.StatusForbidden, 1, "GitHub answered 403"},
		{http.StatusNotFound, 1, "GitHub answered 404"},
	}
	for _, c := range cases {
		t.Run(http.StatusText(c.status), func(t *testing.T) {
			t.Parallel()
			g := api(t)
			g.ForceStatus(c.status)
			slept := 0
			out, err := revoke.Revoke(context.Background(), revoke.Options{APIURL: g.URL, Token: "ghs_some_token_x", Sleep: func(context.Context, time.Duration) error { slept++; return nil }})
			if out != revoke.Failed || err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v %v", out, err)
			}
			if strings.Contains(err.Error(), "ghs_some_token_x") {
				t.Fatal("error leaks the token")
			}
			if slept != c.attempts-1 {
				t.Errorf("retried %d times, want %d", slept, c.attempts-1)
			}
		})
	}
}

func TestRevokeBadInput(t *testing.T) {
	t.Parallel()
	for _, o := range []revoke.Options{{Token: ""}, {Token: "x", APIURL: "ftp://x"}, {Token: "x", APIURL: "api.github.com"}} {
		if out, err := revoke.Revoke(context.Background(), o); out != revoke.Failed || err == nil {
			t.Errorf("%+v: got %v %v", o, out, err)
		}
	}
}

func TestRevokeUnreachable(t *testing.T) {
	t.Parallel()
	g := api(t)
	url := g.URL
	g.Close()
	out, err := revoke.Revoke(context.Background(), revoke.Options{APIURL: url, Token: "ghs_token_zz", Sleep: noSleep})
	if out != revoke.Failed || err == nil {
		t.Fatalf("got %v %v", out, err)
	}
}

// go-github's WithAuthToken transport sets Authorization on every request it sends, redirect
// hops included, so following a redirect would hand the installation token to whatever host the
// Location names. A redirect to another origin must fail, once, naming both origins.
func TestRevokeFollowsSameOriginRedirect(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/installation/token" {
			http.Redirect(w, r, "/moved/installation/token", http.StatusTemporaryRedirect)
			return
		}
		if r.Header.Get("Authorization") != "Bearer ghs_same_origin" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	out, err := revoke.Revoke(context.Background(), revoke.Options{APIURL: srv.URL, Token: "ghs_same_origin", Sleep: noSleep})
	if out != revoke.Revoked {
		t.Fatalf("got %v %v, want a revocation through a same-origin redirect", out, err)
	}
}

func TestRevokeDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	got := make(chan string, 8)
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization")
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(elsewhere.Close)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, status)
		}))
		t.Cleanup(redirector.Close)
		var hits atomic.Int32
		counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			redirector.Config.Handler.ServeHTTP(w, r)
		}))
		t.Cleanup(counted.Close)
		out, err := revoke.Revoke(context.Background(), revoke.Options{APIURL: counted.URL, Token: "ghs_redirect_token", Sleep: noSleep})
		if out != revoke.Failed || err == nil || strings.Contains(err.Error(), "ghs_redirect_token") ||
			!strings.Contains(err.Error(), strings.TrimPrefix(counted.URL, "http://")) || !strings.Contains(err.Error(), strings.TrimPrefix(elsewhere.URL, "http://")) {
			t.Errorf("%d: got %v %v, want a failure naming both origins that does not quote the token", status, out, err)
		}
		if hits.Load() != 1 {
			t.Errorf("%d: %d requests; a refused redirect is not worth retrying", status, hits.Load())
		}
		select {
		case a := <-got:
			t.Fatalf("%d: the redirect was followed and sent Authorization %q to another host", status, a)
		default:
		}
	}
}
