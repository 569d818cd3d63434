package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
)

func sarifDoc(t *testing.T, fs []lint.Finding, o Options) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, fs, o); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	return doc
}

// at walks a decoded JSON document: string keys index objects, ints index arrays.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %q", path, k)
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("%v: missing %q", path, k)
			}
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("%v: no element %d", path, k)
			}
			v = a[k]
		}
	}
	return v
}

// TestSARIFStructure checks, field by field, what SARIF 2.1.0 requires and what GitHub code
// scanning reads; TestSARIFSchema validates the same output against the OASIS schema.
func TestSARIFStructure(t *testing.T) {
	fx := loadFixture(t, "mixed")
	doc := sarifDoc(t, fx.Findings, Options{Version: "9.9.9", Rules: testRules})
	if at(t, doc, "version") != "2.1.0" || at(t, doc, "$schema") != SARIFSchema {
		t.Errorf("version/$schema = %v / %v", doc["version"], doc["$schema"])
	}
	runs := at(t, doc, "runs").([]any)
	if len(runs) != 1 {
		t.Fatalf("%d runs, want 1 (code scanning rejects duplicate tool+category runs)", len(runs))
	}
	run := runs[0]
	driver := at(t, run, "tool", "driver")
	for k, want := range map[string]string{"name": "octo-sts", "version": "9.9.9", "informationUri": InformationURI} {
		if got := at(t, driver, k); got != want {
			t.Errorf("driver.%s = %v, want %q", k, got, want)
		}
	}
	if got := at(t, run, "automationDetails", "id"); got != DefaultCategory {
		t.Errorf("automationDetails.id = %v", got)
	}
	if got := at(t, run, "columnKind"); got != "unicodeCodePoints" {
		t.Errorf("columnKind = %v", got)
	}
	rules := at(t, driver, "rules").([]any)
	// The registry's six rules, then the unknown "custom-check" used by one finding.
	if len(rules) != len(testRules)+1 {
		t.Fatalf("%d rules, want %d", len(rules), len(testRules)+1)
	}
	ids := map[string]int{}
	for i, r := range rules {
		ids[at(t, r, "id").(string)] = i
	}
	if _, ok := rules[len(rules)-1].(map[string]any)["helpUri"]; ok {
		t.Error("an unregistered rule must not link to the rules doc")
	}
	if at(t, rules[len(rules)-1], "id") != "custom-check" || at(t, rules[len(rules)-1], "defaultConfiguration", "level") != "note" {
		t.Errorf("unknown rule descriptor = %v", rules[len(rules)-1])
	}
	r1 := rules[1]
	for _, c := range []struct {
		path []any
		want string
	}{
		{[]any{"id"}, "unknown-key"},
		{[]any{"name"}, "UnknownKey"},
		{[]any{"helpUri"}, RulesDocURI + "#unknown-key"},
		{[]any{"shortDescription", "text"}, "A key the server does not know."},
		{[]any{"fullDescription", "text"}, "Strict decoding rejects the file."},
		{[]any{"defaultConfiguration", "level"}, "error"},
		{[]any{"properties", "tags", 0}, "octo-sts"},
	} {
		if got := at(t, r1, c.path...); got != c.want {
			t.Errorf("rules[1]%v = %v, want %q", c.path, got, c.want)
		}
	}
	md := at(t, r1, "help", "markdown").(string)
	for _, want := range []string{"**Fix:** Use `pull_requests`.", "```yaml\npermissions:\n  pull-requests: write\n```", "pull_requests: write\n```"} {
		if !strings.Contains(md, want) {
			t.Errorf("help.markdown lacks %q:\n%s", want, md)
		}
	}
	if txt := at(t, r1, "help", "text").(string); !strings.Contains(txt, "Fix: Use `pull_requests`.") || !strings.Contains(txt, "    pull-requests: write") {
		t.Errorf("help.text = %q", txt)
	}

	results := at(t, run, "results").([]any)
	if len(results) != len(fx.Findings) {
		t.Fatalf("%d results, want %d", len(results), len(fx.Findings))
	}
	levels := map[string]bool{}
	for i, res := range results {
		id := at(t, res, "ruleId").(string)
		if idx := int(at(t, res, "ruleIndex").(float64)); idx != ids[id] {
			t.Errorf("results[%d].ruleIndex = %d, but rules[%d] is not %s", i, idx, idx, id)
		}
		levels[at(t, res, "level").(string)] = true
		if at(t, res, "message", "text").(string) == "" {
			t.Errorf("results[%d] has an empty message", i)
		}
		loc := at(t, res, "locations", 0, "physicalLocation")
		if at(t, loc, "artifactLocation", "uriBaseId") != "%SRCROOT%" {
			t.Errorf("results[%d] uriBaseId = %v", i, at(t, loc, "artifactLocation", "uriBaseId"))
		}
		for _, k := range []string{"startLine", "startColumn", "endLine", "endColumn"} {
			if n := at(t, loc, "region", k).(float64); n < 1 {
				t.Errorf("results[%d].region.%s = %v", i, k, n)
			}
		}
	}
	if len(levels) != 3 || !levels["error"] || !levels["warning"] || !levels["note"] {
		t.Errorf("levels = %v, want error, warning and note", levels)
	}
	// Results are sorted like every other format: the first is the notice in "ci deploy".
	first := at(t, results[0], "locations", 0, "physicalLocation")
	if got := at(t, first, "artifactLocation", "uri"); got != ".github/chainguard/ci%20deploy.sts.yaml" {
		t.Errorf("uri = %v, want the repo-relative path with the space escaped", got)
	}
	if got := at(t, first, "region", "endColumn"); got != float64(12) {
		t.Errorf("endColumn = %v", got)
	}
}

func TestSARIFEmptyResultsAndCategory(t *testing.T) {
	doc := sarifDoc(t, nil, Options{Category: "octo-sts/lint/prod/"})
	run := at(t, doc, "runs", 0)
	if res, ok := at(t, run, "results").([]any); !ok || len(res) != 0 {
		t.Errorf("results = %v, want []", at(t, run, "results"))
	}
	if got := at(t, run, "automationDetails", "id"); got != "octo-sts/lint/prod/" {
		t.Errorf("automationDetails.id = %v", got)
	}
	if _, ok := at(t, run, "tool", "driver").(map[string]any)["version"]; ok {
		t.Error("an empty version should be omitted")
	}
}

// TestSARIFDescribesEveryRegisteredRule guards that, by default, code scanning gets the
// documentation of every rule in lint.Rules, whatever rules the lead adds.
func TestSARIFDescribesEveryRegisteredRule(t *testing.T) {
	doc := sarifDoc(t, nil, Options{})
	rules := at(t, doc, "runs", 0, "tool", "driver", "rules").([]any)
	if len(rules) != len(lint.Rules) {
		t.Fatalf("%d rule descriptors, want %d", len(rules), len(lint.Rules))
	}
	doc2, err := os.ReadFile(filepath.Join("..", "..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range lint.Rules {
		d := rules[i]
		// helpUri must land on a heading of docs/rules.md (GitHub anchors "## id" as #id).
		if !strings.Contains(string(doc2), "\n## "+r.ID+"\n") || at(t, d, "helpUri") != RulesDocURI+"#"+r.ID {
			t.Errorf("%s: helpUri %v has no matching heading in docs/rules.md", r.ID, at(t, d, "helpUri"))
		}
		if at(t, d, "id") != r.ID || at(t, d, "shortDescription", "text") != r.Summary {
			t.Errorf("rules[%d] = %v, want %s", i, at(t, d, "id"), r.ID)
		}
		if at(t, d, "defaultConfiguration", "level") != sarifLevel(r.Severity) {
			t.Errorf("%s: level %v for severity %s", r.ID, at(t, d, "defaultConfiguration", "level"), r.Severity)
		}
		if r.Fix != "" && !strings.Contains(at(t, d, "help", "markdown").(string), r.Fix) {
			t.Errorf("%s: help.markdown lacks the fix", r.ID)
		}
		if r.Bad != "" && !strings.Contains(at(t, d, "help", "markdown").(string), strings.TrimRight(r.Bad, "\n")) {
			t.Errorf("%s: help.markdown lacks the bad example", r.ID)
		}
	}
}

func TestSARIFHelpers(t *testing.T) {
	for in, want := range map[string]string{"unknown-key": "UnknownKey", "yaml11-scalar": "Yaml11Scalar", "x": "X", "a--b": "AB"} {
		if got := ruleName(in); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		".github/chainguard/a.sts.yaml": ".github/chainguard/a.sts.yaml",
		"dir/a b#c?.yaml":               "dir/a%20b%23c%3F.yaml",
		"c:x/a.yaml":                    "./c:x/a.yaml",
		`dir\a.yaml`:                    "dir/a.yaml",
	} {
		if got := artifactURI(in); got != want {
			t.Errorf("artifactURI(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fence("a ``` b"); !strings.HasPrefix(got, "````yaml\n") || !strings.HasSuffix(got, "\n````") {
		t.Errorf("fence did not outgrow the backticks inside: %q", got)
	}
	// A region never ends before it starts, even for inconsistent findings.
	doc := sarifDoc(t, []lint.Finding{{File: "a", Line: 5, Column: 9, EndLine: 5, EndColumn: 3, Rule: "r", Severity: lint.SevError, Message: "m"},
		{File: "b", Line: 5, Column: 9, EndLine: 2, EndColumn: 3, Rule: "r", Severity: lint.SevError, Message: "m"}}, Options{Rules: testRules})
	for i := range 2 {
		region := at(t, doc, "runs", 0, "results", i, "locations", 0, "physicalLocation", "region").(map[string]any)
		if _, ok := region["endColumn"]; ok {
			t.Errorf("result %d: endColumn before startColumn was kept: %v", i, region)
		}
	}
}
