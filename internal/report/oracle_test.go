package report

// The whole-slice renderers as they were before the formats streamed, kept verbatim (renamed
// old*) as the oracle the stream renderers are compared against on random inputs.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/logsafe"
)

// Summary renders GitHub step-summary markdown designed as a page a reviewer reads top down: a
// one-line verdict with the counts, then one <details> block per file (files with errors first
// and expanded, the others collapsed) with a `| line | severity | finding |` table. Values in
// messages are code spans, each line links to the file at the commit (o.Links) and each rule to
// its section of docs/rules.md. Output stays within o.SummaryLimit bytes; when findings do not
// fit, the rest are counted in a closing note.
func oldSummary(fs []lint.Finding, o Options) string {
	fs = sorted(fs)
	limit := o.SummaryLimit
	if limit <= 0 {
		limit = SummaryLimit
	}
	var b strings.Builder
	b.WriteString(oldHeadline(fs, o.Files))
	groups := oldFileGroups(fs)
	const (
		tableHead  = "\n| Line | Severity | Finding |\n| ---: | --- | --- |\n"
		closeBlock = "\n</details>\n"
	)
	// Reserve room for closing the open block and for the truncation note.
	reserve := len(closeBlock) + 200
	shown := 0
	for _, g := range groups {
		open := ""
		if Count(g).Errors > 0 {
			open = " open"
		}
		head := fmt.Sprintf("\n<details%s><summary><code>%s</code>: %s</summary>\n%s",
			open, html.EscapeString(visiblePath(g[0].File)), fileCounts(Count(g)), tableHead)
		if b.Len()+len(head)+reserve > limit {
			break
		}
		b.WriteString(head)
		all := true
		for _, f := range g {
			row := summaryRow(f, o.Links)
			if b.Len()+len(row)+reserve > limit {
				all = false
				break
			}
			b.WriteString(row)
			shown++
		}
		b.WriteString(closeBlock)
		if !all {
			break
		}
	}
	if rest := len(fs) - shown; rest > 0 {
		fmt.Fprintf(&b, "\n**Truncated:** %s not shown to keep this summary under GitHub's 1 MiB limit; run `octo-sts lint` or upload SARIF for the full list.\n",
			plural(rest, "more finding"))
	}
	return b.String()
}

// headline is the verdict line: ✅ when nothing would be refused, ❌ with the counts otherwise.
func oldHeadline(fs []lint.Finding, files int) string {
	c := Count(fs)
	nfiles := 0
	for i := range fs {
		if i == 0 || fs[i].File != fs[i-1].File {
			nfiles++
		}
	}
	total := plural(max(files, nfiles), "file")
	switch {
	case len(fs) == 0:
		return fmt.Sprintf("### ✅ octo-sts lint: no findings in %s\n", total)
	case c.Errors == 0:
		return fmt.Sprintf("### ✅ octo-sts lint: no errors in %s\n\n%s in %d of them.\n", total, nonErrors(c), nfiles)
	}
	line := fmt.Sprintf("### ❌ octo-sts lint: %s in %d of %s\n", plural(c.Errors, "error"), oldFilesWithErrors(fs), total)
	if c.Warnings+c.Notices > 0 {
		line += fmt.Sprintf("\nAlso %s.\n", nonErrors(c))
	}
	return line
}

func oldFilesWithErrors(fs []lint.Finding) int {
	n := 0
	for _, g := range oldFileGroups(fs) {
		if Count(g).Errors > 0 {
			n++
		}
	}
	return n
}

// fileGroups splits sorted findings by file, files with errors first (each part keeps its order).
func oldFileGroups(fs []lint.Finding) [][]lint.Finding {
	var groups [][]lint.Finding
	for i := 0; i < len(fs); {
		j := i
		for j < len(fs) && fs[j].File == fs[i].File {
			j++
		}
		groups = append(groups, fs[i:j])
		i = j
	}
	slices.SortStableFunc(groups, func(a, b []lint.Finding) int {
		ea, eb := Count(a).Errors > 0, Count(b).Errors > 0
		switch {
		case ea && !eb:
			return -1
		case eb && !ea:
			return 1
		}
		return 0
	})
	return groups
}

// GitHub writes findings as ::error/::warning/::notice workflow commands with file and position
// properties, so they show up as annotations on the pull-request diff. Errors come first, then
// warnings, then notices, each capped at o.MaxAnnotations; if anything was left out, a final
// `::notice::N more findings, <hint>` says so (room for it is kept within the notice cap).
func oldGitHub(w io.Writer, fs []lint.Finding, o Options) error {
	if w == nil {
		return errNilWriter
	}
	fs = sorted(fs)
	limit := o.MaxAnnotations
	if limit <= 0 {
		limit = DefaultMaxAnnotations
	}
	hint := o.OverflowHint
	if hint == "" {
		hint = "see the job summary"
	}
	ew := &errWriter{w: w}
	a := githubactions.New(githubactions.WithWriter(ew), githubactions.WithGetenv(func(string) string { return "" }))

	bySev := map[lint.Severity][]lint.Finding{}
	for _, f := range fs {
		s := f.Severity
		if s.Rank() == 0 {
			s = lint.SevError // unknown severities are treated as errors, as in Count
		}
		bySev[s] = append(bySev[s], f)
	}
	errs, warns, notes := bySev[lint.SevError], bySev[lint.SevWarning], bySev[lint.SevNotice]
	noteLimit := limit
	if len(errs) > limit || len(warns) > limit || len(notes) > limit {
		noteLimit = limit - 1 // the overflow notice is itself a notice
	}
	shown := 0
	emit := func(list []lint.Finding, n int) {
		for _, f := range list[:min(n, len(list))] {
			annotate(a, f)
			shown++
		}
	}
	emit(errs, limit)
	emit(warns, limit)
	emit(notes, noteLimit)
	if more := len(fs) - shown; more > 0 {
		a.Noticef("%s, %s", plural(more, "more finding"), hint)
	}
	return ew.err
}

// JSON writes {"findings":[...]} on one line with lint.Finding's field names; the list is [] (never
// null) when there is nothing to report, so `jq '.findings | length'` always works.
func oldJSON(w io.Writer, fs []lint.Finding) error {
	if w == nil {
		return errNilWriter
	}
	doc := jsonDoc{Findings: sorted(fs)}
	if doc.Findings == nil {
		doc.Findings = []lint.Finding{}
	}
	return encodeJSON(w, doc, false)
}

// SARIF writes one SARIF 2.1.0 run for github/codeql-action/upload-sarif: every registered rule
// with its documentation (so code scanning can explain alerts), and one result per finding.
func oldSARIF(w io.Writer, fs []lint.Finding, o Options) error {
	if w == nil {
		return errNilWriter
	}
	fs = sorted(fs)
	registry := o.Rules
	if registry == nil {
		registry = lint.Rules
	}
	rules, index := oldSarifRules(registry, fs)
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
	doc := oldSarifLog{
		Schema:  SARIFSchema,
		Version: SARIFVersion,
		Runs: []oldSarifRun{{
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
// The registered part is sarifRules itself: streaming changed only how the unknown IDs are found.
func oldSarifRules(registry []*lint.Rule, fs []lint.Finding) ([]sarifRule, map[string]int) {
	rules, index := sarifRules(registry)
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

// oldSarifLog and oldSarifRun are the document shape before results streamed (tool first).
type (
	oldSarifLog struct {
		Schema  string        `json:"$schema"`
		Version string        `json:"version"`
		Runs    []oldSarifRun `json:"runs"`
	}
	oldSarifRun struct {
		Tool              sarifTool              `json:"tool"`
		AutomationDetails sarifAutomationDetails `json:"automationDetails"`
		ColumnKind        string                 `json:"columnKind"`
		Results           []sarifResult          `json:"results"`
	}
)

// jsonDoc is the json format's envelope as oldJSON encoded it.
type jsonDoc struct {
	Findings []lint.Finding `json:"findings"`
}

// encodeJSON encodes v and neutralises it with logsafe.JSON (the decoded value is unchanged), so
// policy text in a report printed by a `run:` step cannot pose as a workflow command.
func encodeJSON(w io.Writer, v any, indent bool) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(logsafe.JSON(b.Bytes()))
	return err
}
