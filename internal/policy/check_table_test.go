package policy_test

import (
	"context"
	"crypto"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/octo-sts/action/internal/check/checktest"
	"github.com/octo-sts/action/internal/policy"
)

// tableNow freezes the verifier's clock so exp/nbf never depend on when the test runs.
var tableNow = time.Unix(1767225600, 0)

const tableDomain = "octo-sts.dev"

// kRow is one row of spec §5.2: a policy, the token's claims, and the server's answer.
type kRow struct {
	id      string
	policy  string         // YAML; "" uses the K1 base policy
	claims  map[string]any // merged over the base claims; a nil value deletes the key
	payload string         // raw JSON payload instead of claims (duplicate or case-variant keys)
	noComp  bool           // evaluate without Compile (K35)
	status  int            // 0: allowed
	message string
}

const basePolicy = "issuer: https://example.com\nsubject: subject\n"

var kRows = []kRow{
	{id: "K1"},
	{id: "K2", claims: map[string]any{"iss": "https://example.org"}, status: 403,
		message: `trust policy: issuer "https://example.org" did not match "https://example.com"`},
	{id: "K3", claims: map[string]any{"sub": "asdf"}, status: 403,
		message: `trust policy: subject "asdf" did not match "subject"`},
	{id: "K4", policy: basePolicy + "audience: octo-sts.com\n", claims: map[string]any{"sub": "asdf"}, status: 403,
		message: `trust policy: subject "asdf" did not match "subject"`},
	{id: "K5", policy: "issuer_pattern: https://(example|google)\\.com\nsubject_pattern: \"[0-9]{10}\"\n",
		claims: map[string]any{"sub": "1234567890"}},
	{id: "K6", policy: "issuer_pattern: https://(example|google)\\.com\nsubject: blah\n",
		claims: map[string]any{"iss": "https://example.org", "sub": "blah"}, status: 403,
		message: `trust policy: issuer "https://example.org" did not match pattern "https://(example|google)\\.com"`},
	{id: "K7", policy: "issuer: https://example.com\nsubject_pattern: \"[0-9]{10}\"\n", claims: map[string]any{"sub": "blah"}, status: 403,
		message: `trust policy: subject "blah" did not match pattern "[0-9]{10}"`},
	{id: "K8", policy: basePolicy + "audience_pattern: octo-sts\\.com\n", claims: map[string]any{"aud": []string{"octo-sts.dev", "octo-sts.co"}}, status: 403,
		message: `trust policy: audience_pattern "octo-sts\\.com" did not match any of ["octo-sts.dev" "octo-sts.co"]`},
	{id: "K9", policy: basePolicy + "claim_pattern:\n  email: .*@example.com\n", status: 403,
		message: `trust policy: expected claim "email" not found in token`},
	{id: "K10", policy: "issuer: https://example.com\nsubject_pattern: ^(123|456)$\n", claims: map[string]any{"sub": "123999"}, status: 403,
		message: `trust policy: subject "123999" did not match pattern "^(123|456)$"`},
	{id: "K11", policy: "issuer: https://example.com\nsubject_pattern: (123|456)\n", claims: map[string]any{"sub": "123999"}, status: 403,
		message: `trust policy: subject "123999" did not match pattern "(123|456)"`},
	{id: "K12", policy: basePolicy + "audience_pattern: (octo|nona)-sts\\.dev\n", claims: map[string]any{"aud": []string{"deka-sts.dev", "nona-sts.dev"}}},
	{id: "K13", policy: basePolicy + "audience_pattern: example.com\n", claims: map[string]any{"aud": []string{"octo-sts.dev", "deka-sts.dev", "example.com", "nona-sts.dev"}}},
	{id: "K14", policy: basePolicy + "claim_pattern:\n  email_verified: \"true\"\n", claims: map[string]any{"email_verified": true}},
	{id: "K15", policy: basePolicy + "claim_pattern:\n  email: .*@example.com\n", claims: map[string]any{"email": "test@example.com"}},
	{id: "K16", policy: basePolicy + "claim_pattern:\n  email: .*@example.com\n  domain: .*\\.net\n",
		claims: map[string]any{"email": "test@example.com", "domain": "example.net", "extra": "x"}},
	{id: "K17", policy: basePolicy + "claim_pattern:\n  email_verified: \"true\"\n  email: .*@example.com\n",
		claims: map[string]any{"email_verified": true}, status: 403,
		message: `trust policy: expected claim "email" not found in token`},
	{id: "K18", policy: basePolicy + "claim_pattern:\n  age: \\d+\n", claims: map[string]any{"age": 21}, status: 403,
		message: `trust policy: expected claim "age" not a string`},
	{id: "K19", policy: basePolicy + "claim_pattern:\n  email: .*@example.com\n", claims: map[string]any{"email": "test@example.dev"}, status: 403,
		message: `trust policy: claim "email" did not match "^.*@example.com$"`},
	{id: "K20", policy: basePolicy + "claim_pattern:\n  email: .*@example.com\n  domain: .*\\.net\n",
		claims: map[string]any{"email": "test@example.dev", "domain": "example.net"}, status: 403,
		message: `trust policy: claim "email" did not match "^.*@example.com$"`},
	{id: "K21", claims: map[string]any{"aud": []string{"other", "x"}}, status: 403,
		message: `trust policy: audience "octo-sts.dev" did not match any of ["other" "x"]`},
	{id: "K22", policy: basePolicy + "audience: mine\n", claims: map[string]any{"aud": []string{"mine"}}},
	{id: "K23", claims: map[string]any{"aud": []string{"octo-sts.dev", "a@b"}}, status: 400, message: "invalid audience in token"},
	{id: "K24", claims: map[string]any{"aud": []string{}}, status: 403,
		message: `trust policy: audience "octo-sts.dev" did not match any of []`},
	{id: "K25", policy: "issuer: https://example.com\nsubject_pattern: .*\n", claims: map[string]any{"sub": "repo:o/r:environment:my env"}, status: 400, message: "invalid subject in token"},
	{id: "K26", policy: "issuer: https://example.com\nsubject_pattern: .*\n", claims: map[string]any{"sub": "repo:o/r:ref:refs/heads/fix(x)"}, status: 400, message: "invalid subject in token"},
	{id: "K27", policy: "issuer_pattern: .*\nsubject: subject\n", claims: map[string]any{"iss": "http://a.example.com"}, status: 400, message: "invalid issuer in token"},
	{id: "K28", policy: basePolicy + "claim_pattern:\n  ev: false\n", claims: map[string]any{"ev": false}},
	{id: "K29/null", policy: basePolicy + "claim_pattern:\n  ev: .*\n", payload: `{"ev":null}`, status: 403,
		message: `trust policy: expected claim "ev" not a string`},
	{id: "K29/array", policy: basePolicy + "claim_pattern:\n  ev: .*\n", claims: map[string]any{"ev": []string{"a"}}, status: 403,
		message: `trust policy: expected claim "ev" not a string`},
	{id: "K30", policy: "issuer: https://example.com\nsubject: s\nclaim_pattern:\n  sub: s\n  aud: .*\n", claims: map[string]any{"sub": "s", "aud": "octo-sts.dev"}},
	{id: "K31", policy: basePolicy + "claim_pattern:\n  aud: .*\n", claims: map[string]any{"aud": []string{"octo-sts.dev", "x"}}, status: 403,
		message: `trust policy: expected claim "aud" not a string`},
	{id: "K32", policy: basePolicy + "claim_pattern:\n  e: \"\"\n", claims: map[string]any{"e": ""}},
	{id: "K33", policy: "issuer: https://example.com\nsubject_pattern: repo:org/a:.*|repo:org/b:ref:refs/heads/main\n",
		claims: map[string]any{"sub": "evil:repo:org/b:ref:refs/heads/main"}},
	{id: "K34", policy: "issuer_pattern: https://a\\.example\\.com|https://b\\.example\\.com\nsubject: subject\n",
		claims: map[string]any{"iss": "https://a.example.com.evil.com"}},
	{id: "K35", noComp: true, status: 500, message: "trust policy: not compiled"},

	// §8.11: the ID-token struct decodes case-insensitively (the last matching key wins), while
	// claim_pattern reads the raw map.
	{id: "8.11/struct", payload: `{"sub":"subject","Sub":"evil"}`, status: 403,
		message: `trust policy: subject "evil" did not match "subject"`},
	{id: "8.11/raw", policy: "issuer: https://example.com\nsubject: evil\nclaim_pattern:\n  sub: good\n", payload: `{"sub":"good","Sub":"evil"}`},
	// §8.12: "aud": null is one empty audience, which the validator refuses.
	{id: "8.12/aud-null", payload: `{"aud":null}`, status: 400, message: "invalid audience in token"},
}

// baseClaims is the K1 token; rows override it.
func baseClaims(iss string) map[string]any {
	return map[string]any{
		"iss": iss, "sub": "subject", "aud": []string{tableDomain},
		"iat": tableNow.Unix(), "exp": tableNow.Add(5 * time.Minute).Unix(),
	}
}

// rowToken signs the row's token. payload rows splice their JSON members over the base claims'.
func rowToken(t *testing.T, k *checktest.Key, row kRow) (string, string) {
	t.Helper()
	c := baseClaims("https://example.com")
	for key, v := range row.claims {
		if v == nil {
			delete(c, key)
			continue
		}
		c[key] = v
	}
	iss := c["iss"].(string)
	if row.payload == "" {
		return k.Sign(t, c), iss
	}
	extra := strings.TrimSuffix(strings.TrimPrefix(row.payload, "{"), "}")
	var members []string
	for _, key := range []string{"iss", "sub", "aud", "iat", "exp"} {
		if strings.Contains(extra, `"`+key+`"`) {
			continue
		}
		members = append(members, fmt.Sprintf("%q:%s", key, jsonValue(c[key])))
	}
	payload := "{" + strings.Join(members, ",") + "," + extra + "}"
	return k.SignPayload(t, []byte(payload)), iss
}

func jsonValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ",") + "]"
	}
	return fmt.Sprint(v)
}

// tokenFrom turns a verified ID token into what the server hands CheckToken.
func tokenFrom(t *testing.T, idt *oidc.IDToken) policy.Token {
	t.Helper()
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return policy.Token{Issuer: idt.Issuer, Subject: idt.Subject, Audience: idt.Audience, Claims: claims}
}

func checkRow(t *testing.T, row kRow, tok policy.Token) {
	t.Helper()
	src := row.policy
	if src == "" {
		src = basePolicy
	}
	tp, _, err := policy.Decode(policy.Legacy, policy.KindRepo, []byte(src))
	if err != nil {
		t.Fatalf("decode policy: %v", err)
	}
	if !row.noComp {
		if err := tp.Compile(); err != nil {
			t.Fatalf("compile policy: %v", err)
		}
	}
	d := tp.CheckToken(tok, tableDomain)
	switch {
	case row.status == 0 && d != nil:
		t.Fatalf("want allowed, got %d %q", d.Status, d.Message)
	case row.status != 0 && d == nil:
		t.Fatalf("want %d %q, got allowed", row.status, row.message)
	case row.status != 0 && (d.Status != row.status || d.Message != row.message):
		t.Fatalf("want %d %q\n got %d %q", row.status, row.message, d.Status, d.Message)
	}
}

// TestCheckTableStaticKeySet runs spec §5.2 with tokens verified by go-oidc against a static key set.
func TestCheckTableStaticKeySet(t *testing.T) {
	k := checktest.NewKey(t)
	for _, row := range kRows {
		t.Run(row.id, func(t *testing.T) {
			raw, iss := rowToken(t, k, row)
			v := oidc.NewVerifier(iss, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{k.Public()}},
				&oidc.Config{SkipClientIDCheck: true, Now: func() time.Time { return tableNow }})
			idt, err := v.Verify(context.Background(), raw)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			checkRow(t, row, tokenFrom(t, idt))
		})
	}
}

// TestCheckTableDiscovery runs spec §5.2 with tokens verified through an OIDC discovery document
// served on 127.0.0.1 (the issuer URL is adopted for the rows' own issuers, as the server's
// provider would be for a real issuer).
func TestCheckTableDiscovery(t *testing.T) {
	k := checktest.NewKey(t)
	srv := checktest.Issuer(t, k)
	for _, row := range kRows {
		t.Run(row.id, func(t *testing.T) {
			raw, iss := rowToken(t, k, row)
			ctx := oidc.ClientContext(context.Background(), srv.Client())
			ctx = oidc.InsecureIssuerURLContext(ctx, iss)
			p, err := oidc.NewProvider(ctx, srv.URL)
			if err != nil {
				t.Fatalf("discovery: %v", err)
			}
			idt, err := p.VerifierContext(ctx, &oidc.Config{SkipClientIDCheck: true, Now: func() time.Time { return tableNow }}).Verify(ctx, raw)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			checkRow(t, row, tokenFrom(t, idt))
		})
	}
}

// TestCheckTableRealIssuer exercises the plain server path: discovery at the token's own issuer URL
// (127.0.0.1 over http is a valid issuer), no issuer override.
func TestCheckTableRealIssuer(t *testing.T) {
	k := checktest.NewKey(t)
	srv := checktest.Issuer(t, k)
	ctx := oidc.ClientContext(context.Background(), srv.Client())
	p, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tp, _, err := policy.Decode(policy.Legacy, policy.KindRepo, []byte("issuer: "+srv.URL+"\nsubject: subject\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Compile(); err != nil {
		t.Fatal(err)
	}
	verifier := p.VerifierContext(ctx, &oidc.Config{SkipClientIDCheck: true, Now: func() time.Time { return tableNow }})
	idt, err := verifier.Verify(ctx, k.Sign(t, baseClaims(srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	if d := tp.CheckToken(tokenFrom(t, idt), tableDomain); d != nil {
		t.Fatalf("want allowed, got %v", d)
	}
	// The same key signing for another issuer is refused by the verifier, before any policy.
	if _, err := verifier.Verify(ctx, k.Sign(t, baseClaims("https://example.com"))); err == nil {
		t.Fatal("a token for another issuer verified")
	}
}

// TestCheckDenialFields pins which policy field each denial names, since check marks that row.
func TestCheckDenialFields(t *testing.T) {
	want := map[string]string{"K2": "issuer", "K3": "subject", "K8": "audience", "K9": "claim_pattern", "K23": "audience", "K25": "subject", "K27": "issuer"}
	k := checktest.NewKey(t)
	for _, row := range kRows {
		field, ok := want[row.id]
		if !ok {
			continue
		}
		raw, iss := rowToken(t, k, row)
		idt, err := oidc.NewVerifier(iss, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{k.Public()}},
			&oidc.Config{SkipClientIDCheck: true, Now: func() time.Time { return tableNow }}).Verify(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		src := row.policy
		if src == "" {
			src = basePolicy
		}
		tp, _, _ := policy.Decode(policy.Legacy, policy.KindRepo, []byte(src))
		if err := tp.Compile(); err != nil {
			t.Fatal(err)
		}
		d := tp.CheckToken(tokenFrom(t, idt), tableDomain)
		if d == nil || d.Field != field {
			t.Errorf("%s: want field %q, got %+v", row.id, field, d)
		}
		if row.id == "K9" && d.Key != "email" {
			t.Errorf("K9: want key email, got %q", d.Key)
		}
	}
}

// Spec §5.3: the token validators.
func TestValidatorsTable(t *testing.T) {
	seg150 := "https://example.com/" + strings.Repeat("a", 150)
	seg151 := "https://example.com/" + strings.Repeat("a", 151)
	issA := []string{"https://example.com", "https://example.com/path", "https://example.com/auth/realms/master", "https://example.com:8443",
		"http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080", "https://example.com/", "https://example.com/path/",
		"https://example.com/admin", "https://keycloak.example.com:8443/auth/realms/master", "https://example.com/user~name/path",
		"HTTPS://example.com", "https://Example.COM", "https://[::1]", "https://example.com/%41", "https://exa_mple.com",
		"https://example.com/.well-known", "https://example.com/a/~b", seg150, "https://example.com:",
		"https://token.actions.githubusercontent.com", "https://oidc.eks.us-west-2.amazonaws.com/id/ABCDEF"}
	issR := []string{"", "not-a-url", "https://" + strings.Repeat("a", 300) + ".com", "http://example.com", "ftp://example.com", "example.com",
		"https://example.com?param=value", "https://example.com#fragment", "https://example.com/path?query=value#fragment",
		"https://example.com/controllablepath#", "https://user:pass@example.com", "https://user@example.com", "https://example.com/../admin",
		"https://example.com/auth/../admin", "https://example\n.com", "https://example\t.com", "https://example .com", "https://",
		"https://example.com/<script>", "https://example.com/path%2F..%2Fadmin", "https://example.com//admin", "https://example.com///admin",
		"https://example.com/path~~backup", "https://example.com/config~", "https://example.com/./admin", "https://example.com/~/admin",
		seg151, "https://exämple.com", "https://eⓍample.com", "https://еxample.com",
		"http://LOCALHOST", "https://example.com/a b", "https://example.com/a..b", "https://example.com/path;x", "https://example.com/a@b"}
	subA := []string{"user123", "550e8400-e29b-41d4-a716-446655440000", "1234567890", "user-name_123", "user.name.123", strings.Repeat("a", 255),
		"UserName123", "user+tag", "user=value", "10769150350006150715113082367", "repo:octo-org/octo-repo:ref:refs/heads/main",
		"okta|00uhzsq8pw5e6bWGe0h7", "24400320", "AItOawmwtWwcT0k51BayewNvutrJUqsvl6qs7A4", "用户123", "user😀123",
		"repo:org@123/repo@456:ref:refs/heads/main", "repo:o/r:environment:Prod%3AV1", "repo:o/r:ref:refs/heads/feat/x#1", "repo:o/r:ref:refs/heads/a|b",
		"a*b?c!d", strings.Repeat("é", 255), "system:serviceaccount:ns:sa", "a,b", "a^b", "a%b", "a~b"}
	subR := []string{"", strings.Repeat("a", 256), "user 123", "user\t123", "user123\n", "user123\r", "user\x00123", "user'123", "user\"123",
		"user<script>alert(1)</script>", "user[123]", "user{123}", "user;123", "repo:o/r:ref:refs/heads/a$b", "x\u00a0y", "x\u200by", strings.Repeat("é", 256)}
	audA := []string{"service123", "service-123", "service_123", "service.123", "service:123", "service/path", "octo-sts.dev", "https://github.com/org",
		"api://AzureADTokenExchange", "sts.amazonaws.com", "a,b", "a#b", "a?b=c", "a%20b", "a+b", "a~b", "a!b", "a*b", strings.Repeat("a", 255)}
	audR := []string{"", strings.Repeat("\x00", 200), "service 123", "service123\n", "service<script>", "service@domain", "a|b", "a@b", strings.Repeat("a", 256)}

	for _, c := range []struct {
		name   string
		fn     func(string) bool
		accept []string
		reject []string
	}{
		{"IsValidIssuer", policy.IsValidIssuer, issA, issR},
		{"IsValidSubject", policy.IsValidSubject, subA, subR},
		{"IsValidAudience", policy.IsValidAudience, audA, audR},
	} {
		for _, s := range c.accept {
			if !c.fn(s) {
				t.Errorf("%s(%q) = false, want true", c.name, s)
			}
		}
		for _, s := range c.reject {
			if c.fn(s) {
				t.Errorf("%s(%q) = true, want false", c.name, s)
			}
		}
	}
}

// TestInvalidReasonsNameTheCharacter keeps the hints' "name the character" promise.
func TestInvalidReasonsNameTheCharacter(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"repo:o/r:environment:my env", "space"},
		{"repo:o/r:ref:refs/heads/$(id)", `'$'`},
		{"repo:o/r:ref:refs/heads/a;b", `';'`},
		{"x\u200by", "non-printing"},
	} {
		if got := policy.InvalidSubjectReason(c.in); !strings.Contains(got, c.want) {
			t.Errorf("InvalidSubjectReason(%q) = %q, want it to mention %s", c.in, got, c.want)
		}
	}
	if got := policy.InvalidAudienceReason("a@b"); !strings.Contains(got, `'@'`) {
		t.Errorf("InvalidAudienceReason(a@b) = %q", got)
	}
	if got := policy.InvalidAudienceReason("a|b"); !strings.Contains(got, `'|'`) {
		t.Errorf("InvalidAudienceReason(a|b) = %q", got)
	}
	if got := policy.InvalidSubjectReason("fine"); got != "" {
		t.Errorf("InvalidSubjectReason(fine) = %q, want empty", got)
	}
}
