package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/octo-sts/action/internal/lint"
)

// sarifSchemaID is the $id of the OASIS schema in testdata/sarif; registering the file under it
// keeps compilation offline.
const sarifSchemaID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat = true // uri, uri-reference: helpUri and artifact URIs must be well formed
	if err := c.AddResource(sarifSchemaID, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(sarifSchemaID)
	if err != nil {
		t.Fatalf("compiling the SARIF schema: %v", err)
	}
	return s
}

func validateSARIF(t *testing.T, s *jsonschema.Schema, doc []byte) error {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return s.Validate(v)
}

// TestSARIFValidatesAgainstSchema validates real output (every fixture, the full rule registry,
// odd paths and unknown rules) against the OASIS SARIF 2.1.0 schema.
func TestSARIFValidatesAgainstSchema(t *testing.T) {
	s := compileSARIFSchema(t)
	odd := []lint.Finding{
		{File: "dir with space/a#b?.sts.yaml", Line: 3, Column: 2, EndLine: 3, EndColumn: 9, Rule: "unknown-key", Severity: lint.SevError, Message: "m"},
		{File: "c:x.sts.yaml", Line: 0, Column: 0, Rule: "not-registered", Severity: lint.SevNotice, Message: "no position"},
		{File: "b.sts.yaml", Line: 4, Column: 7, EndLine: 2, EndColumn: 1, Rule: "broad-pattern", Severity: lint.SevWarning, Message: "end before start"},
	}
	inputs := map[string][]lint.Finding{"odd": odd}
	for _, c := range []string{"empty", "mixed", "overflow"} {
		inputs[c] = loadFixture(t, c).Findings
	}
	for name, fs := range inputs {
		for _, o := range []Options{{Rules: testRules, Version: "1.2.3"}, {}} {
			var buf bytes.Buffer
			if err := SARIF(&buf, fs, o); err != nil {
				t.Fatal(err)
			}
			if err := validateSARIF(t, s, buf.Bytes()); err != nil {
				t.Errorf("%s (registry rules: %v): SARIF does not validate: %#v", name, o.Rules == nil, err)
			}
		}
	}
	// The committed goldens validate too.
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "report", "*.sarif.golden"))
	if len(paths) == 0 {
		t.Fatal("no SARIF goldens")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateSARIF(t, s, data); err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		}
	}
}

// TestSARIFSchemaRejectsBrokenOutput makes sure the validation above can fail: the same document
// with a level SARIF does not have, or without a message, is rejected.
func TestSARIFSchemaRejectsBrokenOutput(t *testing.T) {
	s := compileSARIFSchema(t)
	var buf bytes.Buffer
	if err := SARIF(&buf, loadFixture(t, "mixed").Findings, Options{Rules: testRules}); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	for name, broken := range map[string]string{
		"notice level":   strings.Replace(good, `"level": "note"`, `"level": "notice"`, 1),
		"no message":     strings.Replace(good, `"message": {`, `"messagex": {`, 1),
		"zero startLine": strings.Replace(good, `"startLine": 1,`, `"startLine": 0,`, 1),
		"bad version":    strings.Replace(good, `"version": "2.1.0"`, `"version": "2.0.0"`, 1),
	} {
		if broken == good {
			t.Fatalf("%s: mutation did not apply", name)
		}
		if err := validateSARIF(t, s, []byte(broken)); err == nil {
			t.Errorf("%s: schema accepted a broken document", name)
		}
	}
}
