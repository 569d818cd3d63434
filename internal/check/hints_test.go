package check

import (
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/policy"
)

// TestHints triggers each hint once and checks it stays quiet on the healthy variant.
func TestHints(t *testing.T) {
	iss := "issuer: " + ghIss + "\n"
	main := "repo:acme/widgets:ref:refs/heads/main"
	for _, c := range []struct {
		id      string
		policy  string
		claims  map[string]any
		scope   string
		want    string // substring of the hint
		healthy map[string]any
	}{
		{id: "subject-glob", policy: iss + "subject: repo:acme/widgets:*\n", claims: ghClaims(main, nil), want: `subject_pattern: "repo:acme/widgets:.*" (it matches this token)`},
		{id: "audience-glob", policy: iss + "subject: " + main + "\naudience: octo-*\n", claims: ghClaims(main, nil), want: `audience_pattern: "octo-.*"`},
		{id: "github-default-audience", policy: iss + "subject: " + main + "\n", claims: ghClaims(main, func(m map[string]any) { m["aud"] = "https://github.com/acme" }),
			want: `request the ID token with audience "octo-sts.dev"`, healthy: ghClaims(main, nil)},
		{id: "immutable-subject", policy: iss + "subject_pattern: repo:acme/widgets:ref:refs/heads/.*\n", claims: ghClaims("repo:acme@11/widgets@22:ref:refs/heads/main", nil),
			want: `subject_pattern: "repo:acme@11/widgets@22:ref:refs/heads/.*" (matches this token)`, healthy: ghClaims(main, nil)},
		{id: "immutable-subject", policy: iss + "subject: repo:acme@11/widgets@22:ref:refs/heads/main\n", claims: ghClaims(main, nil),
			want: "has not switched to immutable subject claims", healthy: ghClaims("repo:acme@11/widgets@22:ref:refs/heads/main", nil)},
		{id: "invalid-subject", policy: iss + "subject_pattern: .*\n", claims: ghClaims("repo:acme/widgets:environment:prod east", nil),
			want: "it contains a space) — it comes from the environment name", healthy: ghClaims("repo:acme/widgets:environment:prod-east", nil)},
		{id: "invalid-subject", policy: iss + "subject_pattern: .*\n", claims: ghClaims("repo:acme/widgets:ref:refs/tags/v1;rm", nil),
			want: "it contains the character ';') — it comes from the tag name"},
		{id: "invalid-audience", policy: iss + "subject: " + main + "\n", claims: ghClaims(main, func(m map[string]any) { m["aud"] = []string{"octo-sts.dev", "a|b"} }),
			want: "it contains the character '|'", healthy: ghClaims(main, nil)},
		{id: "case-mismatch", policy: iss + "subject_pattern: repo:ACME/widgets:.*\n", claims: ghClaims(main, nil), want: "matches only when letter case is ignored"},
		{id: "case-mismatch", policy: iss + "subject: " + main + "\nclaim_pattern:\n  repository_owner: Acme\n", claims: ghClaims(main, nil), want: "claim_pattern[repository_owner]"},
		{id: "scope-owner-case", policy: iss + "subject: " + main + "\n", claims: ghClaims(main, nil), scope: "ACME", want: `no installation found for "ACME"`},
		{id: "pull-request-subject", policy: iss + "subject: " + main + "\n", claims: ghClaims("repo:acme/widgets:pull_request", nil), want: "pull_request runs"},
		{id: "environment-subject", policy: iss + "subject: " + main + "\n", claims: ghClaims("repo:acme/widgets:environment:production", nil), want: "references an environment"},
		{id: "claim-name-case", policy: iss + "subject: " + main + "\nclaim_pattern:\n  Ref: refs/heads/main\n", claims: ghClaims(main, nil), want: `the token has "ref", not "Ref"`},
		{id: "nested-claim", policy: iss + "subject: " + main + "\nclaim_pattern:\n  kubernetes.io.namespace: ci\n",
			claims: ghClaims(main, func(m map[string]any) { m["kubernetes.io"] = map[string]any{"namespace": "ci"} }), want: `"namespace" is nested inside the "kubernetes.io" claim`},
		{id: "claim-order", policy: iss + "subject: " + main + "\nclaim_pattern:\n  ref: x\n  event_name: y\n", claims: ghClaims(main, nil), want: "2 claim_pattern entries fail"},
		{id: "half-anchored-alternation", policy: iss + "subject_pattern: " + main + "|repo:acme/widgets:pull_request\n", claims: ghClaims("evil:repo:acme/widgets:pull_request", nil),
			want: `only through the top-level alternative "repo:acme/widgets:pull_request"`, healthy: ghClaims(main, nil)},
		{id: "half-anchored-alternation", policy: "issuer_pattern: https://a\\.example\\.com|https://b\\.example\\.com\nsubject: s\n",
			claims: map[string]any{"iss": "https://a.example.com.evil.com", "sub": "s", "aud": "octo-sts.dev"}, want: "anchored only at the start",
			healthy: map[string]any{"iss": "https://a.example.com", "sub": "s", "aud": "octo-sts.dev"}},
		{id: "half-anchored-alternation", policy: iss + "subject: " + main + "\nclaim_pattern:\n  ref: a|refs/heads/main|b\n", claims: ghClaims(main, func(m map[string]any) { m["ref"] = "xrefs/heads/mainx" }),
			want: "not anchored at all"},
	} {
		t.Run(c.id, func(t *testing.T) {
			r := eval(t, c.policy, c.claims, func(in *Input) { in.Scope = c.scope })
			var found string
			for _, h := range r.Hints {
				if h.ID == c.id {
					found = h.Message
				}
			}
			if !strings.Contains(found, c.want) {
				t.Fatalf("hint %s = %q, want it to contain %q (all hints: %+v)", c.id, found, c.want, r.Hints)
			}
			if c.healthy != nil {
				r := eval(t, c.policy, c.healthy, nil)
				if hasHint(r, c.id) {
					t.Fatalf("hint %s fires on the healthy token: %+v", c.id, r.Hints)
				}
			}
		})
	}
}

func TestHalfAnchoredQuietWhenGrouped(t *testing.T) {
	r := eval(t, "issuer: "+ghIss+"\nsubject_pattern: (repo:acme/widgets:ref:refs/heads/main|repo:acme/widgets:pull_request)\n",
		ghClaims("repo:acme/widgets:pull_request", nil), nil)
	if r.Verdict != Allow || len(r.Hints) != 0 {
		t.Fatalf("%s %+v", r.Verdict, r.Hints)
	}
}

func TestGlobToPattern(t *testing.T) {
	if got := globToPattern("repo:a.b/*:ref:*"); got != `repo:a\.b/.*:ref:.*` {
		t.Fatal(got)
	}
}

func FuzzHalfAnchored(f *testing.F) {
	for _, s := range []string{"a|b", "(a|b)|c", `\|`, "[|]|x", "repo:o/a:.*|repo:o/b:ref:refs/heads/main", ""} {
		f.Add(s, "evil:repo:o/b:ref:refs/heads/main")
	}
	f.Fuzz(func(t *testing.T, p, v string) {
		_ = halfAnchored(policy.Legacy, "subject_pattern", p, []string{v})
	})
}
