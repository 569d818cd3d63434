package lint

import (
	"regexp"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/policy"
)

// ownTokens are tokens acme/app's own workflows get: the identities a policy in acme/app is
// meant to accept, with the claim values GitHub really sends ("true", "1").
func ownTokens() []policy.Token {
	var out []policy.Token
	for _, rest := range []string{"ref:refs/heads/main", "ref:refs/heads/dev", "ref:refs/tags/v1.0.0", "environment:production", "pull_request"} {
		sub := "repo:acme/app:" + rest
		claims := map[string]any{"sub": sub, "repository": "acme/app", "repository_owner": "acme", "repository_owner_id": "1",
			"ref": "refs/heads/main", "ref_protected": true, "run_attempt": "1", "event_name": "push",
			"job_workflow_ref": "acme/app/.github/workflows/release.yml@refs/heads/main", "email": "a@example.com"}
		for _, iss := range []string{githubIssuer, "https://accounts.google.com"} {
			out = append(out, policy.Token{Issuer: iss, Subject: sub, Audience: []string{"octo-sts.dev"}, Claims: claims})
		}
	}
	return out
}

func accepted(t *testing.T, src string) []bool {
	t.Helper()
	tp, _, err := policy.Decode(policy.Legacy, policy.KindRepo, []byte(src))
	if err != nil || tp.Compile() != nil {
		return nil
	}
	var out []bool
	for _, tok := range ownTokens() {
		out = append(out, tp.CheckToken(tok, "octo-sts.dev") == nil)
	}
	return out
}

// TestFixedExamplesKeepIntendedVerdicts: every documented fix of a policy the server accepts
// still accepts each of the owner's tokens the original accepted (fixes may shut out strangers,
// never the owner).
func TestFixedExamplesKeepIntendedVerdicts(t *testing.T) {
	t.Parallel()
	for _, r := range Rules {
		if r.Bad == "" || r.Good == "" || r.Path != "" {
			continue
		}
		before, after := accepted(t, r.Bad), accepted(t, r.Good)
		if before == nil {
			continue // the server refuses the original: there is no verdict to keep
		}
		if after == nil {
			t.Errorf("%s: the fixed example is refused by the server", r.ID)
			continue
		}
		// Rules about breadth narrow on purpose: their fixes must keep the named main branch.
		narrows := r.Class == ClassExposed
		for i, ok := range before {
			if narrows && ownTokens()[i].Subject != "repo:acme/app:ref:refs/heads/main" {
				continue
			}
			if ok && !after[i] {
				t.Errorf("%s: the fix stops accepting %s (was accepted)", r.ID, ownTokens()[i].Subject)
			}
		}
	}
}

var quotedSuggestion = regexp.MustCompile(`write (?:it quoted as the server reads it, )?("[^"]*")`)

// TestApplyYAML11Suggestion applies the yaml11-scalar message's own suggestion to the file and
// checks the result lints clean and keeps every verdict, for each YAML 1.1 rewrite.
func TestApplyYAML11Suggestion(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ key, val string }{{"ref_protected", "yes"}, {"run_attempt", "01"}, {"ref_protected", "on"}, {"run_attempt", "1.0"}, {"run_attempt", "0x1"}} {
		src := "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nclaim_pattern:\n  " + c.key + ": " + c.val + "\n"
		fs := Bytes(".github/chainguard/p.sts.yaml", []byte(src), Options{Repository: "acme/app"})
		var msg string
		for _, f := range fs {
			if f.Rule == "yaml11-scalar" {
				msg = f.Message
			}
		}
		m := quotedSuggestion.FindStringSubmatch(msg)
		if m == nil {
			t.Errorf("%s: %s: no suggestion in %q", c.key, c.val, msg)
			continue
		}
		fixed := strings.Replace(src, c.key+": "+c.val, c.key+": "+m[1], 1)
		for _, f := range Bytes(".github/chainguard/p.sts.yaml", []byte(fixed), Options{Repository: "acme/app"}) {
			t.Errorf("%s: %s: the applied suggestion still reports %s: %s", c.key, c.val, f.Rule, f.Message)
		}
		before, after := accepted(t, src), accepted(t, fixed)
		for i := range before {
			if before[i] != after[i] {
				t.Errorf("%s: %s -> %s changes the verdict for %s", c.key, c.val, m[1], ownTokens()[i].Subject)
			}
		}
	}
}
