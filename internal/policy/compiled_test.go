package policy

import (
	"regexp"
	"testing"
)

// serverCompile is what the server itself does for a pattern, the oracle CompilePattern must agree
// with: legacy compiles ^p$; current compiles p alone, then ^(?:p)$.
func serverCompile(g Generation, p string) (*regexp.Regexp, error) {
	if g == Current {
		if _, err := regexp.Compile(p); err != nil {
			return nil, err
		}
	}
	return regexp.Compile(g.Anchored(p))
}

// compileProbes are subjects and claim values chosen to tell anchorings, alternations and
// multi-line flags apart.
var compileProbes = []string{"", "a", "b", "ab", "ba", "a\nb", "b\na", "xa", "ax", "repo:acme/x", "repo:acme/app:pull_request",
	"evil:b", "repo:o/r:ref:refs/heads/main", "repo:o/r:ref:refs/heads/main\nx", ")", "(", "$", "abc$", `a\`, "A"}

// checkCompileAgrees fails when CompilePattern (memoised, with its empty leading group) and the
// server's compile differ in whether p compiles, in the error text, or on any probe; CheckPattern
// must give the same error before and after the compile is remembered.
func checkCompileAgrees(t *testing.T, g Generation, p string) {
	t.Helper()
	want, werr := serverCompile(g, p)
	before := CheckPattern(g, p)
	got, gerr := CompilePattern(g, p)
	after := CheckPattern(g, p)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("%s %q: server error %v, CompilePattern %v", g, p, werr, gerr)
	}
	for _, e := range []error{before, after} {
		if (e == nil) != (werr == nil) || (e != nil && e.Error() != werr.Error()) {
			t.Fatalf("%s %q: server error %v, CheckPattern %v", g, p, werr, e)
		}
	}
	if werr != nil {
		return
	}
	for _, s := range append(compileProbes, p) {
		if want.MatchString(s) != got.MatchString(s) {
			t.Fatalf("%s %q on %q: server %v, CompilePattern %v", g, p, s, want.MatchString(s), got.MatchString(s))
		}
	}
}

var compileSeeds = []string{"repo:acme/.*", "a|b", "(?i)repo:Acme/app:.*", ".*", "*", "x)|(y", `repo:o/r:ref:refs/heads/(main|dev)`,
	"^a$|b", "(?m)a", "(?m)a$|b", `\Qa`, `a\`, `a)(b`, "a)|(?:b", "(a", "[a", "(?i", `\Q)\E`, "a{2,3}", `\pL+`, "(?s).", "", "a(?m)",
	"a$", "^a", `\E`, "((((a))))", "(a)(b)", `a\|b`, "[|]", "(?:a|b)c", "a*?", `\pL+:x`}

// TestCompilePatternSemantics pins CompilePattern to the server's own compile on hand-picked
// patterns (FuzzCompilePattern explores the rest).
func TestCompilePatternSemantics(t *testing.T) {
	for _, p := range compileSeeds {
		for _, g := range Generations {
			checkCompileAgrees(t, g, p)
		}
	}
}

func FuzzCompilePattern(f *testing.F) {
	for _, p := range compileSeeds {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if len(p) > 256 {
			return
		}
		for _, g := range Generations {
			checkCompileAgrees(t, g, p)
		}
	})
}
