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
	return render(NewTextStream(w, o), fs, o.Files)
}

// TextStream renders the text format piece by piece, so a caller streaming a run's findings
// file by file (lint.Stream) never holds them all: the output is Text's, byte for byte.
type TextStream struct {
	ew      *errWriter
	o       Options
	counts  Counts
	srcFile string
	lines   []string
}

// NewTextStream starts a text report on w.
func NewTextStream(w io.Writer, o Options) *TextStream {
	return &TextStream{ew: &errWriter{w: w}, o: o}
}

// Write renders fs, the next piece of the run in lint.Sort order (no file split across pieces
// out of order), and returns the first write error so far.
func (t *TextStream) Write(fs []lint.Finding) error {
	t.counts = t.counts.Add(Count(fs))
	for _, f := range fs {
		line := TextLine(f)
		if t.o.Color {
			line = colorize(line, f)
		}
		fmt.Fprintln(t.ew, line)
		if t.o.Source == nil {
			continue
		}
		if f.File != t.srcFile {
			t.srcFile, t.lines = f.File, strings.Split(string(t.o.Source(f.File)), "\n")
		}
		if snippet := caret(t.lines, f, t.o.Color); snippet != "" {
			fmt.Fprint(t.ew, snippet)
		}
	}
	return t.ew.err
}

// Close writes the closing count line for a run over files files (unless o.Quiet) and returns
// the first write error.
func (t *TextStream) Close(files int) error {
	if !t.o.Quiet {
		fmt.Fprintf(t.ew, "%s in %s\n", t.counts, plural(files, "file"))
	}
	return t.ew.err
}

// TextLine renders one finding the way the text format and the problem matcher expect it.
func TextLine(f lint.Finding) string {
	return logsafe.Line(fmt.Sprintf("%s:%d:%d: %s: %s [%s]", f.File, max(f.Line, 1), max(f.Column, 1), f.Severity, oneLine(f.Message), f.Rule))
}

// pathEscaper shows line breaks in file names as \n and \r: git allows them, and a raw one would
// split a markdown table row.
var pathEscaper = strings.NewReplacer("\n", `\n`, "\r", `\r`)

func visiblePath(p string) string { return pathEscaper.Replace(p) }

// ANSI colours of the severities, as actionlint and compilers use them.
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
)

var sevColor = map[lint.Severity]string{lint.SevError: "\x1b[31m", lint.SevWarning: "\x1b[33m", lint.SevNotice: "\x1b[36m"}

// colorize bolds the position and colours the severity of a rendered TextLine.
func colorize(line string, f lint.Finding) string {
	sev := ": " + string(f.Severity) + ": "
	i := strings.Index(line, sev)
	if i < 0 {
		return line
	}
	return ansiBold + line[:i] + ansiReset + ": " + sevColor[f.Severity] + string(f.Severity) + ansiReset + ": " + line[i+len(sev):]
}

// maxSnippet bounds a source line shown under a finding (a minified policy has one huge line).
const maxSnippet = 160

// caret renders the finding's source line and a ^~~~ line under the offending text, or "" when
// the line is unknown. The source line is neutralised like every other line we print.
func caret(lines []string, f lint.Finding, color bool) string {
	n := f.Line
	if n < 1 || n > len(lines) {
		return ""
	}
	src := []rune(strings.TrimRight(lines[n-1], "\r"))
	if len(src) == 0 {
		return ""
	}
	start := max(f.Column, 1) - 1
	if start >= len(src) {
		start = len(src) - 1
	}
	end := start + 1
	if f.EndLine == f.Line && f.EndColumn-1 > start {
		end = min(f.EndColumn-1, len(src))
	}
	off := 0
	if start > maxSnippet-20 { // keep the caret on screen: show the tail from a little before it
		off = start - 20
	}
	src = src[off:]
	start, end = start-off, end-off
	if len(src) > maxSnippet {
		src = src[:maxSnippet]
		end = min(end, maxSnippet)
	}
	var pad strings.Builder
	for _, r := range src[:start] {
		if r == '\t' {
			pad.WriteRune('\t') // keep the caret under the text whatever the tab width
		} else {
			pad.WriteRune(' ')
		}
	}
	marks := "^" + strings.Repeat("~", max(end-start-1, 0))
	if color {
		marks = sevColor[f.Severity] + marks + ansiReset
	}
	text := logsafe.Line(strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return '?'
		}
		return r
	}, string(src)))
	return fmt.Sprintf("  %s\n  %s%s\n", text, pad.String(), marks)
}
