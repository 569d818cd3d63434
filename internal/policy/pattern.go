// Not a mirror of an upstream file: analysis of trust-policy patterns that explains where the two
// generations' anchoring differs (a top-level "|" is half-anchored under legacy "^p$").

package policy

import (
	"regexp/syntax"
	"strings"
)

// SplitTopLevel splits a trust-policy pattern at "|" outside groups, character classes and \Q…\E
// quotes: more than one part means the server's ungrouped ^…$ wrapping leaves it half-anchored.
func SplitTopLevel(p string) []string {
	var out []string
	depth, start := 0, 0
	inClass, quoted := false, false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case quoted:
			if c == '\\' && i+1 < len(p) && p[i+1] == 'E' {
				quoted = false
				i++
			}
		case c == '\\':
			if i+1 < len(p) && p[i+1] == 'Q' {
				quoted = true
			}
			i++
		case inClass:
			if c == '[' && i+1 < len(p) && p[i+1] == ':' {
				if j := strings.Index(p[i+2:], ":]"); j >= 0 {
					i += j + 3
				}
			} else if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			if i+1 < len(p) && p[i+1] == '^' {
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				i++
			}
		case c == '(':
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case c == '|' && depth == 0:
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

// MultilineEnd reports whether a legacy server's added "$" means end of line rather than end of
// text for pattern p: a top-level (?m) flag reaches it, so "x\nanything" can match. A current
// server's group keeps the flag inside, so its "$" always means end of text.
func MultilineEnd(p string) bool {
	if !strings.Contains(p, "(?") {
		return false // no flag group, no (?m)
	}
	whole, err := syntax.Parse(Legacy.Anchored(p), syntax.Perl)
	if err != nil {
		return false
	}
	alone, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return false
	}
	return countOp(whole, syntax.OpEndLine) > countOp(alone, syntax.OpEndLine)
}

func countOp(re *syntax.Regexp, op syntax.Op) int {
	n := 0
	if re.Op == op {
		n++
	}
	for _, s := range re.Sub {
		n += countOp(s, op)
	}
	return n
}
