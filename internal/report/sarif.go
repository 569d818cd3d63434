package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/logsafe"
)

// SARIF constants GitHub code scanning relies on.
const (
	// SARIFVersion is the only SARIF version code scanning accepts.
	SARIFVersion = "2.1.0"
	// SARIFSchema is the $schema URL editors and validators use for SARIF 2.1.0.
	SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"
	// ToolName is tool.driver.name; code scanning groups alerts by it.
	ToolName = "octo-sts"
	// InformationURI is where code-scanning users land when they ask what the tool is.
	InformationURI = "https://github.com/octo-sts/action"
	// DefaultCategory is runAutomationDetails.id unless Options.Category says otherwise; the trailing
	// slash makes it a category prefix, as code scanning expects.
	DefaultCategory = "octo-sts/lint/"
	// RulesDocURI is the rules reference; each rule's helpUri is this plus "#<rule id>".
	RulesDocURI = "https://github.com/octo-sts/action/blob/main/docs/rules.md"
	// SrcRoot is the uriBaseId for repository-relative artifact URIs.
	SrcRoot = "%SRCROOT%"
)

// The typed SARIF 2.1.0 subset we emit: typed structs keep the output valid by construction.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	// sarifRun puts results before the tool: they stream, and the tool's rules end with the
	// unregistered rule IDs the results used, known only at the end.
	sarifRun struct {
		AutomationDetails sarifAutomationDetails `json:"automationDetails"`
		ColumnKind        string                 `json:"columnKind"`
		Results           []sarifResult          `json:"results"`
		Tool              sarifTool              `json:"tool"`
	}
	sarifAutomationDetails struct {
		ID string `json:"id"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string             `json:"id"`
		Name                 string             `json:"name"`
		HelpURI              string             `json:"helpUri,omitempty"`
		ShortDescription     sarifText          `json:"shortDescription"`
		FullDescription      sarifText          `json:"fullDescription"`
		Help                 sarifMultiformat   `json:"help"`
		DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
		Properties           sarifRuleProps     `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifMultiformat struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifRuleProps struct {
		Tags []string `json:"tags"`
		// SecuritySeverity (0.0-10.0) is what code scanning ranks security alerts by; set for
		// the exposed class only.
		SecuritySeverity string `json:"security-severity,omitempty"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           sarifRegion           `json:"region"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
)

// SARIF writes one SARIF 2.1.0 run for github/codeql-action/upload-sarif: every registered rule
// with its documentation (so code scanning can explain alerts), and one result per finding.
func SARIF(w io.Writer, fs []lint.Finding, o Options) error {
	if w == nil {
		return errNilWriter
	}
	return render(NewSARIFStream(w, o), fs, o.Files)
}

// SARIFStream renders the sarif format piece by piece: results are written as they come, the
// tool (whose rules end with the unregistered rule IDs the results used, in order of first use)
// at Close. The output is what encoding the whole document with encoding/json would give.
type SARIFStream struct {
	ew       *errWriter
	doc      sarifLog // the skeleton: one run without results
	index    map[string]int
	buf      bytes.Buffer  // the piece being written
	raw      bytes.Buffer  // one value, compact, before neutralising and indenting
	enc      *json.Encoder // into raw
	n        int           // results written
	unknowns []sarifRule
}

// Where results go in the document as encoding/json indents it: a result's indentation inside
// runs[0].results, and the key the skeleton is split after.
const (
	sarifResultIndent = "        "
	sarifResultsKey   = `"results": [`
)

// NewSARIFStream starts a sarif report on w; nothing is written before the first finding or Close.
func NewSARIFStream(w io.Writer, o Options) *SARIFStream {
	registry := o.Rules
	if registry == nil {
		registry = lint.Rules
	}
	rules, index := sarifRules(registry)
	category := o.Category
	if category == "" {
		category = DefaultCategory
	}
	s := &SARIFStream{ew: &errWriter{w: w}, index: index}
	s.doc = sarifLog{
		Schema:  SARIFSchema,
		Version: SARIFVersion,
		Runs: []sarifRun{{
			AutomationDetails: sarifAutomationDetails{ID: category},
			// Finding columns count characters (code points), not SARIF's default UTF-16 units.
			ColumnKind: "unicodeCodePoints",
			Results:    []sarifResult{},
			Tool: sarifTool{Driver: sarifDriver{
				Name: ToolName, Version: o.Version, InformationURI: InformationURI, Rules: rules,
			}},
		}},
	}
	s.enc = json.NewEncoder(&s.raw)
	s.enc.SetEscapeHTML(false)
	return s
}

// Write renders the next piece of the run as results.
func (s *SARIFStream) Write(fs []lint.Finding) error {
	if len(fs) == 0 || s.ew.err != nil {
		return s.ew.err
	}
	s.buf.Reset()
	if s.n == 0 {
		head, _, err := s.skeleton()
		if err != nil {
			return err
		}
		s.buf.Write(head)
	}
	for _, f := range fs {
		if s.n > 0 {
			s.buf.WriteByte(',')
		}
		s.buf.WriteString("\n" + sarifResultIndent)
		if err := s.indented(&s.buf, s.result(f), sarifResultIndent); err != nil {
			return err
		}
		s.n++
	}
	s.ew.Write(s.buf.Bytes())
	return s.ew.err
}

// Close ends the results and writes the tool with its rules (files is not part of SARIF).
func (s *SARIFStream) Close(int) error {
	s.doc.Runs[0].Tool.Driver.Rules = append(s.doc.Runs[0].Tool.Driver.Rules, s.unknowns...)
	head, tail, err := s.skeleton()
	if err != nil {
		return err
	}
	s.buf.Reset()
	if s.n == 0 {
		s.buf.Write(head)
	} else {
		s.buf.WriteString("\n" + sarifResultIndent[2:]) // the closing ] under "results"
	}
	s.buf.Write(tail)
	s.ew.Write(s.buf.Bytes())
	return s.ew.err
}

// skeleton renders the document with no results and splits it inside the empty results list:
// head ends with `"results": [`, tail starts with its `]`.
func (s *SARIFStream) skeleton() (head, tail []byte, err error) {
	var b bytes.Buffer
	if err := s.indented(&b, s.doc, ""); err != nil {
		return nil, nil, err
	}
	b.WriteByte('\n')                                    // as Encoder.Encode ends a document
	i := bytes.Index(b.Bytes(), []byte(sarifResultsKey)) // the first: results come before the tool
	if i < 0 {
		return nil, nil, errors.New("report: SARIF skeleton without results")
	}
	i += len(sarifResultsKey)
	return b.Bytes()[:i], b.Bytes()[i:], nil
}

// indented appends v encoded as encoding/json indents it at prefix, neutralised with logsafe.JSON.
// It neutralises the compact form, then indents: logsafe.JSON changes only string contents,
// which json.Indent leaves alone, so the bytes are those of neutralising the indented text, and
// compact text (no line breaks) mostly takes logsafe's fast path.
func (s *SARIFStream) indented(dst *bytes.Buffer, v any, prefix string) error {
	s.raw.Reset()
	if err := s.enc.Encode(v); err != nil {
		return err
	}
	return json.Indent(dst, logsafe.JSON(bytes.TrimSuffix(s.raw.Bytes(), []byte("\n"))), prefix, "  ")
}

// result is f as a SARIF result; a rule the registry does not know is described at first use.
func (s *SARIFStream) result(f lint.Finding) sarifResult {
	idx, ok := s.index[f.Rule]
	if !ok {
		idx = len(s.doc.Runs[0].Tool.Driver.Rules) + len(s.unknowns)
		s.index[f.Rule] = idx
		s.unknowns = append(s.unknowns, describeRule(&lint.Rule{ID: f.Rule, Severity: f.Severity, Summary: "Finding " + f.Rule + "."}))
	}
	region := sarifRegion{StartLine: max(f.Line, 1)}
	if f.Column > 0 {
		region.StartColumn = f.Column
	}
	if f.EndLine >= region.StartLine {
		region.EndLine = f.EndLine
		if f.EndColumn > 0 && (f.EndLine > region.StartLine || f.EndColumn > region.StartColumn) {
			region.EndColumn = f.EndColumn
		}
	}
	return sarifResult{
		RuleID:    f.Rule,
		RuleIndex: idx,
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{Text: f.Message},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
			ArtifactLocation: sarifArtifactLocation{URI: artifactURI(f.File), URIBaseID: SrcRoot},
			Region:           region,
		}}},
	}
}

// sarifRules describes every registered rule in registry order (the first of a duplicated ID).
func sarifRules(registry []*lint.Rule) ([]sarifRule, map[string]int) {
	index := make(map[string]int, len(registry))
	rules := make([]sarifRule, 0, len(registry))
	for _, r := range registry {
		if r == nil {
			continue
		}
		if _, dup := index[r.ID]; dup {
			continue
		}
		index[r.ID] = len(rules)
		d := describeRule(r)
		d.HelpURI = RulesDocURI + "#" + r.ID
		rules = append(rules, d)
	}
	return rules, index
}

func describeRule(r *lint.Rule) sarifRule {
	full := r.Rationale
	if full == "" {
		full = r.Summary
	}
	return sarifRule{
		ID:                   r.ID,
		Name:                 ruleName(r.ID),
		ShortDescription:     sarifText{Text: r.Summary},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifMultiformat{Text: helpText(r), Markdown: helpMarkdown(r)},
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(r.Severity)},
		Properties:           ruleProps(r),
	}
}

// ruleProps tags a rule with its severity and class; an exposed rule is tagged "security" and
// gets a security-severity (high for an error, medium for a warning) so code scanning ranks it.
func ruleProps(r *lint.Rule) sarifRuleProps {
	p := sarifRuleProps{Tags: []string{"octo-sts", "trust-policy", string(r.Severity)}}
	if r.Class != "" {
		p.Tags = append(p.Tags, string(r.Class))
	}
	if r.Class == lint.ClassExposed {
		p.Tags = append(p.Tags, "security")
		p.SecuritySeverity = "6.5"
		if r.Severity == lint.SevError {
			p.SecuritySeverity = "8.8"
		}
	}
	return p
}

// ruleName turns "unknown-key" into "UnknownKey", SARIF's conventional reportingDescriptor.name.
func ruleName(id string) string {
	var b strings.Builder
	for part := range strings.FieldsFuncSeq(id, func(r rune) bool { return r == '-' || r == '_' || r == '/' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

func helpText(r *lint.Rule) string {
	var b strings.Builder
	b.WriteString(r.Summary)
	if r.Rationale != "" {
		b.WriteString("\n\nWhy: " + r.Rationale)
	}
	if r.Fix != "" {
		b.WriteString("\n\nFix: " + r.Fix)
	}
	if r.Bad != "" {
		b.WriteString("\n\nBad:\n" + indent(r.Bad))
	}
	if r.Good != "" {
		b.WriteString("\n\nGood:\n" + indent(r.Good))
	}
	return b.String()
}

func helpMarkdown(r *lint.Rule) string {
	var b strings.Builder
	b.WriteString(r.Summary)
	if r.Rationale != "" {
		b.WriteString("\n\n**Why:** " + r.Rationale)
	}
	if r.Fix != "" {
		b.WriteString("\n\n**Fix:** " + r.Fix)
	}
	if r.Bad != "" {
		b.WriteString("\n\nBad:\n\n" + fence(r.Bad))
	}
	if r.Good != "" {
		b.WriteString("\n\nGood:\n\n" + fence(r.Good))
	}
	return b.String()
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}

// fence wraps a YAML example in a code fence longer than any backtick run inside it.
func fence(s string) string {
	ticks := "```"
	for strings.Contains(s, ticks) {
		ticks += "`"
	}
	return ticks + "yaml\n" + strings.TrimRight(s, "\n") + "\n" + ticks
}

// sarifLevel maps severities onto SARIF levels (SARIF says "note" where we say notice).
func sarifLevel(s lint.Severity) string {
	switch s {
	case lint.SevWarning:
		return "warning"
	case lint.SevNotice:
		return "note"
	}
	return "error"
}

// artifactURI makes a repo-relative slash path a valid relative URI reference (spaces, %, # and
// ? escaped) that code scanning resolves against %SRCROOT%.
func artifactURI(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	return (&url.URL{Path: p}).String() // String, unlike EscapedPath, prefixes "./" when a colon would read as a scheme
}
