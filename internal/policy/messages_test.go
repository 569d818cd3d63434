package policy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// serverFragments are the fixed parts of every message the model produces: the catalogue's
// formats cut at their first verb, CheckToken's and Compile's texts, and the allowlist's.
func serverFragments() []string {
	var out []string
	add := func(format string) {
		if i := strings.Index(format, "%"); i >= 0 {
			format = format[:i]
		}
		if format = strings.TrimSpace(format); len(format) >= 12 {
			out = append(out, format)
		}
		// Its leading words too ("unable to parse trust policy"), so a quote of the message
		// without its tail ("found for %q") is caught as well.
		words := strings.Fields(format)
		for n := len(words) - 1; n >= 4; n-- {
			out = append(out, strings.Join(words[:n], " "))
		}
	}
	for _, table := range []map[Code]answerSpec{answers, currentAnswers} {
		for _, spec := range table {
			add(spec.format)
		}
	}
	for _, f := range []string{"issuer", "subject", "audience"} {
		add(InvalidTokenMessage(f))
	}
	for _, m := range []string{
		"trust policy: not compiled", "trust policy: issuer ", "trust policy: subject ", "trust policy: audience", "did not match pattern", "did not match any of", "not found in token",
		"trust policy: expected claim", "trust policy: claim ", "can be set, got both", "must be set, got neither",
		"error compiling claim_pattern", "trust policy: invalid ", "must list at least one entry in issuers",
		"must be lowercase in scheme and host", "so the pattern can span past the host",
		"token exchange failure", // the 403's stem, quoted without its "(StatusUnprocessableEntity)"
	} {
		out = append(out, m)
	}
	return out
}

// TestNoServerMessageOutsideModel fails when a server message (or a fixed part of one) is written
// as a string literal in non-test Go code outside internal/policy: other packages must take
// messages from the model and branch on Codes, never restate or match the server's words.
func TestNoServerMessageOutsideModel(t *testing.T) {
	t.Parallel()
	frags := serverFragments()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "node_modules", "policy":
				if d.Name() != "policy" || filepath.Base(filepath.Dir(p)) == "internal" {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, frag := range frags {
				if strings.Contains(s, frag) {
					t.Errorf("%s: string literal %q restates the server message %q; take it from internal/policy", p, s, frag)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
