package workflow

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAPISource(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Error("the token followed a redirect to another origin")
		}
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/repos/acme/infra/contents/.github/chainguard/app.sts.yaml":
			_, _ = w.Write([]byte("issuer: x\n"))
		case "/repos/acme/infra":
			_, _ = w.Write([]byte(`{"id":1}`))
		case "/repos/acme/infra/contents/.github/chainguard/moved.sts.yaml":
			http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	a := API{BaseURL: srv.URL, Token: "tok", Client: srv.Client()}
	ctx := context.Background()
	if data, _, err := a.Policy(ctx, "acme/infra", "app"); err != nil || string(data) != "issuer: x\n" {
		t.Errorf("existing policy: %q, %v", data, err)
	}
	if _, _, err := a.Policy(ctx, "acme/infra", "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing policy in a visible repository: %v, want ErrNotFound", err)
	}
	if _, _, err := a.Policy(ctx, "acme/secret", "app"); !errors.Is(err, ErrNotChecked) {
		t.Errorf("invisible repository: %v, want ErrNotChecked (GitHub hides it behind 404)", err)
	}
	if _, _, err := a.Policy(ctx, "acme/infra", "moved"); !errors.Is(err, ErrNotChecked) {
		t.Errorf("cross-origin redirect: %v, want ErrNotChecked", err)
	}
	if _, _, err := a.Policy(ctx, "acme/infra", "../x"); !errors.Is(err, ErrNotChecked) {
		t.Errorf("escaping identity: %v", err)
	}
}
