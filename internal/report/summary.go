package report

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/markdown"
)

// SummaryLimit is the default byte budget of Summary: GitHub aborts a step summary over 1 MiB, and
// other steps' text shares the file, so we stay a little under.
const SummaryLimit = 1<<20 - 16<<10

// Summary renders GitHub step-summary markdown designed as a page a reviewer reads top down: a
// one-line verdict with the counts, then one <details> block per file (files with errors first
// and expanded, the others collapsed) with a `| line | severity | finding |` table. Values in
// messages are code spans, each line links to the file at the commit (o.Links) and each rule to
// its section of docs/rules.md. Output stays within o.SummaryLimit bytes; when findings do not
// fit, the rest are counted in a closing note.
func Summary(fs []lint.Finding, o Options) string {
	fs = sorted(fs)
	limit := o.SummaryLimit
	if limit <= 0 {
		limit = SummaryLimit
	}
	var b strings.Builder
	b.WriteString(headline(fs, o.Files))
	groups := fileGroups(fs)
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
			open, html.EscapeString(visiblePath(g[0].File)), fileCounts(g), tableHead)
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
func headline(fs []lint.Finding, files int) string {
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
	line := fmt.Sprintf("### ❌ octo-sts lint: %s in %d of %s\n", plural(c.Errors, "error"), filesWithErrors(fs), total)
	if c.Warnings+c.Notices > 0 {
		line += fmt.Sprintf("\nAlso %s.\n", nonErrors(c))
	}
	return line
}

// nonErrors is "2 warnings, 1 notice" (the non-zero ones).
func nonErrors(c Counts) string {
	var parts []string
	if c.Warnings > 0 {
		parts = append(parts, plural(c.Warnings, "warning"))
	}
	if c.Notices > 0 {
		parts = append(parts, plural(c.Notices, "notice"))
	}
	return strings.Join(parts, ", ")
}

func filesWithErrors(fs []lint.Finding) int {
	n := 0
	for _, g := range fileGroups(fs) {
		if Count(g).Errors > 0 {
			n++
		}
	}
	return n
}

// fileCounts is a file's non-zero counts, "1 error, 2 warnings".
func fileCounts(g []lint.Finding) string {
	c := Count(g)
	s := nonErrors(c)
	if c.Errors > 0 {
		s = strings.TrimSuffix(plural(c.Errors, "error")+", "+s, ", ")
	}
	return s
}

// fileGroups splits sorted findings by file, files with errors first (each part keeps its order).
func fileGroups(fs []lint.Finding) [][]lint.Finding {
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

var sevIcon = map[lint.Severity]string{lint.SevError: "❌ error", lint.SevWarning: "⚠️ warning", lint.SevNotice: "ℹ️ notice"}

// summaryRow is one table row: the line (linked to the commit), the severity and the message with
// its values as code spans, then the rule linked to its documentation.
func summaryRow(f lint.Finding, l *Links) string {
	line := strconv.Itoa(max(f.Line, 1))
	if l != nil {
		line = "[" + line + "](" + l.lineURL(f.File, f.Line) + ")"
	}
	sev, ok := sevIcon[f.Severity]
	if !ok {
		sev = cell(string(f.Severity))
	}
	rule := markdown.Code(f.Rule)
	if lint.RuleByID(f.Rule) != nil {
		rule = "[" + rule + "](" + RulesDocURI + "#" + f.Rule + ")"
	}
	return fmt.Sprintf("| %s | %s | %s — %s |\n", line, sev, messageCell(f.Message), rule)
}

// quotedRE finds the Go-quoted values (%q) lint messages carry: patterns, keys, claim values.
var quotedRE = regexp.MustCompile("\"(?:[^\"\\\\\n]|\\\\.)*\"|`[^`\n]+`")

// messageCell renders a message for a table cell with every quoted value as a code span (so GFM
// cannot read a pattern such as ^https://a|https://gitlab.com$ as a link or markup) and the rest
// escaped as plain text.
func messageCell(msg string) string {
	var b strings.Builder
	last := 0
	for _, m := range quotedRE.FindAllStringIndex(msg, -1) {
		b.WriteString(cell(msg[last:m[0]]))
		v, err := strconv.Unquote(msg[m[0]:m[1]]) // "..." is Go-quoted; `...` is taken as written
		if err != nil {
			v = msg[m[0]+1 : m[1]-1]
		}
		b.WriteString(markdown.Code(v))
		last = m[1]
	}
	b.WriteString(cell(msg[last:]))
	return b.String()
}

// cell escapes text for a GFM table cell: pipes would split the cell, <, > and & would be read as
// HTML, backticks would open code spans, and newlines would end the row; markdown punctuation is
// backslash-escaped so regular expressions in messages render as written.
func cell(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch r {
		case '|':
			b.WriteString(`\|`)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '`':
			b.WriteString("&#96;")
		case '\\', '*', '_', '~', '[', ']':
			b.WriteRune('\\') // markdown would eat the backslashes of regexes and read * _ ~ [ ] as markup
			b.WriteRune(r)
		case '\n', '\r':
			b.WriteString("<br>")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
