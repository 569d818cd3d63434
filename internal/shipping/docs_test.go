package shipping

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// backticked is a `name` in a markdown cell.
var backticked = regexp.MustCompile("`([^`]+)`")

// tableNames returns the backticked names in the first column of the first table after the
// line heading in the markdown file path ("`path`, `fail-on`" counts as two names).
func tableNames(t *testing.T, path, heading string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s: no %q heading", path, heading)
	}
	names := map[string]bool{}
	inTable := false
	for _, l := range strings.Split(after, "\n") {
		if !strings.HasPrefix(l, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		first := strings.SplitN(l, "|", 3)[1]
		for _, m := range backticked.FindAllStringSubmatch(first, -1) {
			names[m[1]] = true
		}
	}
	if len(names) == 0 {
		t.Fatalf("%s: no table under %q", path, heading)
	}
	return names
}

// TestDocsListEveryInput: the input tables of README.md and docs/action.md name every input
// action.yml declares, so a new input cannot ship undocumented.
func TestDocsListEveryInput(t *testing.T) {
	root := repoRoot(t)
	inputs := actionInputs(t, filepath.Join(root, "action.yml"))
	for _, doc := range []struct{ path, heading string }{
		{"README.md", "### Inputs"},
		{filepath.Join("docs", "action.md"), "## Inputs"},
	} {
		listed := tableNames(t, filepath.Join(root, doc.path), doc.heading)
		for name := range inputs {
			if !listed[name] {
				t.Errorf("%s: the %q table lacks input %q of action.yml", doc.path, doc.heading, name)
			}
		}
	}
}

// TestLintDocsListEveryFlag: docs/lint.md's flag table names every flag `octo-sts lint -h`
// prints.
func TestLintDocsListEveryFlag(t *testing.T) {
	_, help := runIn(t, t.TempDir(), []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, binary(t), "lint", "-h")
	flags := regexp.MustCompile(`(?m)^\s+(--[a-z-]+)`).FindAllStringSubmatch(help, -1)
	if len(flags) < 5 {
		t.Fatalf("octo-sts lint -h lists %d flags:\n%s", len(flags), help)
	}
	listed := tableNames(t, filepath.Join(repoRoot(t), "docs", "lint.md"), "## Command line")
	for _, f := range flags {
		if !listed[f[1]] {
			t.Errorf("docs/lint.md's flag table lacks %s", f[1])
		}
	}
}

// hintID is a hint's ID where internal/check sets one: Hint{ID: "x"} or a table's id: "x".
var hintID = regexp.MustCompile(`\b(?:ID|id): *"([a-z]+(?:-[a-z]+)+)"`)

// TestCheckDocsListEveryHint: docs/check.md promises stable hint IDs; it lists every one
// internal/check can emit.
func TestCheckDocsListEveryHint(t *testing.T) {
	root := repoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "check.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, list, _ := strings.Cut(string(doc), "`hint.id` values are stable:")
	list, _, _ = strings.Cut(list, "\n\n")
	files, err := filepath.Glob(filepath.Join(root, "internal", "check", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range hintID.FindAllStringSubmatch(string(b), -1) {
			n++
			if !strings.Contains(list, "`"+m[1]+"`") {
				t.Errorf("docs/check.md's hint.id list lacks %q (%s)", m[1], filepath.Base(f))
			}
		}
	}
	if n < 10 {
		t.Fatalf("found %d hint IDs in internal/check, want the full set", n)
	}
}
