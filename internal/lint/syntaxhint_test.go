package lint

import (
	"strconv"
	"strings"
	"testing"
)

// TestSyntaxHints: a YAML syntax error names the likely fix at the line and column of the fix.
func TestSyntaxHints(t *testing.T) {
	const head = "issuer: https://token.actions.githubusercontent.com\nsubject: repo:a/b:ref:refs/heads/main\n"
	for _, c := range []struct {
		name, src string
		line, col int
		want      string
	}{
		{"tab", head + "permissions:\n\tcontents: read\n", 4, 1, "indented with a tab"},
		{"unbalanced quote", "issuer: \"https://token.actions.githubusercontent.com\nsubject: x\n", 1, 9, "double quote \" on line 1 is never closed"},
		{"indentation slip", head + "permissions:\n  contents: read\n   issues: write\n", 5, 4, "indented 3 spaces where the keys around it use 2"},
		{"unclosed list", "issuer: x\nsubject: [a, b\n", 2, 10, "the [ on line 2 is never closed"},
		{"unclosed map", "issuer: x\npermissions: {contents: read\n", 2, 14, "the { on line 2 is never closed"},
		{"one space", "issuer: x\n permissions:\n   contents: read\n", 2, 2, "indented 1 space where"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := Bytes(".github/chainguard/x.sts.yaml", []byte(c.src), Options{})
			for _, f := range fs {
				if f.Rule == "yaml-syntax" {
					if f.Line != c.line || f.Column != c.col || !strings.Contains(f.Message, c.want) {
						t.Errorf("got %d:%d %s; want %d:%d with %q", f.Line, f.Column, f.Message, c.line, c.col, c.want)
					}
					// The first line the message names is the one the finding points at.
					if m := lineRE.FindStringSubmatch(f.Message); m == nil || m[1] != strconv.Itoa(f.Line) {
						t.Errorf("%d:%d %s: the message names another line first", f.Line, f.Column, f.Message)
					}
					return
				}
			}
			t.Fatalf("no yaml-syntax finding: %+v", fs)
		})
	}
}

// FuzzSyntaxHint: any input and reported line gives a position inside the file or line 1.
func FuzzSyntaxHint(f *testing.F) {
	f.Add([]byte("a:\n\tb: c\n"), 2, "found character that cannot start any token")
	f.Add([]byte("a: \"b\n"), 2, "found unexpected end of stream")
	f.Add([]byte("a:\n  b: 1\n   c: 2\n"), 3, "mapping values are not allowed in this context")
	f.Fuzz(func(t *testing.T, data []byte, line int, msg string) {
		at, col, _ := syntaxHint(data, line, msg)
		if col < 1 || (at != line && (at < 1 || at > strings.Count(string(data), "\n")+1)) {
			t.Fatalf("position %d:%d for line %d", at, col, line)
		}
	})
}
