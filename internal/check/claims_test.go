package check

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseClaimsMirrorsTheServer(t *testing.T) {
	for _, c := range []struct {
		name    string
		payload string
		iss     string
		sub     string
		aud     []string
		raw     map[string]any
		err     bool
	}{
		{name: "string aud", payload: `{"iss":"https://x","sub":"s","aud":"a"}`, iss: "https://x", sub: "s", aud: []string{"a"}},
		{name: "list aud", payload: `{"aud":["a","b"]}`, aud: []string{"a", "b"}},
		// §8.12: null aud is one empty audience, not "no audience".
		{name: "null aud", payload: `{"aud":null}`, aud: []string{""}},
		{name: "no aud", payload: `{"sub":"s"}`, sub: "s"},
		// §8.11: the struct matches keys case-insensitively, the last wins; the raw map keeps both.
		{name: "case-variant sub", payload: `{"sub":"good","Sub":"evil"}`, sub: "evil", raw: map[string]any{"sub": "good", "Sub": "evil"}},
		{name: "long s", payload: `{"ſub":"folded"}`, sub: "folded"},
		{name: "numeric string exp", payload: `{"exp":"1767225600"}`},
		{name: "float exp", payload: `{"exp":1767225600.5}`},
		{name: "json null payload", payload: `null`},
		{name: "non-string sub", payload: `{"sub":5}`, err: true},
		{name: "non-string iss", payload: `{"iss":true}`, err: true},
		{name: "aud number", payload: `{"aud":5}`, err: true},
		{name: "exp bool", payload: `{"exp":true}`, err: true},
		{name: "array", payload: `[1]`, err: true},
		{name: "garbage", payload: `{`, err: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseClaims([]byte(c.payload))
			if c.err {
				if !errors.Is(err, ErrUndecodable) {
					t.Fatalf("want ErrUndecodable, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Issuer != c.iss || got.Subject != c.sub || strings.Join(got.Audience, "|") != strings.Join(c.aud, "|") || len(got.Audience) != len(c.aud) {
				t.Fatalf("got iss %q sub %q aud %q", got.Issuer, got.Subject, got.Audience)
			}
			for k, v := range c.raw {
				if got.Raw[k] != v {
					t.Errorf("raw[%q] = %v, want %v", k, got.Raw[k], v)
				}
			}
		})
	}
	c, err := ParseClaims([]byte(`{"exp":"1767225600","nbf":1767225000}`))
	if err != nil || !c.Expiry.Equal(time.Unix(1767225600, 0)) || c.NotBefore == nil || !c.NotBefore.Equal(time.Unix(1767225000, 0)) {
		t.Fatalf("times: %+v %v", c, err)
	}
}

func TestParseClaimsErrorsNeverEchoInput(t *testing.T) {
	_, err := ParseClaims([]byte(`{"sub":["secret-value"]}`))
	if err == nil || strings.Contains(err.Error(), "secret-value") {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(err.Error(), `"sub"`) {
		t.Errorf("error %v does not name the claim", err)
	}
}

func TestSplitJWT(t *testing.T) {
	if _, err := SplitJWT("onlyone"); !errors.Is(err, ErrUndecodable) {
		t.Errorf("one part: %v", err)
	}
	// Padded base64 is refused, like the server's RawURLEncoding.
	if _, err := SplitJWT("a.eyJhIjoxfQ==.c"); !errors.Is(err, ErrUndecodable) {
		t.Errorf("padded: %v", err)
	}
	p, err := SplitJWT("a.eyJhIjoxfQ")
	if err != nil || string(p) != `{"a":1}` {
		t.Errorf("two parts: %q %v", p, err)
	}
	c, err := ParseJWT("h.eyJpc3MiOiJodHRwczovL3giLCJzdWIiOiJzIn0.sig")
	if err != nil || c.Issuer != "https://x" || c.Subject != "s" {
		t.Errorf("ParseJWT: %+v %v", c, err)
	}
}

func TestNormalizeIssuer(t *testing.T) {
	if NormalizeIssuer("accounts.google.com") != "https://accounts.google.com" || NormalizeIssuer("https://x") != "https://x" {
		t.Fatal("NormalizeIssuer")
	}
}

func TestTokenArg(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "tok")
	if err := os.WriteFile(f, []byte("  h.p.s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("a", maxTokenBytes+2)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		arg, stdin, want, err string
	}{
		{arg: "h.p.s", want: "h.p.s"},
		{arg: "Bearer h.p.s", want: "h.p.s"},
		{arg: "bearer h.p.s", err: "whitespace"},
		{arg: "@" + f, want: "h.p.s"},
		{arg: "@-", stdin: "h.p.s\n", want: "h.p.s"},
		{arg: "@", err: "give a file name"},
		{arg: "@" + filepath.Join(dir, "missing"), err: "no such file"},
		{arg: "@" + big, err: "larger than"},
		{arg: "", err: "empty"},
		{arg: "nodots", err: "not a JWT"},
		{arg: "h.p.s h.p.s", err: "whitespace"},
	} {
		got, err := TokenArg(c.arg, strings.NewReader(c.stdin))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("TokenArg(%q): err %v, want %q", c.arg, err, c.err)
			}
			if err != nil && len(c.arg) > 8 && !strings.HasPrefix(c.arg, "@") && strings.Contains(err.Error(), c.arg) {
				t.Errorf("TokenArg(%q): error echoes the token", c.arg)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("TokenArg(%q) = %q, %v; want %q", c.arg, got, err, c.want)
		}
	}
	if _, err := TokenArg("@-", nil); err == nil {
		t.Error("@- without stdin accepted")
	}
}

func TestReadClaimsFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "c.json")
	os.WriteFile(f, []byte("\xef\xbb\xbf{\"sub\":\"s\"}"), 0o600)
	c, err := ReadClaimsFile(f, nil)
	if err != nil || c.Subject != "s" {
		t.Fatalf("BOM-prefixed file: %+v %v", c, err)
	}
	c, err = ReadClaimsFile("-", strings.NewReader(`{"sub":"t"}`))
	if err != nil || c.Subject != "t" {
		t.Fatalf("stdin: %+v %v", c, err)
	}
	if _, err := ReadClaimsFile(filepath.Join(dir, "nope"), nil); err == nil || !strings.Contains(err.Error(), "--claims") {
		t.Fatalf("missing file: %v", err)
	}
	os.WriteFile(f, []byte(`{"sub":1}`), 0o600)
	if _, err := ReadClaimsFile(f, nil); err == nil || !strings.Contains(err.Error(), "--claims") {
		t.Fatalf("bad claims: %v", err)
	}
}

func FuzzParseClaims(f *testing.F) {
	for _, s := range []string{`{"iss":"https://x","sub":"s","aud":["a"]}`, `{"aud":null}`, `{"sub":"a","Sub":"b"}`, `null`, `[]`, `{"exp":"12"}`, `{"nbf":1e300}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseClaims(data)
		if err != nil {
			if !errors.Is(err, ErrUndecodable) {
				t.Fatalf("error %v does not wrap ErrUndecodable", err)
			}
			return
		}
		if c.Raw == nil {
			t.Fatal("nil raw claims on success")
		}
	})
}

func FuzzSplitJWT(f *testing.F) {
	for _, s := range []string{"a.b.c", "a.eyJhIjoxfQ.c", "", ".", "a..", "a.eyJhIjoxfQ=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := SplitJWT(s)
		if err == nil && strings.Count(s, ".") < 1 {
			t.Fatalf("accepted %q without a payload part", s)
		}
		if err == nil {
			if _, err := ParseClaims(p); err != nil && !errors.Is(err, ErrUndecodable) {
				t.Fatal(err)
			}
		}
	})
}

func FuzzTokenArg(f *testing.F) {
	for _, s := range []string{"h.p.s", "Bearer h.p.s", "@-", "@", "", " x.y ", "a\x00.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		if strings.HasPrefix(arg, "@") && arg != "@" && arg != "@-" {
			return // file names: not fuzzed against the file system
		}
		got, err := TokenArg(arg, strings.NewReader("h.p.s"))
		if err != nil {
			if len(arg) > 16 && strings.Contains(err.Error(), arg) {
				t.Fatalf("error echoes the argument: %v", err)
			}
			return
		}
		if got == "" || strings.ContainsAny(got, " \t\r\n") || !strings.Contains(got, ".") {
			t.Fatalf("TokenArg(%q) = %q", arg, got)
		}
	})
}

func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","e":"AQAB","n":"sXch"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, algs, err := ParseJWKS(data)
		if err == nil && (len(keys) == 0 || len(algs) == 0) {
			t.Fatalf("accepted a key set with %d keys and %d algorithms", len(keys), len(algs))
		}
	})
}
