package report

import (
	"fmt"
	"html"
	"io"
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
	var b strings.Builder
	_ = render(NewSummaryStream(&b, o), fs, o.Files) // a strings.Builder does not fail
	return b.String()
}

// The fixed parts of a file's block in the summary.
const (
	tableHead  = "\n| Line | Severity | Finding |\n| ---: | --- | --- |\n"
	closeBlock = "\n</details>\n"
	// summaryReserve is kept free for closing the open block and for the truncation note.
	summaryReserve = len(closeBlock) + 200
)

// SummaryStream builds Summary's page piece by piece in bounded memory: it holds only the rows
// that can still fit the byte budget (files with errors ahead of the others, as the page shows
// them), counts everything, and writes the page at Close, when the verdict line's totals are
// known. Besides the held rows (at most o.SummaryLimit bytes) it holds the current file's findings.
type SummaryStream struct {
	w     io.Writer
	links *Links
	limit int

	counts          Counts
	total, nfiles   int
	filesWithErrors int

	// held groups: files with errors, then the others; xBytes counts each group's closeBlock too.
	errGroups, otherGroups []summaryGroup
	errBytes, otherBytes   int
	errCut, otherCut       bool // something of that list was dropped: nothing after it shows

	cur       []lint.Finding // the file being read, rendered when it ends (its head shows its counts)
	curCounts Counts
}

// summaryGroup is one file's block as far as it can fit.
type summaryGroup struct {
	head      string
	rows      []string
	rowsBytes int
	cut       bool // rows were dropped
}

func (g *summaryGroup) size() int { return len(g.head) + g.rowsBytes + len(closeBlock) }

// NewSummaryStream starts a summary written to w at Close.
func NewSummaryStream(w io.Writer, o Options) *SummaryStream {
	limit := o.SummaryLimit
	if limit <= 0 {
		limit = SummaryLimit
	}
	return &SummaryStream{w: w, links: o.Links, limit: limit}
}

// Write takes the next piece of the run; it writes nothing, so it never fails.
func (s *SummaryStream) Write(fs []lint.Finding) error {
	for _, f := range fs {
		if len(s.cur) > 0 && f.File != s.cur[0].File {
			s.endFile()
		}
		c := Count([]lint.Finding{f})
		s.curCounts = s.curCounts.Add(c)
		s.counts = s.counts.Add(c)
		s.total++
		s.cur = append(s.cur, f)
	}
	return nil
}

// endFile files the current file under its list (files with errors or the others), keeping
// the part that can still fit there, and starts the next.
func (s *SummaryStream) endFile() {
	if len(s.cur) == 0 {
		return
	}
	s.nfiles++
	if s.curCounts.Errors > 0 {
		s.filesWithErrors++
		if !s.errCut {
			s.errGroups, s.errBytes, s.errCut = s.keep(s.errGroups, 0, s.errBytes)
			s.trimOthers()
		}
	} else if !s.errCut && !s.otherCut {
		s.otherGroups, s.otherBytes, s.otherCut = s.keep(s.otherGroups, s.errBytes, s.otherBytes)
	}
	clear(s.cur)
	s.cur, s.curCounts = s.cur[:0], Counts{}
}

// keep renders what fits of the current file and appends it to list (held bytes n, starting
// at offset base of the page), reporting whether anything of it was left out. An item (head or
// row) is kept while the bytes before it, it and a closeBlock fit the limit: that holds
// everything Close can show, since the verdict line and the reserve come on top.
func (s *SummaryStream) keep(list []summaryGroup, base, n int) ([]summaryGroup, int, bool) {
	open := ""
	if s.curCounts.Errors > 0 {
		open = " open"
	}
	g := summaryGroup{head: fmt.Sprintf("\n<details%s><summary><code>%s</code>: %s</summary>\n%s",
		open, html.EscapeString(visiblePath(s.cur[0].File)), fileCounts(s.curCounts), tableHead)}
	used := base + n + len(g.head)
	if used+len(closeBlock) > s.limit {
		return list, n, true
	}
	for _, f := range s.cur {
		row := summaryRow(f, s.links)
		if used+len(row)+len(closeBlock) > s.limit {
			g.cut = true
			break
		}
		g.rows = append(g.rows, row)
		g.rowsBytes += len(row)
		used += len(row)
	}
	return append(list, g), n + g.size(), g.cut
}

// trimOthers drops the files without errors that no longer fit after the grown list of files
// with errors, last rows first.
func (s *SummaryStream) trimOthers() {
	if s.errCut {
		s.otherGroups, s.otherBytes, s.otherCut = nil, 0, true
		return
	}
	for len(s.otherGroups) > 0 && s.errBytes+s.otherBytes > s.limit {
		s.otherCut = true
		last := &s.otherGroups[len(s.otherGroups)-1]
		if n := len(last.rows); n > 0 {
			s.otherBytes -= len(last.rows[n-1])
			last.rowsBytes -= len(last.rows[n-1])
			last.rows[n-1] = ""
			last.rows = last.rows[:n-1]
			last.cut = true
			continue
		}
		s.otherBytes -= last.size()
		*last = summaryGroup{}
		s.otherGroups = s.otherGroups[:len(s.otherGroups)-1]
	}
}

// Close writes the page for a run over files files (at least the files with findings).
func (s *SummaryStream) Close(files int) error {
	s.endFile()
	var b strings.Builder
	b.WriteString(s.headline(files))
	if rest := s.total - s.blocks(&b); rest > 0 {
		fmt.Fprintf(&b, "\n**Truncated:** %s not shown to keep this summary under GitHub's 1 MiB limit; run `octo-sts lint` or upload SARIF for the full list.\n",
			plural(rest, "more finding"))
	}
	_, err := io.WriteString(s.w, b.String())
	return err
}

// blocks writes the held files' blocks while they fit with the reserve, and returns how many
// rows it wrote.
func (s *SummaryStream) blocks(b *strings.Builder) int {
	shown := 0
	for _, g := range slices.Concat(s.errGroups, s.otherGroups) {
		if b.Len()+len(g.head)+summaryReserve > s.limit {
			return shown
		}
		b.WriteString(g.head)
		for _, row := range g.rows {
			if b.Len()+len(row)+summaryReserve > s.limit {
				b.WriteString(closeBlock)
				return shown
			}
			b.WriteString(row)
			shown++
		}
		b.WriteString(closeBlock)
		if g.cut {
			return shown // the held rows end where the budget did
		}
	}
	return shown
}

// headline is the verdict line: ✅ when nothing would be refused, ❌ with the counts otherwise.
func (s *SummaryStream) headline(files int) string {
	c := s.counts
	total := plural(max(files, s.nfiles), "file")
	switch {
	case s.total == 0:
		return fmt.Sprintf("### ✅ octo-sts lint: no findings in %s\n", total)
	case c.Errors == 0:
		return fmt.Sprintf("### ✅ octo-sts lint: no errors in %s\n\n%s in %d of them.\n", total, nonErrors(c), s.nfiles)
	}
	line := fmt.Sprintf("### ❌ octo-sts lint: %s in %d of %s\n", plural(c.Errors, "error"), s.filesWithErrors, total)
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

// fileCounts is a file's non-zero counts, "1 error, 2 warnings".
func fileCounts(c Counts) string {
	s := nonErrors(c)
	if c.Errors > 0 {
		s = strings.TrimSuffix(plural(c.Errors, "error")+", "+s, ", ")
	}
	return s
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
