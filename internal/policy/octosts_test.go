package policy

import (
	"net/http"
	"slices"
	"testing"
)

// TestResolveScope is spec §1.11's table, plus ORG_POLICY_REPO other than .github.
func TestResolveScope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scope, orgRepo, owner, repo string
		kind                        Kind
		ownerOnly                   bool
	}{
		{"org/repo", "", "org", "repo", KindRepo, false},
		{"org", "", "org", ".github", KindOrg, true},
		{"org/.github", "", "org", ".github", KindOrg, false},
		{"org/.GitHub", "", "org", ".GitHub", KindRepo, false},
		{"org/", "", "org", "org", KindRepo, false},
		{"org/repo/x", "", "org/repo", "x", KindRepo, false},
		{"org", "policies", "org", "policies", KindOrg, true},
		{"org/policies", "policies", "org", "policies", KindOrg, false},
		{"org/.github", "policies", "org", ".github", KindRepo, false},
	}
	for _, c := range cases {
		s := ResolveScope(c.scope, c.orgRepo)
		if s.Owner != c.owner || s.Repo != c.repo || s.Kind != c.kind || s.OwnerOnly != c.ownerOnly {
			t.Errorf("ResolveScope(%q, %q) = %+v", c.scope, c.orgRepo, s)
		}
	}
}

// TestCovered is spec §1.8: which repositories the minted token covers.
func TestCovered(t *testing.T) {
	t.Parallel()
	if r, all := ResolveScope("org", "").Covered(nil); r != nil || !all {
		t.Errorf("org scope without repositories: %v %v", r, all)
	}
	if r, all := ResolveScope("org", "").Covered([]string{"a", "b"}); !slices.Equal(r, []string{"a", "b"}) || all {
		t.Errorf("org scope with repositories: %v %v", r, all)
	}
	if r, _ := ResolveScope("org/.github", "").Covered(nil); !slices.Equal(r, []string{".github"}) {
		t.Errorf("org/.github without repositories: %v", r)
	}
	if r, _ := ResolveScope("org/app", "").Covered(nil); !slices.Equal(r, []string{"app"}) {
		t.Errorf("repo scope: %v", r)
	}
}

// TestExchangeAnswers pins the catalogue's per-generation rows and that Classify inverts it.
func TestExchangeAnswers(t *testing.T) {
	t.Parallel()
	if a := ExchangeAnswer(Legacy, CodePolicyTransient, "deploy"); a.Status != http.StatusNotFound || a.Message != `unable to find trust policy for "deploy"` {
		t.Errorf("legacy transient: %+v", a)
	}
	if a := ExchangeAnswer(Current, CodePolicyTransient, "deploy"); a.Status != http.StatusServiceUnavailable || a.Message != `transient error fetching trust policy for "deploy"` {
		t.Errorf("current transient: %+v", a)
	}
	if a := ExchangeAnswer(Legacy, CodeAppNotConfigured, "x"); a.Status != 0 {
		t.Errorf("legacy has no app pin answer: %+v", a)
	}
	for c := range answers {
		a := ExchangeAnswer(Legacy, c, "x")
		if got := Classify(a.Status, a.Message); got != c {
			t.Errorf("Classify(%d, %q) = %q, want %q", a.Status, a.Message, got, c)
		}
	}
	for c, spec := range currentAnswers {
		if spec.format == "" {
			continue
		}
		a := ExchangeAnswer(Current, c, "x")
		if got := Classify(a.Status, a.Message); got != c {
			t.Errorf("Classify(%d, %q) = %q, want %q", a.Status, a.Message, got, c)
		}
	}
}

// TestFields ties each generation's accepted keys to its struct shape.
func TestFields(t *testing.T) {
	t.Parallel()
	if f := Fields(Legacy, KindRepo); slices.Contains(f, "app") || !slices.Contains(f, "permissions") || slices.Contains(f, "repositories") {
		t.Errorf("legacy repo fields: %v", f)
	}
	if f := Fields(Current, KindOrg); !slices.Contains(f, "app_pattern") || !slices.Contains(f, "repositories") {
		t.Errorf("current org fields: %v", f)
	}
	if f := Fields(Legacy, KindIssuers); !slices.Equal(f, []string{"mode", "issuers", "issuer_patterns"}) {
		t.Errorf("issuers fields: %v", f)
	}
}
