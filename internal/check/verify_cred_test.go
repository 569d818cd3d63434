package check

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Discovery follows the issuer's redirects as the server does, so it must carry no credential.
func TestDiscoveryClientCarriesNoCredential(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization") + r.Header.Get("Cookie")
	}))
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Authorization", "Bearer leaked")
	req.Header.Set("Cookie", "session=leaked")
	resp, err := discoveryClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := <-got; c != "" {
		t.Fatalf("discovery sent a credential: %q", c)
	}
}
