package report

import (
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/octo-sts/action/internal/lint"
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
	sarifRun struct {
		Tool              sarifTool              `json:"tool"`
		AutomationDetails sarifAutomationDetails `json:"automationDetails"`
		ColumnKind        string                 `json:"columnKind"`
		Results           []sarifResult          `json:"results"`
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
	fs = sorted(fs)
	registry := o.Rules
	if registry == nil {
		registry = lint.Rules
	}
	rules, index := sarifRules(registry, fs)
	results := make([]sarifResult, 0, len(fs))
	for _, f := range fs {
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
		results = append(results, sarifResult{
			RuleID:    f.Rule,
			RuleIndex: index[f.Rule],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: sarifArtifactLocation{URI: artifactURI(f.File), URIBaseID: SrcRoot},
				Region:           region,
			}}},
		})
	}
	category := o.Category
	if category == "" {
		category = DefaultCategory
	}
	doc := sarifLog{
		Schema:  SARIFSchema,
		Version: SARIFVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: ToolName, Version: o.Version, InformationURI: InformationURI, Rules: rules,
			}},
			AutomationDetails: sarifAutomationDetails{ID: category},
			// Finding columns count characters (code points), not SARIF's default UTF-16 units.
			ColumnKind: "unicodeCodePoints",
			Results:    results,
		}},
	}
	return encodeJSON(w, doc, true)
}

// sarifRules describes every registered rule in registry order, then (sorted) any rule IDs the
// findings use that the registry does not know, so every result's ruleIndex points somewhere.
func sarifRules(registry []*lint.Rule, fs []lint.Finding) ([]sarifRule, map[string]int) {
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
	var unknown []string
	for _, f := range fs {
		if _, ok := index[f.Rule]; !ok && !slices.Contains(unknown, f.Rule) {
			unknown = append(unknown, f.Rule)
		}
	}
	slices.Sort(unknown)
	for _, id := range unknown {
		index[id] = len(rules)
		sev := lint.SevError
		for _, f := range fs {
			if f.Rule == id {
				sev = f.Severity
				break
			}
		}
		rules = append(rules, describeRule(&lint.Rule{ID: id, Severity: sev, Summary: "Finding " + id + "."}))
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
