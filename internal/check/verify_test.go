package check

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/octo-sts/action/internal/check/checktest"
)

var verifyNow = time.Unix(1767225600, 0)

func verifyClaims(iss string, mod func(map[string]any)) map[string]any {
	c := map[string]any{"iss": iss, "sub": "repo:acme/widgets:ref:refs/heads/main", "aud": "octo-sts.dev",
		"iat": verifyNow.Unix(), "exp": verifyNow.Add(5 * time.Minute).Unix()}
	if mod != nil {
		mod(c)
	}
	return c
}

// serve starts a handler on 127.0.0.1 for the test's lifetime.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestVerifyLikeTheServer(t *testing.T) {
	k := checktest.NewKey(t)
	srv := checktest.Issuer(t, k)
	other := checktest.NewKey(t)
	now := func() time.Time { return verifyNow }
	online := VerifyOptions{Now: now}
	offline := VerifyOptions{Now: now, JWKS: k.JWKS(t)}

	big := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"issuer":"x",` + strings.Repeat(" ", 150<<10) + `"jwks_uri":"x"}`))
	}))
	redirect := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://evil.example.com/.well-known/openid-configuration", http.StatusFound)
	}))

	for _, c := range []struct {
		name   string
		raw    string
		opts   VerifyOptions
		status int
		msg    string
		reason string
	}{
		{name: "discovery ok", raw: k.Sign(t, verifyClaims(srv.URL, nil)), opts: online},
		{name: "discovery with the test client", raw: k.Sign(t, verifyClaims(srv.URL, nil)), opts: VerifyOptions{Now: now, HTTPClient: srv.Client()}},
		{name: "jwks ok", raw: k.Sign(t, verifyClaims("https://token.actions.githubusercontent.com", nil)), opts: offline},
		{name: "nbf within the 5 min leeway", raw: k.Sign(t, verifyClaims(srv.URL, func(c map[string]any) { c["nbf"] = verifyNow.Add(4 * time.Minute).Unix() })), opts: online},
		{name: "expired", raw: k.Sign(t, verifyClaims(srv.URL, func(c map[string]any) { c["exp"] = verifyNow.Add(-time.Second).Unix() })), opts: online,
			status: 401, msg: MsgVerify, reason: "the token expired at 2025-12-31T23:59:59Z"},
		{name: "no exp", raw: k.Sign(t, verifyClaims(srv.URL, func(c map[string]any) { delete(c, "exp") })), opts: offline,
			status: 401, msg: MsgVerify, reason: "no exp claim"},
		{name: "nbf 10 min ahead", raw: k.Sign(t, verifyClaims(srv.URL, func(c map[string]any) { c["nbf"] = verifyNow.Add(10 * time.Minute).Unix() })), opts: online,
			status: 401, msg: MsgVerify, reason: "nbf"},
		{name: "other key", raw: other.Sign(t, verifyClaims(srv.URL, nil)), opts: online, status: 401, msg: MsgVerify, reason: "signature"},
		{name: "other key offline", raw: other.Sign(t, verifyClaims(srv.URL, nil)), opts: offline, status: 401, msg: MsgVerify, reason: "signature"},
		{name: "tampered payload", raw: tamper(k.Sign(t, verifyClaims(srv.URL, nil))), opts: offline, status: 401, msg: MsgVerify},
		{name: "discovery 404", raw: k.Sign(t, verifyClaims(srv.URL+"/nope", nil)), opts: online, status: 400, msg: MsgProvider, reason: "404"},
		{name: "discovery over 100 KiB", raw: k.Sign(t, verifyClaims(big.URL, nil)), opts: online, status: 400, msg: MsgProvider},
		{name: "redirect to an invalid issuer", raw: k.Sign(t, verifyClaims(redirect.URL, nil)), opts: online, status: 400, msg: MsgProvider, reason: "refused"},
		{name: "invalid issuer", raw: k.Sign(t, verifyClaims("http://evil.example.com", nil)), opts: offline, status: 400, msg: MsgIssuerFormat},
		{name: "missing issuer", raw: k.Sign(t, verifyClaims("", nil)), opts: offline, status: 400, msg: MsgIssuerFormat},
		{name: "not a JWT", raw: "garbage", opts: offline, status: 400, msg: MsgInvalidBearer},
		{name: "payload not JSON", raw: "a.bm90IGpzb24.c", opts: offline, status: 400, msg: MsgInvalidBearer},
		{name: "bad jwks", raw: k.Sign(t, verifyClaims(srv.URL, nil)), opts: VerifyOptions{Now: now, JWKS: []byte(`{"keys":[{"kty":"oct","k":"AAAA"}]}`)},
			status: 400, msg: MsgProvider, reason: "--jwks"},
		{name: "empty jwks", raw: k.Sign(t, verifyClaims(srv.URL, nil)), opts: VerifyOptions{Now: now, JWKS: []byte(`{"keys":[]}`)},
			status: 400, msg: MsgProvider, reason: "no keys"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Verify(context.Background(), c.raw, c.opts)
			if !v.Checked || v.Offline != (c.opts.JWKS != nil) {
				t.Fatalf("state %+v", v)
			}
			if v.Status != c.status || v.Message != c.msg {
				t.Fatalf("got %d %q (%s), want %d %q", v.Status, v.Message, v.Reason, c.status, c.msg)
			}
			if v.OK() != (c.status == 0) {
				t.Fatalf("OK() = %v", v.OK())
			}
			if !strings.Contains(v.Reason, c.reason) {
				t.Errorf("reason %q lacks %q", v.Reason, c.reason)
			}
			if len(c.raw) > 20 && strings.Contains(v.Reason, c.raw) {
				t.Error("reason contains the token")
			}
		})
	}
}

// tamper rewrites the payload's subject so the signature no longer fits.
func tamper(raw string) string {
	parts := strings.Split(raw, ".")
	p, _ := base64.RawURLEncoding.DecodeString(parts[1])
	p = []byte(strings.Replace(string(p), "refs/heads/main", "refs/heads/evil", 1))
	parts[1] = base64.RawURLEncoding.EncodeToString(p)
	return strings.Join(parts, ".")
}

func TestParseJWKSAlgorithms(t *testing.T) {
	k := checktest.NewKey(t)
	keys, algs, err := ParseJWKS(k.JWKS(t))
	if err != nil || len(keys) != 1 || len(algs) != 1 || algs[0] != "RS256" {
		t.Fatalf("%v %v %v", keys, algs, err)
	}
	noAlg := strings.Replace(string(k.JWKS(t)), `"alg":"RS256",`, "", 1)
	if _, algs, err := ParseJWKS([]byte(noAlg)); err != nil || len(algs) < 5 {
		t.Fatalf("keys without alg: %v %v", algs, err)
	}
	if _, _, err := ParseJWKS([]byte("nope")); err == nil {
		t.Fatal("accepted a non-JSON key set")
	}
}
