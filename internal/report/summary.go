package report

import (
	"fmt"
	"html"
	"strings"

	"github.com/octo-sts/action/internal/lint"
)

// SummaryLimit is the default byte budget of Summary: GitHub aborts a step summary over 1 MiB, and
// other steps' text shares the file, so we stay a little under.
const SummaryLimit = 1<<20 - 16<<10

// Summary renders GitHub step-summary markdown: a table of counts per severity, then one collapsible
// <details> block per file with a `| line | severity | rule | message |` table. Output stays within
// o.SummaryLimit bytes; when findings do not fit, the rest are counted in a closing note.
func Summary(fs []lint.Finding, o Options) string {
	fs = sorted(fs)
	limit := o.SummaryLimit
	if limit <= 0 {
		limit = SummaryLimit
	}
	c := Count(fs)
	var b strings.Builder
	b.WriteString("### octo-sts lint\n\n")
	b.WriteString("| severity | findings |\n| --- | ---: |\n")
	fmt.Fprintf(&b, "| error | %d |\n| warning | %d |\n| notice | %d |\n\n", c.Errors, c.Warnings, c.Notices)
	if len(fs) == 0 {
		fmt.Fprintf(&b, "No findings in %s.\n", plural(o.Files, "linted file"))
		return b.String()
	}
	files := 0
	for i := range fs {
		if i == 0 || fs[i].File != fs[i-1].File {
			files++
		}
	}
	fmt.Fprintf(&b, "%s in %d of %s.\n", plural(len(fs), "finding"), files, plural(max(o.Files, files), "linted file"))

	const (
		tableHead  = "\n| line | severity | rule | message |\n| ---: | --- | --- | --- |\n"
		closeBlock = "\n</details>\n"
	)
	// Reserve room for closing the open block and for the truncation note.
	reserve := len(closeBlock) + 200
	shown := 0
	for i := 0; i < len(fs); {
		j := i
		for j < len(fs) && fs[j].File == fs[i].File {
			j++
		}
		fc := Count(fs[i:j])
		head := fmt.Sprintf("\n<details><summary><code>%s</code>: %s</summary>\n%s",
			html.EscapeString(visiblePath(fs[i].File)), fc, tableHead)
		if b.Len()+len(head)+reserve > limit {
			break
		}
		b.WriteString(head)
		for _, f := range fs[i:j] {
			row := fmt.Sprintf("| %d | %s | %s | %s |\n", max(f.Line, 1), f.Severity, cell(f.Rule), cell(f.Message))
			if b.Len()+len(row)+reserve > limit {
				break
			}
			b.WriteString(row)
			shown++
		}
		b.WriteString(closeBlock)
		if shown < j {
			break
		}
		i = j
	}
	if rest := len(fs) - shown; rest > 0 {
		fmt.Fprintf(&b, "\n**Truncated:** %s not shown to keep this summary under GitHub's 1 MiB limit; run `octo-sts lint` or upload SARIF for the full list.\n",
			plural(rest, "more finding"))
	}
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
