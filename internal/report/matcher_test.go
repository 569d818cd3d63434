package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
)

// problemMatcher mirrors the runner's IssueMatchersConfig (actions/runner IssueMatcher.cs).
type problemMatcher struct {
	ProblemMatcher []struct {
		Owner    string `json:"owner"`
		Severity string `json:"severity"`
		Pattern  []struct {
			Regexp   string `json:"regexp"`
			File     *int   `json:"file"`
			Line     *int   `json:"line"`
			Column   *int   `json:"column"`
			Severity *int   `json:"severity"`
			Message  *int   `json:"message"`
			Code     *int   `json:"code"`
			FromPath *int   `json:"fromPath"`
			Loop     bool   `json:"loop"`
		} `json:"pattern"`
	} `json:"problemMatcher"`
}

// ecmaOnly catches ECMAScript/.NET regexp syntax that RE2 lacks or reads differently, so the
// pattern the runner runs (RegexOptions.ECMAScript) is the one this test runs.
var ecmaOnly = regexp.MustCompile(`\(\?<|\(\?=|\(\?!|\(\?<=|\(\?<!|\\k<|\\[1-9]|\\c[A-Za-z]|\\u[0-9A-Fa-f]{4}|\[\^?\]`)

// loadMatcher parses .github/octo-sts-lint-matcher.json, checks it the way the runner validates
// matchers, and compiles its regexp as RE2.
func loadMatcher(t *testing.T) (*regexp.Regexp, map[string]int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", ".github", "octo-sts-lint-matcher.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pm problemMatcher
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pm); err != nil {
		t.Fatalf("matcher JSON: %v", err)
	}
	if len(pm.ProblemMatcher) != 1 || pm.ProblemMatcher[0].Owner != "octo-sts-lint" {
		t.Fatalf("want one matcher owned by octo-sts-lint, got %+v", pm)
	}
	m := pm.ProblemMatcher[0]
	if m.Severity != "" && m.Severity != "error" && m.Severity != "warning" {
		t.Errorf("default severity %q is not one the runner accepts", m.Severity)
	}
	if len(m.Pattern) != 1 || m.Pattern[0].Loop {
		t.Fatalf("want a single-line pattern, got %d patterns", len(m.Pattern))
	}
	p := m.Pattern[0]
	if bad := ecmaOnly.FindString(p.Regexp); bad != "" {
		t.Fatalf("regexp uses %q, which RE2 and ECMAScript do not share", bad)
	}
	// \d is ASCII [0-9] both in ECMAScript mode and in RE2; nothing else needs converting.
	re, err := regexp.Compile(p.Regexp)
	if err != nil {
		t.Fatalf("regexp is not RE2-compatible: %v", err)
	}
	groups := map[string]int{}
	for name, idx := range map[string]*int{"file": p.File, "line": p.Line, "column": p.Column, "severity": p.Severity, "message": p.Message, "code": p.Code} {
		if idx == nil {
			t.Fatalf("pattern does not set %q", name)
		}
		// The runner rejects an index outside the regexp's groups (0 is the whole match).
		if *idx < 1 || *idx > re.NumSubexp() {
			t.Fatalf("%s = %d is out of range for %d groups", name, *idx, re.NumSubexp())
		}
		groups[name] = *idx
	}
	if p.FromPath != nil {
		t.Error("fromPath would resolve files against the wrong directory; paths are workspace-relative")
	}
	return re, groups
}

// TestProblemMatcherMatchesTextFormat proves the shipped problem matcher turns every finding line
// of the text format into an annotation with the right fields, and ignores the summary line.
func TestProblemMatcherMatchesTextFormat(t *testing.T) {
	re, g := loadMatcher(t)
	fs := loadFixture(t, "mixed").Findings
	fs = append(fs,
		lint.Finding{File: "dir/a:1:2.sts.yaml", Line: 12, Column: 7, Rule: "invalid-regex", Severity: lint.SevError, Message: "pattern [a-(b] is invalid: missing ] [x]"},
		lint.Finding{File: `C:\work\repo\.github\chainguard\w.sts.yaml`, Line: 1, Column: 1, Rule: "yaml11-scalar", Severity: lint.SevWarning, Message: "no: becomes \"false\""},
		lint.Finding{File: "x.sts.yaml", Line: 0, Column: 0, Rule: "file-not-read", Severity: lint.SevNotice, Message: "whole-file finding"},
	)
	var buf bytes.Buffer
	if err := Text(&buf, fs, Options{Files: 5}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	sortedFs := sorted(fs)
	if len(lines) != len(sortedFs)+1 {
		t.Fatalf("%d lines for %d findings", len(lines), len(sortedFs))
	}
	for i, f := range sortedFs {
		m := re.FindStringSubmatch(lines[i])
		if m == nil {
			t.Errorf("matcher misses line %q", lines[i])
			continue
		}
		want := map[string]string{
			"file": f.File, "line": strconv.Itoa(max(f.Line, 1)), "column": strconv.Itoa(max(f.Column, 1)),
			"severity": string(f.Severity), "message": oneLine(f.Message), "code": f.Rule,
		}
		for name, w := range want {
			if got := m[g[name]]; got != w {
				t.Errorf("line %q: %s = %q, want %q", lines[i], name, got, w)
			}
		}
	}
	if summary := lines[len(lines)-1]; re.MatchString(summary) {
		t.Errorf("matcher also matches the summary line %q", summary)
	}
	// Every severity the linter has is one the runner's matcher accepts (error, warning, notice).
	for _, s := range []lint.Severity{lint.SevError, lint.SevWarning, lint.SevNotice} {
		line := TextLine(lint.Finding{File: "f", Line: 1, Column: 1, Rule: "r", Severity: s, Message: "m"})
		if m := re.FindStringSubmatch(line); m == nil || m[g["severity"]] != string(s) {
			t.Errorf("severity %s not extracted from %q", s, line)
		}
	}
}

// TestProblemMatcherMatchesGoldens runs the matcher over the committed text goldens too, so a
// format change that breaks annotations cannot land with regenerated goldens alone.
func TestProblemMatcherMatchesGoldens(t *testing.T) {
	re, _ := loadMatcher(t)
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "report", "*.text.golden"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no text goldens: %v", err)
	}
	summaryRE := regexp.MustCompile(`^\d+ errors?, \d+ warnings?, \d+ notices? in \d+ files?$`)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if summaryRE.MatchString(l) {
				continue
			}
			if !re.MatchString(l) {
				t.Errorf("%s: matcher misses %q", filepath.Base(p), l)
			}
		}
	}
}
