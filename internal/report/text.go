package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/logsafe"
)

// Text writes one `file:line:col: severity: message [rule]` line per finding (the form
// .github/octo-sts-lint-matcher.json parses), then unless o.Quiet a line
// `N errors, N warnings, N notices in N files`.
func Text(w io.Writer, fs []lint.Finding, o Options) error {
	if w == nil {
		return errNilWriter
	}
	fs = sorted(fs)
	ew := &errWriter{w: w}
	for _, f := range fs {
		fmt.Fprintln(ew, TextLine(f))
	}
	if !o.Quiet {
		fmt.Fprintf(ew, "%s in %s\n", Count(fs), plural(o.Files, "file"))
	}
	return ew.err
}

// TextLine renders one finding the way the text format and the problem matcher expect it.
func TextLine(f lint.Finding) string {
	return logsafe.Line(fmt.Sprintf("%s:%d:%d: %s: %s [%s]", f.File, max(f.Line, 1), max(f.Column, 1), f.Severity, oneLine(f.Message), f.Rule))
}

// pathEscaper shows line breaks in file names as \n and \r: git allows them, and a raw one would
// split a markdown table row.
var pathEscaper = strings.NewReplacer("\n", `\n`, "\r", `\r`)

func visiblePath(p string) string { return pathEscaper.Replace(p) }
