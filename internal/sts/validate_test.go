package sts

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/octo-sts/action/internal/sts/ststest"
)

func TestValidateScope(t *testing.T) {
	t.Parallel()
	good := []string{"octo-org", "octo-org/app", "a", "A1/b.c_d-e", "o/.github", strings.Repeat("a", 39) + "/" + strings.Repeat("r", 100)}
	bad := []string{"", "my org/repo", "-org", "org-", "o--o", "org/", "/repo", "org/repo/x", "org/..", "org/.", "a,b/c", "org/re po", strings.Repeat("a", 40), "org/" + strings.Repeat("r", 101), "org\n", "ørg/x", "https://github.com/org/repo"}
	for _, s := range good {
		if err := ValidateScope(s); err != nil {
			t.Errorf("ValidateScope(%q) = %v", s, err)
		}
	}
	for _, s := range bad {
		err := ValidateScope(s)
		if err == nil {
			t.Errorf("ValidateScope(%q) accepted", s)
			continue
		}
		if !strings.Contains(err.Error(), `input "scope"`) {
			t.Errorf("error %q does not name the field", err)
		}
	}
}

func TestValidateIdentity(t *testing.T) {
	t.Parallel()
	good := []string{"deploy", "release-bot", "a.b", "x_y", "日本", "team/deploy", "a/b", "a..b"}
	bad := []string{"", "a/../b", "/a", "a/", "a//b", "./a", `a\b`, "..", "de ploy", "deploy\n", "\tdeploy", "deploy.sts.yaml", "a\x00", "a\u00a0b", strings.Repeat("x", 256)}
	for _, s := range good {
		if err := ValidateIdentity(s); err != nil {
			t.Errorf("ValidateIdentity(%q) = %v", s, err)
		}
	}
	for _, s := range bad {
		if err := ValidateIdentity(s); err == nil || !strings.Contains(err.Error(), `"identity"`) {
			t.Errorf("ValidateIdentity(%q) = %v", s, err)
		}
	}
	if err := ValidateIdentity("deploy.sts.yaml"); !strings.Contains(err.Error(), `use "deploy"`) {
		t.Errorf("suffix error lacks the fix: %v", err)
	}
}

func TestValidateDomain(t *testing.T) {
	t.Parallel()
	good := []string{"octo-sts.dev", "127.0.0.1:8443", "sts.example.com.", "[::1]:443", "[::1]", "localhost"}
	bad := []string{"", "https://octo-sts.dev", "octo-sts.dev/", "octo-sts.dev/sts", "octo-sts.dev?x=1", "octo-sts.dev#f", "user@octo-sts.dev", "octo sts.dev", "octo-sts.dev:", "octo-sts.dev:0", "octo-sts.dev:99999", "octo-sts.dev:08", "-a.dev", "a..dev", "[1.2.3.4]", "[::1", "a:b:c", "octo-sts.dev\n"}
	for _, s := range good {
		if err := ValidateDomain(s); err != nil {
			t.Errorf("ValidateDomain(%q) = %v", s, err)
		}
	}
	for _, s := range bad {
		if err := ValidateDomain(s); err == nil || !strings.Contains(err.Error(), `"domain"`) {
			t.Errorf("ValidateDomain(%q) = %v", s, err)
		}
	}
}

func TestSubjectProblem(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"repo:octo-org/app:ref:refs/heads/main", "repo:o@1/r@2:environment:Prod%3AV1"} {
		if p := SubjectProblem(ok); p != "" {
			t.Errorf("%q: %s", ok, p)
		}
	}
	for _, bad := range []string{"repo:o/r:environment:Prod Env", "repo:o/r:ref:refs/heads/a$(b)", "a\tb", strings.Repeat("x", 256)} {
		if SubjectProblem(bad) == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestValidateAudience(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"octo-sts.dev", "https://github.com/octo-org", "sts.example.com:8443"} {
		if err := ValidateAudience(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a@b", "a|b", "a b", "a\n", strings.Repeat("x", 256)} {
		if err := ValidateAudience(bad); err == nil || !strings.Contains(err.Error(), `"audience"`) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzValidateAudience(f *testing.F) {
	for _, s := range []string{"octo-sts.dev", "a@b", " x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateAudience(s) == nil && (s == "" || strings.ContainsAny(s, " \t\r\n@|")) {
			t.Fatalf("accepted %q", s)
		}
	})
}

func TestParseToken(t *testing.T) {
	t.Parallel()
	if tok, err := ParseToken([]byte(`{"token":"ghs_abcdefghijklmnopqrstuvwxyz0123456789","refreshToken":"","expiry":null}`)); err != nil || tok != "ghs_abcdefghijklmnopqrstuvwxyz0123456789" {
		t.Fatalf("got %q %v", tok, err)
	}
	for _, body := range []string{``, `null`, `[]`, `{"access_token":"ghs_x"}`, `{"token":""}`, `{"token":"a b"}`, `{"token":"a\nb"}`, `{"token":5}`, `{"token":"ghs_secret"`} {
		_, err := ParseToken([]byte(body))
		if err == nil {
			t.Errorf("ParseToken(%s) accepted", body)
			continue
		}
		if strings.Contains(err.Error(), "ghs_") {
			t.Errorf("error quotes the body: %v", err)
		}
	}
}

// A hostile STS must not be able to make the runner mask arbitrary text or write a token that
// breaks a file format: only 20..4096 printable, space-free ASCII passes, and no error echoes it.
func TestValidateToken(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"ghs_" + strings.Repeat("a", 36), "gho_" + strings.Repeat("Z9", 8), ststest.StatelessToken(), strings.Repeat("!", MaxTokenLen), strings.Repeat("~", MinTokenLen)} {
		if err := ValidateToken(ok); err != nil {
			t.Errorf("%.30q…: %v", ok, err)
		}
	}
	if n := len(ststest.StatelessToken()); n != 520 || !strings.ContainsAny(ststest.StatelessToken(), ".") || !strings.Contains(ststest.StatelessToken(), "-") || !strings.HasPrefix(ststest.StatelessToken(), "ghs_123456_") {
		t.Fatalf("StatelessToken is not the stateless format (%d chars)", n)
	}
	for _, bad := range []string{
		"", "abc", "octo-sts", "ghs_short", strings.Repeat("x", 19), strings.Repeat("x", MaxTokenLen+1),
		"ghs_aaaaaaaaaaaaaaaaaaaa bbbb", "ghs_aaaaaaaaaaaaaaaaaaaa\tb", "ghs_aaaaaaaaaaaaaaaaaaaa\nb",
		"ghs_aaaaaaaaaaaaaaaaaaaa\u200b", "ghs_aaaaaaaaaaaaaaaaaaaa\u202e", "ghs_aaaaaaaaaaaaaaaaaaaaé", "ghs_aaaaaaaaaaaaaaaaaaaa\x7f", "ghs_aaaaaaaaaaaaaaaaaaaa\x00",
	} {
		err := ValidateToken(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
			continue
		}
		if len(bad) >= 3 && strings.Contains(err.Error(), bad) {
			t.Errorf("error echoes the token: %v", err)
		}
	}
}

func TestParseErrorBody(t *testing.T) {
	t.Parallel()
	cases := []struct{ body, msg string }{
		{`{"code":7,"message":"trust policy: subject \"x\" did not match \"y\"","details":[]}`, `trust policy: subject "x" did not match "y"`},
		{`{"message":"line1\nline2\u001b[31m"}`, "line1 line2[31m"},
		{`<html>bad gateway</html>`, "<html>bad gateway</html>"},
		{"  ", ""},
		{`{"error":"nope"}`, "nope"},
	}
	for _, c := range cases {
		if got, _ := ParseErrorBody([]byte(c.body)); got != c.msg {
			t.Errorf("ParseErrorBody(%q) = %q want %q", c.body, got, c.msg)
		}
	}
	long, _ := ParseErrorBody([]byte(strings.Repeat("x", 5000)))
	if len(long) > maxMessage+10 {
		t.Errorf("message not bounded: %d", len(long))
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		v  string
		d  time.Duration
		ok bool
	}{
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{"Thu, 01 Jan 2026 00:00:10 GMT", 10 * time.Second, true},
		{"Wed, 31 Dec 2025 00:00:10 GMT", 0, true},
		{"999999", 0, false},
	}
	for _, c := range cases {
		d, ok := ParseRetryAfter(c.v, now)
		if d != c.d || ok != c.ok {
			t.Errorf("ParseRetryAfter(%q) = %v %v want %v %v", c.v, d, ok, c.d, c.ok)
		}
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{400: false, 401: false, 403: false, 404: false, 429: true, 500: true, 501: false, 502: true, 503: true, 504: true, 418: false} {
		if _, got := classify(status); got != want {
			t.Errorf("classify(%d) retry = %v want %v", status, got, want)
		}
	}
}

func FuzzValidateScope(f *testing.F) {
	for _, s := range []string{"octo-org/app", "o", "a/b/c", "-x", "a/..", "a//b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateScope(s) != nil {
			return
		}
		// Anything accepted must be unambiguous for the server's path.Dir/path.Base split.
		if strings.Count(s, "/") > 1 || strings.ContainsAny(s, " \t\r\n,%?#") || strings.HasSuffix(s, "/") || strings.HasPrefix(s, "/") {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzValidateIdentity(f *testing.F) {
	for _, s := range []string{"deploy", "../x", "a b", "x.sts.yaml"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateIdentity(s) != nil {
			return
		}
		if strings.ContainsAny(s, "/\\ \t\r\n") || strings.Contains(s, "..") || s == "" {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzValidateDomain(f *testing.F) {
	for _, s := range []string{"octo-sts.dev", "127.0.0.1:8443", "[::1]:1", "https://x", "a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateDomain(s) != nil {
			return
		}
		c := &Client{Domain: s}
		u := c.ExchangeURL(Request{Scope: "o/r", Identity: "i"})
		if !strings.HasPrefix(u, "https://"+s+"/sts/exchange?") {
			t.Fatalf("domain %q changes the URL: %s", s, u)
		}
	})
}

func FuzzParseErrorBody(f *testing.F) {
	for _, s := range []string{`{"code":7,"message":"x"}`, `<html>`, "", "{\"message\":\"a\\nb\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, _ := ParseErrorBody(b)
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("message keeps a line break: %q", msg)
		}
		if len(msg) > maxMessage+8 {
			t.Fatalf("message too long: %d", len(msg))
		}
	})
}

func FuzzParseToken(f *testing.F) {
	for _, s := range []string{`{"token":"ghs_x"}`, `{"token":"a b"}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := ParseToken(b)
		if err != nil {
			return
		}
		if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
			t.Fatalf("accepted token %q", tok)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "Thu, 01 Jan 2026 00:00:10 GMT", "-5", "x"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if ok && (d < 0 || d > 24*time.Hour) {
			t.Fatalf("ParseRetryAfter(%q) = %v", s, d)
		}
	})
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{15 * time.Minute: "15m", time.Minute: "1m", 90 * time.Second: "1m30s", 2 * time.Hour: "2h", 10 * time.Second: "10s", time.Hour + 30*time.Minute: "1h30m", 0: "0s"} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestValidatorsReturnInputError: every validator's refusal is an *InputError naming its input, the
// type the CLI (--scope) and the tokens input (a column) rename the field through, never the text.
func TestValidatorsReturnInputError(t *testing.T) {
	for field, err := range map[string]error{
		"scope":           ValidateScope("a/b/c"),
		"identity":        ValidateIdentity(""),
		"domain":          ValidateDomain("https://x"),
		"audience":        ValidateAudience("a b"),
		"org-policy-repo": ValidateOrgPolicyRepo("a/b"),
		"timeout":         ValidateTimeout(time.Hour),
	} {
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != field {
			t.Errorf("%s: %#v is not an InputError for %q", field, err, field)
			continue
		}
		if want := `input "` + field + `"`; !strings.HasPrefix(err.Error(), want) || ie.Named("--"+field) != "--"+field+strings.TrimPrefix(err.Error(), want) {
			t.Errorf("%s: Error %q, Named %q", field, err, ie.Named("--"+field))
		}
	}
}
