package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/octo-sts/action/internal/policy"
)

// FuzzLint feeds arbitrary files to the linter under every kind and checks the two contracts:
// no panic, and an error finding exactly when the server's own decode + Compile refuses the file.
func FuzzLint(f *testing.F) {
	for _, set := range []string{"ok", "err"} {
		_ = filepath.WalkDir(filepath.Join(testdata, set), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(p) != ".out" {
				if b, err := os.ReadFile(p); err == nil && len(b) < 4096 {
					f.Add(b)
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The oracle follows the chosen generation: each alone, and all (an error when any refuses).
		for _, server := range [][]policy.Generation{nil, {policy.Legacy}, {policy.Current}} {
			for _, k := range []policy.Kind{policy.KindRepo, policy.KindOrg, policy.KindIssuers} {
				o := Options{Kind: k, Repository: "acme/.github", Server: server}
				assertParity(t, fmt.Sprintf("%s/%v", k, server), ".github/chainguard/fuzz.sts.yaml", data, k, o)
			}
		}
	})
}

// FuzzSpanningElement checks the allowlist span check never panics and agrees with Problems.
func FuzzSpanningElement(f *testing.F) {
	for _, s := range []string{`https://.*\.example\.com`, `https://[a-z0-9-]+\.example\.com`, `https://a\.example\.com|https://b\.example\.com`, `(?i)x`, `[/]`, `https://x\.com/{1}`, `\Q/\E+`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		what := policy.SpanningElement(p)
		oti := policy.OrgTrustedIssuers{IssuerPatterns: []string{p}}
		ps := oti.Problems()
		if what != "" && len(p) <= policy.MaxPatternBytes && len(ps) == 0 {
			t.Fatalf("span check found %q but Problems is empty for %q", what, p)
		}
	})
}
