package policy

import (
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
