package policy

import (
	"strings"
	"testing"
)

const gh = "https://token.actions.githubusercontent.com"

// TestAcceptsCompileCatalogue covers spec §5.1 (C1–C30) and §8: decode + Compile verdicts.
func TestAcceptsCompileCatalogue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id, yaml string
		kind     Kind
		accept   bool
		msg      string // substring of the server's error
	}{
		{"C1", "issuer: https://example.com\nsubject: subject\n", KindRepo, true, ""},
		{"C2", "issuer_pattern: https://(example|google)\\.com\nsubject_pattern: \"[0-9]{10}\"\nclaim_pattern: {email: \".*@example.com\"}\n", KindRepo, true, ""},
		{"C3", "issuer: https://example.com\nissuer_pattern: \".*\"\nsubject: asdf\n", KindRepo, false, "only one of issuer or issuer_pattern can be set, got both"},
		{"C4", "issuer: https://example.com\nsubject: s\nsubject_pattern: \".*\"\n", KindRepo, false, "only one of subject or subject_pattern can be set, got both"},
		{"C5", "issuer_pattern: \")(\"\nsubject: asdf\n", KindRepo, false, "error parsing regexp"},
		{"C6", "issuer: https://example.com\nsubject_pattern: \")(\"\n", KindRepo, false, "error parsing regexp"},
		{"C7", "issuer: https://example.com\nsubject: s\naudience_pattern: \")(\"\n", KindRepo, false, "error parsing regexp"},
		{"C8", "issuer: https://example.com\nsubject: s\nclaim_pattern: {claim: \")()\"}\n", KindRepo, false, `error compiling claim_pattern["claim"]`},
		{"C9", "subject: s\n", KindRepo, false, "one of issuer or issuer_pattern must be set, got neither"},
		{"C10", "issuer: https://example.com\n", KindRepo, false, "one of subject or subject_pattern must be set, got neither"},
		{"C11", "issuer: https://example.com\nsubject: s\naudience: a\naudience_pattern: p\n", KindRepo, false, "only one of audience or audience_pattern can be set, got both"},
		{"C12", "issuer: not-a-url\nsubject: s\n", KindRepo, true, ""},
		{"C13", "issuer: https://example.com\nsubject: s\nclaim_pattern: {a: \"\"}\n", KindRepo, true, ""},
		{"C14", "issuer: https://example.com\nsubject_pattern: \"x)|(.*\"\n", KindRepo, false, "unexpected )"},
		{"C15", "issuer_pattern: 'https://a\\.example\\.com|'\nsubject: x\n", KindRepo, true, ""},
		{"C16", "issuer: https://example.com\nsubject: s\naudience_pattern: \".*\"\n", KindRepo, true, ""},
		{"C17", "# comment only\n", KindRepo, false, "got neither"},
		{"C18", "issuer: https://example.com\nsubject: s\nrepositories: [a]\n", KindRepo, false, `unknown field "repositories"`},
		{"C19", "issuer: https://example.com\nsubject: s\nfoo: bar\n", KindRepo, false, `unknown field "foo"`},
		{"C20", "issuer: https://example.com\nissuer: https://example.com\nsubject: s\n", KindRepo, false, "already set in map"},
		{"C21", "Issuer: https://example.com\nSUBJECT: s\n", KindRepo, true, ""},
		{"C22", "issuer: https://example.com\nsubject: s\npermissions: {pullRequests: write}\n", KindRepo, false, `unknown field "pullRequests"`},
		{"C23", "issuer: https://example.com\nsubject: s\npermissions: {foo: write}\n", KindRepo, false, `unknown field "foo"`},
		{"C24", "issuer: https://example.com\nsubject: s\npermissions: {contents: READ, issues: admin}\n", KindRepo, true, ""},
		{"C25", "issuer: https://example.com\nsubject: s\npermissions: read-all\n", KindRepo, false, "cannot unmarshal"},
		{"C26", "issuer: https://example.com\nsubject: s\nclaim_pattern: {a: {b: c}}\n", KindRepo, false, "cannot unmarshal object"},
		{"C27", "issuer: https://example.com\nsubject: s\nclaim_pattern: {y: a, on: b}\n", KindRepo, false, "already set in map"},
		{"C28", "issuer: https://example.com\nsubject: 0777\n", KindRepo, true, ""},
		{"C29", "issuer: https://example.com\nsubject: s\nrepositories: a\n", KindOrg, false, "cannot unmarshal string"},
		{"C30", "issuer: https://example.com\nsubject: s\nrepositories: []\n", KindOrg, true, ""},
		{"unicode-fold", "iſsuer: https://example.com\nsubject: s\npermissions: {checKs: read}\n", KindRepo, true, ""},
		{"camel-field", "IssuerPattern: x\nsubject: s\n", KindRepo, false, "unknown field"},
		{"8.1-org-bool", "issuer: https://example.com\nsubject: yes\n", KindOrg, false, "cannot unmarshal bool"},
		{"8.1-repo-bool", "issuer: https://example.com\nsubject: yes\n", KindRepo, true, ""},
		{"8.3-trailing-backslash", "issuer: https://example.com\nsubject_pattern: 'repo:acme/widgets:.*\\'\n", KindRepo, true, ""},
		{"8.10-star", "issuer_pattern: '*'\nsubject: s\n", KindRepo, true, ""},
		{"8.7-merge-override", "issuer: https://example.com\nsubject: s\npermissions:\n  <<: {contents: read}\n  contents: write\n", KindRepo, false, "already set"},
		{"multi-doc", "issuer: https://example.com\nsubject: s\n---\nbogus: [\n", KindRepo, true, ""},
		{"top-level-list", "- a\n", KindRepo, false, "cannot unmarshal array"},
		{"tab", "issuer: a\n\tsubject: b\n", KindRepo, false, "tab character"},
		{"anchor-holder", "issuer: https://example.com\nsubject: s\nx: &a b\n", KindRepo, false, `unknown field "x"`},
		{"no-projects", "issuer: https://example.com\nsubject: s\npermissions: {projects: write}\n", KindRepo, false, "unknown field"},
		{"8.8-github-names", "issuer: https://example.com\nsubject: s\npermissions: {email_addresses: read}\n", KindRepo, false, "unknown field"},
		{"8.8-go-github-names", "issuer: https://example.com\nsubject: s\npermissions: {emails: read, keys: read, team_discussions: read}\n", KindRepo, true, ""},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			err := Accepts(Legacy, c.kind, []byte(c.yaml))
			if (err == nil) != c.accept {
				t.Fatalf("accept = %v, want %v (err %v)", err == nil, c.accept, err)
			}
			if err != nil && !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not contain %q", err, c.msg)
			}
		})
	}
}

// TestPermissionNamesDecode: every listed permission decodes under both generations.
func TestPermissionNamesDecode(t *testing.T) {
	t.Parallel()
	for _, g := range Generations {
		for _, n := range PermissionNames {
			doc := "issuer: " + gh + "\nsubject: s\npermissions:\n  " + n + ": read\n"
			if err := Accepts(g, KindRepo, []byte(doc)); err != nil {
				t.Errorf("%s %s: %v", g, n, err)
			}
		}
	}
}

// TestGenerationsCompile covers server-generations.md §1–§2: the verdicts that differ.
func TestGenerationsCompile(t *testing.T) {
	t.Parallel()
	base := "issuer: https://example.com\n"
	cases := []struct {
		id, yaml        string
		kind            Kind
		legacy, current string // "" accepts, else a substring of the error
	}{
		{"star", base + "subject_pattern: '*'\n", KindRepo, "", "trust policy: invalid subject_pattern: "},
		{"quantifier-prefix", base + "subject_pattern: '*:ref:refs/heads/main'\n", KindRepo, "", "missing argument to repetition operator"},
		{"repeat", "issuer_pattern: '{2}'\nsubject: s\n", KindRepo, "", "trust policy: invalid issuer_pattern: "},
		{"trailing-backslash", base + "subject: s\naudience_pattern: 'a\\'\n", KindRepo, "", "trust policy: invalid audience_pattern: "},
		{"trailing-Q", base + "subject_pattern: 'a\\Q'\n", KindRepo, "", "invalid"},
		{"paren-split", base + "subject_pattern: 'a)|('\n", KindRepo, "unexpected )", "unexpected )"}, // current's ^(?:a)|()$ alone would compile
		{"claim", base + "subject: s\nclaim_pattern: {ref: '+x'}\n", KindRepo, "", `error compiling claim_pattern["ref"]`},
		{"alternation", base + "subject_pattern: 'a|b'\n", KindRepo, "", ""},
		{"app", base + "subject: s\napp: deployer\n", KindRepo, `unknown field "app"`, ""},
		{"app-id", base + "subject: s\napp: 12345\n", KindRepo, `unknown field "app"`, ""},
		{"app-pattern", base + "subject: s\napp_pattern: 'deploy-.*'\n", KindRepo, `unknown field "app_pattern"`, ""},
		{"app-both", base + "subject: s\napp: a\napp_pattern: b\n", KindRepo, "unknown field", "trust policy: only one of app or app_pattern can be set, got both"},
		{"app-pattern-bad", base + "subject: s\napp_pattern: '*'\n", KindRepo, "unknown field", "trust policy: invalid app_pattern: "},
		{"org-app", base + "subject: s\napp: deployer\nrepositories: [a]\n", KindOrg, "unknown field", ""},
		{"org-app-number", base + "subject: s\napp: 12345\n", KindOrg, "unknown field", "cannot unmarshal number"},
	}
	for _, c := range cases {
		for g, want := range map[Generation]string{Legacy: c.legacy, Current: c.current} {
			err := Accepts(g, c.kind, []byte(c.yaml))
			switch {
			case want == "" && err != nil:
				t.Errorf("%s/%s: want accepted, got %v", c.id, g, err)
			case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
				t.Errorf("%s/%s: want error containing %q, got %v", c.id, g, want, err)
			}
		}
	}
}

// TestGenerationsMatch: the same pattern matches differently (top-level |, (?m)).
func TestGenerationsMatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		p, s            string
		legacy, current bool
	}{
		{"a|b", "a-evil", true, false},
		{"a|b", "evil-b", true, false},
		{"a|b", "b", true, true},
		{"(?m)a", "a\nevil", true, false},
		{"(?:a|b)", "a-evil", false, false},
	}
	for _, c := range cases {
		for g, want := range map[Generation]bool{Legacy: c.legacy, Current: c.current} {
			re, err := CompilePattern(g, c.p)
			if err != nil {
				t.Fatalf("%s %q: %v", g, c.p, err)
			}
			if got := re.MatchString(c.s); got != want {
				t.Errorf("%s: %q on %q = %v, want %v", g, c.p, c.s, got, want)
			}
		}
	}
}

// TestAdmitsIdentityIsNecessary: whenever AdmitsIdentity refuses an issuer and subject,
// CheckToken refuses the token, so the linter may skip building it.
func TestAdmitsIdentityIsNecessary(t *testing.T) {
	pols := []*TrustPolicy{
		{Issuer: "https://token.actions.githubusercontent.com", Subject: "repo:acme/app:ref:refs/heads/main"},
		{IssuerPattern: `https://token\.actions\.githubusercontent\.com`, SubjectPattern: "repo:acme/.*"},
		{IssuerPattern: "https://.*", SubjectPattern: ".*", ClaimPattern: map[string]string{"event_name": "push"}},
	}
	toks := []Token{}
	for _, iss := range []string{"https://token.actions.githubusercontent.com", "https://attacker.example", "not a url"} {
		for _, sub := range []string{"repo:acme/app:ref:refs/heads/main", "repo:attacker/app:ref:refs/heads/main", "repo:acme/x:pull_request", ""} {
			toks = append(toks, Token{Issuer: iss, Subject: sub, Audience: []string{"octo-sts.dev"}, Claims: map[string]any{"event_name": "push"}})
		}
	}
	admitted := 0
	for i, tp := range pols {
		if tp.AdmitsIdentity("https://attacker.example", "x") {
			t.Fatalf("policy %d: uncompiled policy admits", i)
		}
		if err := tp.Compile(); err != nil {
			t.Fatal(err)
		}
		for _, tok := range toks {
			ok := tp.AdmitsIdentity(tok.Issuer, tok.Subject)
			d := tp.CheckToken(tok, "octo-sts.dev")
			if !ok && d == nil {
				t.Errorf("policy %d: AdmitsIdentity(%q, %q) = false but CheckToken accepts", i, tok.Issuer, tok.Subject)
			}
			if d == nil {
				admitted++
			}
		}
	}
	if admitted == 0 {
		t.Fatal("no token admitted: the property was never exercised")
	}
}
