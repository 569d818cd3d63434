package check

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/mdtest"
	"github.com/octo-sts/action/internal/policy"
)

const ghIss = "https://token.actions.githubusercontent.com"

func claimsOf(t *testing.T, m map[string]any) *Claims {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseClaims(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ghClaims(sub string, mod func(map[string]any)) map[string]any {
	m := map[string]any{"iss": ghIss, "sub": sub, "aud": "octo-sts.dev", "repository": "acme/widgets", "repository_owner": "acme",
		"ref": "refs/heads/main", "event_name": "push", "exp": 1767225900}
	if mod != nil {
		mod(m)
	}
	return m
}

func eval(t *testing.T, pol string, claims map[string]any, mod func(*Input)) *Report {
	t.Helper()
	in := Input{PolicyPath: ".github/chainguard/deploy.sts.yaml", Policy: []byte(pol), Claims: claimsOf(t, claims)}
	if mod != nil {
		mod(&in)
	}
	r, err := Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEvaluateAgreesWithCheck: the verdict and message always come from policy.Check, the reported
// row is the first failing row in the server's order, and every row is evaluated.
func TestEvaluateAgreesWithCheck(t *testing.T) {
	pols := []string{
		"issuer: " + ghIss + "\nsubject: repo:acme/widgets:ref:refs/heads/main\n",
		"issuer_pattern: https://token\\.actions\\.githubusercontent\\.com\nsubject_pattern: repo:acme/.*\naudience: octo-sts.dev\nclaim_pattern:\n  ref: refs/heads/main\n  event_name: push\n",
		"issuer: https://other\nsubject: x\naudience_pattern: nope\nclaim_pattern:\n  a: b\n",
	}
	tokens := []map[string]any{
		ghClaims("repo:acme/widgets:ref:refs/heads/main", nil),
		ghClaims("repo:acme/widgets:pull_request", func(m map[string]any) { m["event_name"] = "pull_request" }),
		ghClaims("repo:acme/widgets:ref:refs/heads/main", func(m map[string]any) { m["aud"] = []string{"x", "y"} }),
		ghClaims("repo:acme/widgets:ref:refs/heads/dev", func(m map[string]any) { m["ref"] = 5 }),
		ghClaims("repo:acme/widgets:environment:my env", nil),
		ghClaims("repo:acme/widgets:ref:refs/heads/main", func(m map[string]any) { m["aud"] = []string{"octo-sts.dev", "a|b"} }),
	}
	for pi, pol := range pols {
		for ti, tok := range tokens {
			r := eval(t, pol, tok, nil)
			tp, _, _ := policy.Decode(policy.Legacy, policy.KindRepo, []byte(pol))
			if err := tp.Compile(); err != nil {
				t.Fatal(err)
			}
			c := claimsOf(t, tok)
			d := tp.CheckToken(policy.Token{Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience, Claims: c.Raw}, DefaultDomain)
			if (d == nil) != (r.Verdict == Allow) || (d != nil && (d.Message != r.Message || d.Status != r.Status)) {
				t.Errorf("policy %d token %d: report %s %d %q, Check %+v", pi, ti, r.Verdict, r.Status, r.Message, d)
			}
			wantRows := 3 + len(tp.ClaimPattern)
			if len(r.Fields) != wantRows {
				t.Errorf("policy %d token %d: %d rows, want %d", pi, ti, len(r.Fields), wantRows)
			}
			reported, firstFail := -1, -1
			// The server checks validity of iss, sub, aud before matching anything.
			for i, f := range r.Fields {
				if !f.OK && f.Status == http.StatusBadRequest && firstFail < 0 {
					firstFail = i
				}
			}
			for i, f := range r.Fields {
				if f.Reported {
					if reported >= 0 {
						t.Errorf("policy %d token %d: two reported rows", pi, ti)
					}
					reported = i
				}
				if !f.OK && firstFail < 0 {
					firstFail = i
				}
				if !f.OK && (f.Message == "" || f.Status == 0) {
					t.Errorf("policy %d token %d: failing row %s has no message", pi, ti, f.Field)
				}
			}
			if reported != firstFail {
				t.Errorf("policy %d token %d: reported row %d, first failing row %d", pi, ti, reported, firstFail)
			}
		}
	}
}

func TestEvaluateServerOrder(t *testing.T) {
	pol := "issuer: " + ghIss + "\nsubject: repo:acme/widgets:ref:refs/heads/main\n"
	ok := ghClaims("repo:acme/widgets:ref:refs/heads/main", nil)

	// A failed signature check wins over everything after it, but the table is still filled in.
	r := eval(t, pol, ok, func(in *Input) {
		in.Verification = &Verification{Checked: true, Status: 401, Message: MsgVerify, Reason: "oidc: malformed jwt"}
	})
	if r.Verdict != Deny || r.Status != 401 || r.Message != MsgVerify || len(r.Fields) != 3 || !r.Fields[1].OK || r.Signature.OK || r.Signature.Reason == "" {
		t.Fatalf("verification failure: %+v", r)
	}
	for _, f := range r.Fields {
		if f.Reported {
			t.Fatal("a field is marked reported although the server stopped at verification")
		}
	}

	// An invalid policy after an invalid token: deny (token first) plus the findings.
	r = eval(t, "issuer: x\n", ghClaims("s", func(m map[string]any) { m["iss"] = "http://evil.example.com" }), nil)
	if r.Verdict != Deny || r.Message != MsgIssuerFormat || len(r.Findings) == 0 || !hasHint(r, "policy-invalid-too") {
		t.Fatalf("token and policy invalid: %+v", r)
	}

	// Google's schemeless issuer passes the exchange's format check (normalised) but not CheckToken's.
	r = eval(t, "issuer: accounts.google.com\nsubject: s\n", map[string]any{"iss": "accounts.google.com", "sub": "s", "aud": "octo-sts.dev"}, nil)
	if r.Verdict != Deny || r.Status != 400 || r.Message != "invalid issuer in token" {
		t.Fatalf("google issuer: %+v", r)
	}

	// Parse vs compile failures carry the server's two different 404 messages.
	r = eval(t, "issuer: x\nsubject: y\nfoo: bar\n", ok, func(in *Input) { in.Identity = "release" })
	if r.Verdict != InvalidPolicy || r.Status != 404 || r.Message != `unable to parse trust policy found for "release"` || len(r.Findings) == 0 || len(r.Fields) != 0 {
		t.Fatalf("parse failure: %+v", r)
	}
	r = eval(t, "subject: y\n", ok, nil)
	if r.Verdict != InvalidPolicy || r.Message != `unable to compile trust policy found for "deploy"` {
		t.Fatalf("compile failure: %+v", r)
	}
	for _, f := range r.Findings {
		if f.Severity != "error" {
			t.Errorf("non-error finding reported for an invalid policy: %+v", f)
		}
	}
}

func TestEvaluateKinds(t *testing.T) {
	pol := "issuer: " + ghIss + "\nsubject: repo:acme/widgets:ref:refs/heads/main\nrepositories: [widgets]\n"
	tok := ghClaims("repo:acme/widgets:ref:refs/heads/main", nil)
	if r := eval(t, pol, tok, nil); r.Verdict != InvalidPolicy {
		t.Fatalf("repositories in a repo policy: %s", r.Verdict)
	}
	if r := eval(t, pol, tok, func(in *Input) { in.Kind = policy.KindOrg }); r.Verdict != Allow || r.Kind != policy.KindOrg {
		t.Fatalf("org policy: %s %s", r.Verdict, r.Message)
	}
	if _, err := Evaluate(Input{Policy: []byte(pol), Kind: policy.KindIssuers, Claims: claimsOf(t, tok)}); err == nil {
		t.Fatal("evaluated an allowlist as a trust policy")
	}
	if _, err := Evaluate(Input{Policy: []byte(pol)}); err == nil {
		t.Fatal("evaluated without claims")
	}
	// The domain decides the default audience.
	if r := eval(t, "issuer: "+ghIss+"\nsubject: repo:acme/widgets:ref:refs/heads/main\n", tok, func(in *Input) { in.Domain = "sts.example.com" }); r.Verdict != Deny ||
		r.Message != `trust policy: audience "sts.example.com" did not match any of ["octo-sts.dev"]` {
		t.Fatalf("custom domain: %+v", r)
	}
}

func TestIdentityFromPath(t *testing.T) {
	for p, want := range map[string]string{
		".github/chainguard/release.sts.yaml": "release", "x.sts.yml": "x", "a/b.yaml": "b", "plain": "plain",
		".github/chainguard/team/deploy.sts.yaml": "team/deploy", "checkout/.github/chainguard/a/b/c.sts.yaml": "a/b/c",
	} {
		if got := IdentityFromPath(p); got != want {
			t.Errorf("IdentityFromPath(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestRenderMarkdownEscapes(t *testing.T) {
	pol := "issuer: " + ghIss + "\nsubject_pattern: repo:acme/widgets:ref:refs/heads/(a|b)\n"
	r := eval(t, pol, ghClaims("repo:acme/widgets:ref:refs/heads/x`|<b>", nil), nil)
	var b bytes.Buffer
	if err := RenderMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"**❌ Verdict: deny** (HTTP 400)", "| ✗ `subject_pattern` **← reported** |",
		"``repo:acme/widgets:ref:refs/heads/x`\\|<b>``", // code span longer than the backtick run, | escaped
		"x\\`\\|&lt;b&gt;", // prose (the hint) escapes markup
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// Rendered as GitHub renders it, the token's <b> stays text (in code spans or escaped prose).
	if h := mdtest.HTML(t, md); strings.Contains(h, "<b>") {
		t.Errorf("rendered summary contains raw HTML from the token:\n%s", h)
	}
	// Every table line has the same number of cells.
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| ") && strings.Count(strings.ReplaceAll(l, `\|`, ""), "|") != 4 {
			t.Errorf("broken table row: %s", l)
		}
	}
}

func TestRenderTextSignatureStates(t *testing.T) {
	pol := "issuer: " + ghIss + "\nsubject: repo:acme/widgets:ref:refs/heads/main\n"
	tok := ghClaims("repo:acme/widgets:ref:refs/heads/main", nil)
	for _, c := range []struct {
		v     *Verification
		token bool
		want  string
	}{
		{nil, false, "NOT CHECKED — claims were read without verifying signature, expiry or issuer (pass the token itself: --token JWT --verify)\n"},
		{nil, true, "NOT CHECKED — claims were decoded without verifying signature, expiry or issuer (add --verify)\n"},
		{&Verification{Checked: true}, false, "verified against the issuer's discovery document"},
		{&Verification{Checked: true, Offline: true}, false, "verified against the --jwks key set"},
		{&Verification{Checked: true, Status: 401, Message: MsgVerify, Reason: "why"}, true, "FAILED — why"},
	} {
		r := eval(t, pol, tok, func(in *Input) { in.Verification, in.FromToken = c.v, c.token })
		var b bytes.Buffer
		RenderText(&b, r)
		if !strings.Contains(b.String(), "signature: "+c.want) {
			t.Errorf("want %q in\n%s", c.want, b.String())
		}
	}
}

// A linter error the server's decode and Compile accept does not stop the evaluation the server
// would run, and is flagged.
func TestEvaluateLinterOnlyErrors(t *testing.T) {
	prev := lintBytes
	lintBytes = func(p string, _ []byte, _ lint.Options) []lint.Finding {
		return []lint.Finding{{File: p, Line: 1, Column: 1, Rule: "made-up", Severity: lint.SevError, Class: lint.ClassRefused, Message: "made-up error"}}
	}
	t.Cleanup(func() { lintBytes = prev })
	r := eval(t, "issuer: "+ghIss+"\nsubject: repo:acme/widgets:ref:refs/heads/main\n", ghClaims("repo:acme/widgets:ref:refs/heads/main", nil), nil)
	if r.Verdict != Allow || len(r.Findings) != 1 || !hasHint(r, "linter-errors") {
		t.Fatalf("%+v", r)
	}
	var b bytes.Buffer
	RenderText(&b, r)
	if !strings.Contains(b.String(), "the linter reports:") || strings.Contains(b.String(), "the policy is invalid") {
		t.Fatalf("%s", b.String())
	}
	// A policy the server refuses is explained even when the linter says nothing.
	lintBytes = func(string, []byte, lint.Options) []lint.Finding { return nil }
	r = eval(t, "subject: x\n", ghClaims("x", nil), nil)
	if r.Verdict != InvalidPolicy || len(r.Findings) != 1 || r.Findings[0].Rule != lint.RuleServerRefuses || !strings.Contains(r.Findings[0].Message, "issuer") {
		t.Fatalf("%+v", r)
	}
}

// TestUnmintableIsDeny: a policy the server accepts but whose request GitHub refuses (a level
// that does not exist) ends every exchange with 403 token exchange failure.
func TestUnmintableIsDeny(t *testing.T) {
	pol := "issuer: " + ghIss + "\nsubject: repo:acme/widgets:ref:refs/heads/main\npermissions:\n  contents: bogus\n"
	r := eval(t, pol, ghClaims("repo:acme/widgets:ref:refs/heads/main", nil), nil)
	if r.Verdict != Deny || r.Status != http.StatusForbidden || r.Message != "token exchange failure (StatusUnprocessableEntity)" {
		t.Fatalf("got %s %d %q", r.Verdict, r.Status, r.Message)
	}
	pol = "issuer: " + ghIss + "\nsubject: repo:acme/widgets:ref:refs/heads/main\npermissions:\n  workflows: read\n"
	if r := eval(t, pol, ghClaims("repo:acme/widgets:ref:refs/heads/main", nil), nil); r.Verdict != Allow {
		t.Fatalf("an uncertain level stays a warning: got %s %q", r.Verdict, r.Message)
	}
}

// TestAppPinDepends: a pinned policy that the token satisfies is never "allow" on a current server.
func TestAppPinDepends(t *testing.T) {
	pol := "issuer: " + ghIss + "\nsubject: repo:acme/widgets:ref:refs/heads/main\napp: deployer\n"
	r := eval(t, pol, ghClaims("repo:acme/widgets:ref:refs/heads/main", nil), func(in *Input) { in.Server = []policy.Generation{policy.Current} })
	if r.Verdict != Depends || !hasHint(r, "app-pin") {
		t.Fatalf("current: got %s %q %+v", r.Verdict, r.Message, r.Hints)
	}
	r = eval(t, pol, ghClaims("repo:acme/widgets:ref:refs/heads/main", nil), nil)
	if r.Verdict != InvalidPolicy || !r.Differs || len(r.Servers) != 2 || r.Servers[1].Verdict != Depends {
		t.Fatalf("all: got %s differs=%v %+v", r.Verdict, r.Differs, r.Servers)
	}
}
