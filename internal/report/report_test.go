package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/report")

// fixture is one shared input of the golden tests: findings plus the options every format gets.
type fixture struct {
	Files        int            `json:"files"`
	SummaryLimit int            `json:"summary_limit"`
	Findings     []lint.Finding `json:"findings"`
}

// testRules pins the SARIF rule descriptions in goldens, so rule edits elsewhere do not churn them.
var testRules = []*lint.Rule{
	{ID: "yaml-syntax", Severity: lint.SevError, Summary: "The file is not valid YAML.", Rationale: "The server cannot parse it.", Fix: "Fix the syntax.",
		Bad: "subject: [a\n", Good: "subject: a\n"},
	{ID: "unknown-key", Severity: lint.SevError, Summary: "A key the server does not know.", Rationale: "Strict decoding rejects the file.", Fix: "Use `pull_requests`.",
		Bad: "permissions:\n  pull-requests: write\n", Good: "permissions:\n  pull_requests: write\n"},
	{ID: "allowlist-issuer", Severity: lint.SevError, Summary: "Bad allowlist issuer.", Rationale: "Matched byte for byte.", Fix: "Lower-case the host."},
	{ID: "broad-pattern", Severity: lint.SevWarning, Summary: "A pattern admits anything.", Rationale: "Every branch gets the token.", Fix: "Name the ref.",
		Bad: "subject_pattern: repo:acme/.*\n", Good: "subject: repo:acme/app:ref:refs/heads/main\n"},
	{ID: "unescaped-dot", Severity: lint.SevWarning, Summary: "Unescaped dot.", Rationale: "Matches any character.", Fix: "Escape it.",
		Bad: "issuer_pattern: https://a.b\n", Good: "issuer_pattern: https://a\\.b\n"},
	{ID: "empty-value", Severity: lint.SevNotice, Summary: "Empty value.", Rationale: "Treated as unset.", Fix: "Remove the key."},
}

func loadFixture(t *testing.T, name string) fixture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "report", name+".input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx fixture
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fx); err != nil {
		t.Fatalf("%s.input.json: %v", name, err)
	}
	return fx
}

// golden compares got with testdata/report/<name>, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "report", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (run go test ./internal/report -update after checking the change)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	for _, c := range []string{"empty", "mixed", "overflow"} {
		fx := loadFixture(t, c)
		o := Options{Files: fx.Files, Version: "1.2.3-test", Rules: testRules, SummaryLimit: fx.SummaryLimit}
		for _, f := range Formats {
			t.Run(c+"/"+string(f), func(t *testing.T) {
				var buf bytes.Buffer
				if err := Write(&buf, f, fx.Findings, o); err != nil {
					t.Fatal(err)
				}
				golden(t, c+"."+string(f)+".golden", buf.Bytes())
			})
		}
		t.Run(c+"/summary", func(t *testing.T) {
			golden(t, c+".summary.golden.md", []byte(Summary(fx.Findings, o)))
		})
	}
}

func TestWriteIsDeterministicWhateverTheInputOrder(t *testing.T) {
	fx := loadFixture(t, "mixed")
	rev := slices.Clone(fx.Findings)
	slices.Reverse(rev)
	o := Options{Files: fx.Files, Rules: testRules}
	for _, f := range Formats {
		var a, b bytes.Buffer
		if err := Write(&a, f, fx.Findings, o); err != nil {
			t.Fatal(err)
		}
		if err := Write(&b, f, rev, o); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s output depends on input order", f)
		}
	}
	if Summary(fx.Findings, o) != Summary(rev, o) {
		t.Error("summary depends on input order")
	}
	// Write must not reorder the caller's slice.
	if fx.Findings[0].Rule != "unknown-key" {
		t.Error("Write sorted the caller's findings in place")
	}
}

func TestTextLineForm(t *testing.T) {
	f := lint.Finding{File: ".github/chainguard/x.sts.yaml", Line: 3, Column: 5, Rule: "unknown-key", Severity: lint.SevError,
		Message: "bad key\n  second line"}
	if got, want := TextLine(f), `.github/chainguard/x.sts.yaml:3:5: error: bad key second line [unknown-key]`; got != want {
		t.Errorf("TextLine = %q, want %q", got, want)
	}
	// A file name with line breaks cannot start a new log line (which could be a workflow command).
	evil := lint.Finding{File: "x\n::error::forged\r.sts.yaml", Line: 1, Column: 1, Rule: "r", Severity: lint.SevError, Message: "m"}
	if got := TextLine(evil); strings.ContainsAny(got, "\r\n") || got != `x\n::error::forged\r.sts.yaml:1:1: error: m [r]` {
		t.Errorf("TextLine(evil) = %q", got)
	}
	// A finding without a position still yields a line the matcher can parse.
	f.Line, f.Column = 0, 0
	if got := TextLine(f); !strings.HasPrefix(got, ".github/chainguard/x.sts.yaml:1:1: ") {
		t.Errorf("TextLine without position = %q", got)
	}
}

func TestTextSummaryLineAndQuiet(t *testing.T) {
	fs := []lint.Finding{
		{File: "a", Line: 1, Column: 1, Rule: "r", Severity: lint.SevError, Message: "m"},
		{File: "a", Line: 2, Column: 1, Rule: "r", Severity: lint.SevWarning, Message: "m"},
		{File: "a", Line: 3, Column: 1, Rule: "r", Severity: lint.SevWarning, Message: "m"},
	}
	var buf bytes.Buffer
	if err := Text(&buf, fs, Options{Files: 1}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if got, want := lines[len(lines)-1], "1 error, 2 warnings, 0 notices in 1 file"; got != want {
		t.Errorf("summary line = %q, want %q", got, want)
	}
	buf.Reset()
	if err := Text(&buf, fs, Options{Files: 1, Quiet: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "errors") || strings.Count(buf.String(), "\n") != 3 {
		t.Errorf("quiet output should hold only the three findings:\n%s", buf.String())
	}
	buf.Reset()
	if err := Text(&buf, nil, Options{Files: 2, Quiet: true}); err != nil || buf.Len() != 0 {
		t.Errorf("quiet output with no findings = %q, %v; want nothing", buf.String(), err)
	}
}

func TestJSONEmptyIsListAndRoundTrips(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "{\"findings\":[]}\n" {
		t.Errorf("empty JSON = %s", got)
	}
	fx := loadFixture(t, "mixed")
	buf.Reset()
	if err := Write(&buf, FormatJSON, fx.Findings, Options{}); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Findings []map[string]any `json:"findings"`
	}
	dec := json.NewDecoder(&buf)
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if len(back.Findings) != len(fx.Findings) {
		t.Fatalf("got %d findings back, want %d", len(back.Findings), len(fx.Findings))
	}
	var keys []string
	for k := range back.Findings[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"class", "column", "end_column", "end_line", "file", "line", "message", "rule", "severity"}; !slices.Equal(keys, want) {
		t.Errorf("finding keys = %v, want %v", keys, want)
	}
}

var commandRE = regexp.MustCompile(`^::(error|warning|notice)( [^:]*)?::(.*)$`)

func TestGitHubOrderCapAndOverflow(t *testing.T) {
	var fs []lint.Finding
	add := func(n int, sev lint.Severity) {
		for i := range n {
			fs = append(fs, lint.Finding{File: "z" + string(sev), Line: i + 1, Column: 1, Rule: "r", Severity: sev, Message: "m"})
		}
	}
	// Notices sort first by file name here ("znotice" < "zwarning"), so order is the formatter's doing.
	add(3, lint.SevNotice)
	add(12, lint.SevError)
	add(4, lint.SevWarning)
	var buf bytes.Buffer
	if err := GitHub(&buf, fs, Options{}); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for _, l := range lines {
		m := commandRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("not a workflow command: %q", l)
		}
		kinds = append(kinds, m[1])
	}
	want := slices.Concat(slices.Repeat([]string{"error"}, 10), slices.Repeat([]string{"warning"}, 4), slices.Repeat([]string{"notice"}, 3+1))
	if !slices.Equal(kinds, want) {
		t.Errorf("command kinds = %v\nwant %v", kinds, want)
	}
	if last := lines[len(lines)-1]; last != "::notice::2 more findings, see the job summary" {
		t.Errorf("overflow line = %q", last)
	}

	// Too many notices: one slot is kept for the overflow notice, so at most 10 notices in all.
	fs = nil
	add(15, lint.SevNotice)
	buf.Reset()
	if err := GitHub(&buf, fs, Options{OverflowHint: "run octo-sts lint locally"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, "::notice "); n != 9 {
		t.Errorf("%d positioned notices, want 9", n)
	}
	if !strings.HasSuffix(out, "::notice::6 more findings, run octo-sts lint locally\n") {
		t.Errorf("overflow line missing or wrong:\n%s", out)
	}

	// Under the cap nothing is dropped and no overflow line appears.
	buf.Reset()
	if err := GitHub(&buf, fs[:5], Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "more finding") || strings.Count(buf.String(), "\n") != 5 {
		t.Errorf("unexpected output under the cap:\n%s", buf.String())
	}
}

func TestGitHubPropertiesAndEscaping(t *testing.T) {
	f := lint.Finding{File: "dir,x/a:b.sts.yaml", Line: 2, Column: 3, EndLine: 2, EndColumn: 9, Rule: "unknown-key", Severity: lint.SevWarning,
		Message: "100% bad\nnext"}
	var buf bytes.Buffer
	if err := GitHub(&buf, []lint.Finding{f}, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "::warning col=3,endColumn=9,endLine=2,file=dir%2Cx/a%3Ab.sts.yaml,line=2,title=octo-sts unknown-key::100%25 bad%0Anext\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}

func TestWriteReportsWriterErrors(t *testing.T) {
	fs := []lint.Finding{{File: "a", Line: 1, Column: 1, Rule: "r", Severity: lint.SevError, Message: "m"}}
	for _, f := range Formats {
		if err := Write(failWriter{}, f, fs, Options{}); err == nil {
			t.Errorf("%s: write error was swallowed", f)
		}
		if err := Write(nil, f, fs, Options{}); err == nil {
			t.Errorf("%s: nil writer accepted", f)
		}
	}
	if err := Write(&bytes.Buffer{}, "xml", fs, Options{}); err == nil || !strings.Contains(err.Error(), "text, json, github, sarif") {
		t.Errorf("unknown format error = %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("TEXT"); err == nil || !strings.Contains(err.Error(), "want one of text, json, github, sarif") {
		t.Errorf("ParseFormat(TEXT) error = %v", err)
	}
}

func TestCountsAndAtOrAbove(t *testing.T) {
	fs := []lint.Finding{{Severity: lint.SevError}, {Severity: lint.SevWarning}, {Severity: lint.SevNotice}, {Severity: lint.SevNotice}, {Severity: "bogus"}}
	c := Count(fs)
	if c != (Counts{Errors: 2, Warnings: 1, Notices: 2}) || c.Total() != 5 {
		t.Errorf("Count = %+v", c)
	}
	if c.String() != "2 errors, 1 warning, 2 notices" {
		t.Errorf("Counts.String = %q", c.String())
	}
	for sev, want := range map[lint.Severity]int{lint.SevError: 2, lint.SevWarning: 3, lint.SevNotice: 5} {
		if got := AtOrAbove(fs, sev); got != want {
			t.Errorf("AtOrAbove(%s) = %d, want %d", sev, got, want)
		}
	}
}
