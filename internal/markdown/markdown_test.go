package markdown

import "testing"

func TestCode(t *testing.T) {
	for in, want := range map[string]string{
		"":          "`\"\"`",
		"main":      "`main`",
		"a`b":       "``a`b``",
		"`x":        "`` `x ``",
		" main ":    "`  main  `",
		"a|b":       "`a\\|b`",
		"a\r\nb\nc": "`a b c`",
	} {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}
