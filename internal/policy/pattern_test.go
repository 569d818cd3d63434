package policy

import (
	"regexp/syntax"
	"strings"
	"testing"
)

func TestSplitTopLevel(t *testing.T) {
	for p, want := range map[string]string{
		"a|b":          "a,b",
		"(a|b)":        "(a|b)",
		`a\|b`:         `a\|b`,
		"[|]|c":        "[|],c",
		"[]|]x|y":      "[]|]x,y",
		"[^]|]|z":      "[^]|],z",
		"[[:alpha:]|]": "[[:alpha:]|]",
		"a||b":         "a,,b",
		"x)|y":         "x),y",
		`\Qa|b\E|c`:    `\Qa|b\E,c`,
		`\Qa|b`:        `\Qa|b`,
	} {
		if got := strings.Join(SplitTopLevel(p), ","); got != want {
			t.Errorf("SplitTopLevel(%q) = %q, want %q", p, got, want)
		}
	}
}

func FuzzSplitTopLevel(f *testing.F) {
	for _, s := range []string{"a|b", "(a|b)|c", `\|`, "[|]|x", "[[:alpha:]|]", "[]|]", "x)|(", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		parts := SplitTopLevel(p)
		if strings.Join(parts, "|") != p {
			t.Fatalf("SplitTopLevel(%q) = %q does not rejoin", p, parts)
		}
	})
}

func TestMultilineEnd(t *testing.T) {
	for p, want := range map[string]bool{"(?m)a": true, "(?m:a)b": false, "a": false, "(?m)a$": true, "(a(?m)b)": false, "(?i)a": false} {
		if got := MultilineEnd(p); got != want {
			t.Errorf("MultilineEnd(%q) = %v, want %v", p, got, want)
		}
	}
}

// CheckPattern's literal fast path agrees with the parser on literals, empty and near-literal input.
func TestCheckPatternLiteralFastPath(t *testing.T) {
	for _, p := range []string{"", "v1a2", "repo:acme/app:ref:refs/heads/main", "a b", "ünïcode", "a.b", "a\\", "*", "(", "a)|("} {
		for _, g := range []Generation{Legacy, Current} {
			want := syntaxCheck(g, p)
			if got := CheckPattern(g, p); (got == nil) != (want == nil) {
				t.Errorf("CheckPattern(%v, %q) = %v, parser says %v", g, p, got, want)
			}
		}
	}
}

func syntaxCheck(g Generation, p string) error {
	if g == Current {
		if _, err := syntax.Parse(p, syntax.Perl); err != nil {
			return err
		}
	}
	_, err := syntax.Parse(g.Anchored(p), syntax.Perl)
	return err
}
