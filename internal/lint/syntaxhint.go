package lint

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// syntaxHint names the likely fix of a YAML syntax error the parser reports on line (its words are
// the parser's, such as "found character that cannot start any token" for a tab) and the column
// (line and column) where the fix goes: a tab in the indentation, a quote or a flow list that is
// never closed, or an indentation slip. It returns line, column 1 and "" when none of them fits.
func syntaxHint(data []byte, line int, msg string) (at1 int, col int, hint string) {
	lines := strings.Split(string(data), "\n")
	at := func(n int) string {
		if n < 1 || n > len(lines) {
			return ""
		}
		return strings.TrimRight(lines[n-1], "\r")
	}
	// A tab in the indentation of the reported line or the one before it.
	for _, n := range []int{line, line - 1} {
		l := at(n)
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if i := strings.IndexByte(indent, '\t'); i >= 0 {
			return n, i + 1, "line " + itoa(n) + " is indented with a tab; YAML indentation must be spaces: replace the tab with spaces"
		}
	}
	// A quoted scalar opened and never closed: the parser reports where it gave up, often the end.
	if strings.Contains(msg, "quoted scalar") || strings.Contains(msg, "unexpected end of stream") {
		for n := min(line, len(lines)); n >= 1; n-- {
			if c, q := unclosedQuote(at(n)); c > 0 {
				return n, c, "the " + q + " on line " + itoa(n) + " is never closed: add the closing " + q + " (or drop the opening one)"
			}
		}
	}
	// A flow list or mapping opened and never closed.
	for _, pair := range []string{"[]", "{}"} {
		if !strings.Contains(msg, "did not find expected ',' or '"+pair[1:]+"'") {
			continue
		}
		for n := min(line, len(lines)); n >= 1; n-- {
			if c := unclosedBracket(at(n), pair[0], pair[1]); c > 0 {
				return n, c, "the " + pair[:1] + " on line " + itoa(n) + " is never closed: add the closing " + pair[1:] + " (or write the list one item per line)"
			}
		}
	}
	// An indentation slip: a key indented differently from its siblings.
	if strings.Contains(msg, "mapping values are not allowed") || strings.Contains(msg, "did not find expected key") || strings.Contains(msg, "did not find expected '-' indicator") {
		for _, n := range []int{line, line - 1} {
			l := at(n)
			trimmed := strings.TrimLeft(l, " ")
			if trimmed == "" || strings.HasPrefix(trimmed, "#") {
				continue
			}
			if want, ok := siblingIndent(lines, n); ok && want != len(l)-len(trimmed) {
				return n, len(l) - len(trimmed) + 1, "line " + itoa(n) + " is indented " + spaces(len(l)-len(trimmed)) + " where the keys around it use " + itoa(want) + ": align it"
			}
			if strings.Count(trimmed, ": ") > 1 && !strings.ContainsAny(trimmed, `"'`) {
				i := strings.Index(trimmed, ": ")
				return n, len(l) - len(trimmed) + i + 3, "line " + itoa(n) + " has a second \": \" in an unquoted value: quote the value"
			}
		}
	}
	return line, 1, ""
}

// unclosedBracket returns the 1-based column of the last open bracket on l that l does not
// close, or 0; brackets inside quotes count too, which only makes the hint less likely.
func unclosedBracket(l string, open, close byte) int {
	var stack []int
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case open:
			stack = append(stack, i)
		case close:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case '#':
			if i == 0 || l[i-1] == ' ' {
				i = len(l) // a comment
			}
		}
	}
	if len(stack) == 0 {
		return 0
	}
	return stack[len(stack)-1] + 1
}

// unclosedQuote returns the 1-based column and kind of a quote that opens a value on l and is not
// closed on it.
func unclosedQuote(l string) (int, string) {
	i := strings.Index(l, ": ")
	start := 0
	switch {
	case i >= 0:
		start = i + 2
	case strings.HasPrefix(strings.TrimLeft(l, " "), "- "):
		start = strings.Index(l, "- ") + 2
	default:
		return 0, ""
	}
	v := strings.TrimLeft(l[start:], " ")
	col := len(l) - len(v) + 1
	switch {
	case strings.HasPrefix(v, `"`):
		body := strings.ReplaceAll(v[1:], `\\`, "")
		body = strings.ReplaceAll(body, `\"`, "")
		if !strings.Contains(body, `"`) {
			return col, `double quote "`
		}
	case strings.HasPrefix(v, "'"):
		if strings.Count(strings.ReplaceAll(v[1:], "''", ""), "'") == 0 {
			return col, "single quote '"
		}
	}
	return 0, ""
}

// siblingIndent is the indentation of the nearest non-blank, non-comment line above n that is not
// more indented than its own parent line would allow (a cheap reading of "the keys around it").
func siblingIndent(lines []string, n int) (int, bool) {
	for k := n - 1; k >= 1; k-- {
		l := strings.TrimRight(lines[k-1], "\r")
		t := strings.TrimLeft(l, " ")
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if strings.HasSuffix(t, ":") { // a parent: its children are indented further
			return 0, false
		}
		return len(l) - len(t), true
	}
	return 0, false
}

// spaces is "1 space", "2 spaces".
func spaces(n int) string {
	if n == 1 {
		return "1 space"
	}
	return itoa(n) + " spaces"
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// syntaxNode points at the fix's column on the reported line.
func (f *file) syntaxNode(line, col int) *node {
	return &node{&yaml.Node{Kind: yaml.DocumentNode, Line: max(line, 1), Column: max(col, 1)}}
}
