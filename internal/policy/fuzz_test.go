package policy

import "testing"

// FuzzDecode runs the three decoders and Compile on arbitrary bytes: they must never panic, and a
// compiled policy must evaluate without panicking.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("issuer: https://example.com\nsubject: s\nclaim_pattern: {a: b}\n"))
	f.Add([]byte("mode: audit\nissuer_patterns: ['https://[a-z]+\\.example\\.com']\n"))
	f.Add([]byte("issuer_pattern: '*'\nsubject_pattern: '(a|b)'\nrepositories: [x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, g := range Generations {
			for _, k := range []Kind{KindRepo, KindOrg, KindIssuers} {
				_ = Accepts(g, k, data)
			}
			// current's shape is a superset of legacy's: whatever legacy decodes, current decodes.
			if _, _, lerr := Decode(Legacy, KindRepo, data); lerr == nil {
				if _, _, cerr := Decode(Current, KindRepo, data); cerr != nil {
					t.Fatalf("legacy decodes but current refuses: %v", cerr)
				}
			}
		}
		if tp, _, err := Decode(Current, KindRepo, data); err == nil && tp.Compile() == nil {
			tp.CheckToken(Token{Issuer: "https://example.com", Subject: "s", Audience: []string{"octo-sts.dev"}, Claims: map[string]any{"a": "b"}}, "octo-sts.dev")
		}
	})
}

// FuzzValidators checks the token validators never panic and that an empty string is never valid.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"https://example.com", "repo:o/r:ref:refs/heads/main", "a@b", "http://[::1]:8080", "https://example.com/%2F..%2F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iss, sub, aud := IsValidIssuer(s), IsValidSubject(s), IsValidAudience(s)
		if s == "" && (iss || sub || aud) {
			t.Fatal("empty string accepted")
		}
		if aud && !sub {
			t.Fatalf("%q is a valid audience but not a valid subject; audiences are stricter", s)
		}
		if !sub && InvalidSubjectReason(s) == "" {
			t.Fatalf("%q is invalid but no reason is given", s)
		}
	})
}
