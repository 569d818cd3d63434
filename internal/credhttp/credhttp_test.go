package credhttp_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/octo-sts/action/internal/credhttp"
)

// sink counts the requests that reached it and whether any carried a credential.
type sink struct {
	hits, creds atomic.Int32
}

func (s *sink) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			s.creds.Add(1)
		}
		_, _ = w.Write([]byte("ok"))
	})
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer secret-credential")
	resp, err := c.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestCrossOriginRedirectIsRefused(t *testing.T) {
	t.Parallel()
	var plain, tls sink
	plainSrv := httptest.NewServer(plain.handler()) // same host (127.0.0.1), other port, http
	t.Cleanup(plainSrv.Close)
	tlsTarget := httptest.NewTLSServer(tls.handler()) // same host, other port, https
	t.Cleanup(tlsTarget.Close)
	for name, target := range map[string]string{
		"other port": tlsTarget.URL + "/x",
		"plain http": plainSrv.URL + "/x",
		"other host": strings.Replace(tlsTarget.URL, "127.0.0.1", "localhost", 1) + "/x",
	} {
		redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target, http.StatusTemporaryRedirect)
		}))
		t.Cleanup(redirector.Close)
		c, err := credhttp.Bind(redirector.Client(), redirector.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, err = get(t, c, redirector.URL+"/start")
		var oe *credhttp.OriginError
		if !errors.As(err, &oe) || !oe.Redirect {
			t.Fatalf("%s: got %v, want an OriginError", name, err)
		}
		tu, _ := url.Parse(target)
		ru, _ := url.Parse(redirector.URL)
		if !strings.Contains(err.Error(), credhttp.Origin(ru)) || !strings.Contains(err.Error(), credhttp.Origin(tu)) {
			t.Errorf("%s: %q does not name both origins", name, err)
		}
	}
	if plain.hits.Load()+tls.hits.Load() != 0 {
		t.Fatalf("a refused redirect still reached its target (%d, %d requests)", plain.hits.Load(), tls.hits.Load())
	}
}

func TestSameOriginRedirectIsFollowedBounded(t *testing.T) {
	t.Parallel()
	var s sink
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, srv.URL+"/final", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			s.handler().ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := credhttp.Bind(srv.Client(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := get(t, c, srv.URL+"/start")
	if err != nil || resp.StatusCode != 200 || s.creds.Load() != 1 {
		t.Fatalf("same-origin redirect: resp %v err %v creds %d", resp, err, s.creds.Load())
	}
	if _, err := get(t, c, srv.URL+"/loop"); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("redirect loop: got %v, want a bounded failure", err)
	}
}

func TestRequestToAnotherOriginNeverLeaves(t *testing.T) {
	t.Parallel()
	var s sink
	other := httptest.NewServer(s.handler())
	t.Cleanup(other.Close)
	c, err := credhttp.Bind(nil, "https://api.github.com")
	if err != nil {
		t.Fatal(err)
	}
	_, err = get(t, c, other.URL)
	var oe *credhttp.OriginError
	if !errors.As(err, &oe) || oe.Redirect || s.hits.Load() != 0 {
		t.Fatalf("got %v with %d requests sent, want a refusal before sending", err, s.hits.Load())
	}
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://API.github.com/x":   "https://api.github.com:443",
		"https://api.github.com:443": "https://api.github.com:443",
		"http://h":                   "http://h:80",
		"HTTPS://h:8443/p?q":         "https://h:8443",
		"https://[::1]/":             "https://[::1]:443",
	} {
		u, _ := url.Parse(in)
		if got := credhttp.Origin(u); got != want {
			t.Errorf("Origin(%s) = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "ftp://h", "/relative", "https://"} {
		if _, err := credhttp.Bind(nil, bad); err == nil {
			t.Errorf("Bind(%q) accepted", bad)
		}
	}
}

func TestAnonymousStripsCredentials(t *testing.T) {
	t.Parallel()
	var s sink
	srv := httptest.NewServer(s.handler())
	t.Cleanup(srv.Close)
	if _, err := get(t, credhttp.Anonymous(srv.Client()), srv.URL); err != nil {
		t.Fatal(err)
	}
	if s.hits.Load() != 1 || s.creds.Load() != 0 {
		t.Fatalf("hits %d creds %d, want one request without a credential", s.hits.Load(), s.creds.Load())
	}
}
