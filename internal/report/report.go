// Package report renders lint findings for people, scripts, the GitHub Actions runner and code
// scanning, so one linter run can feed a terminal, a problem matcher, annotations and SARIF alike.
package report

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/octo-sts/action/internal/lint"
)

// Format names one output format; the CLI's --format takes these values.
type Format string

// The machine- and human-readable formats Write understands.
const (
	FormatText   Format = "text"   // file:line:col: severity: message [rule], for terminals and the problem matcher
	FormatJSON   Format = "json"   // {"findings":[...]}, for scripts
	FormatGitHub Format = "github" // ::error/::warning/::notice workflow commands, for annotations
	FormatSARIF  Format = "sarif"  // SARIF 2.1.0, for github/codeql-action/upload-sarif
)

// Formats lists every Format in the order help text shows them.
var Formats = []Format{FormatText, FormatJSON, FormatGitHub, FormatSARIF}

// ParseFormat validates a user-supplied format name so callers can name the allowed values in errors.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: want one of %s", s, FormatList())
}

// FormatList is the allowed format names joined for usage and error messages.
func FormatList() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// Options carries what formatters need beyond the findings themselves.
type Options struct {
	// Files is how many files were linted; the text summary line and the step summary show it.
	Files int
	// Quiet drops the text format's trailing summary line (findings only).
	Quiet bool
	// Version is the octo-sts version recorded as the SARIF tool driver version.
	Version string
	// Category is SARIF runAutomationDetails.id; code scanning keeps one analysis per category.
	// Empty means DefaultCategory.
	Category string
	// MaxAnnotations caps the github format per severity; 0 means DefaultMaxAnnotations.
	MaxAnnotations int
	// OverflowHint ends the github format's "N more findings" notice; empty means "see the job summary".
	OverflowHint string
	// Rules are the rule descriptions SARIF embeds; nil means lint.Rules (tests pin their own set).
	Rules []*lint.Rule
	// SummaryLimit caps the step-summary markdown in bytes; 0 means SummaryLimit.
	SummaryLimit int
	// Color colours the text format's severities (ANSI) for a terminal.
	Color bool
	// Source returns a file's text by its display path, for the text format's source and caret
	// lines; nil (or a nil result) prints the finding line alone.
	Source func(file string) []byte
	// Links, when set, makes the step summary link each finding to its line at the commit.
	Links *Links
}

// Links are where the step summary points: the file at the commit on GitHub.
type Links struct {
	Server, Repository, SHA string
}

// LinksFromEnv reads GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA; nil when any is missing
// or malformed (a link to the wrong place is worse than none).
func LinksFromEnv(getenv func(string) string) *Links {
	l := &Links{Server: strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/"), Repository: getenv("GITHUB_REPOSITORY"), SHA: getenv("GITHUB_SHA")}
	if !strings.HasPrefix(l.Server, "https://") || strings.ContainsAny(l.Server, " \t\r\n()<>\"'") ||
		!repoRE.MatchString(l.Repository) || !shaRE.MatchString(l.SHA) {
		return nil
	}
	return l
}

var (
	repoRE = regexp.MustCompile(`^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$`)
	shaRE  = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)
)

// lineURL is the finding's line at the commit.
func (l *Links) lineURL(file string, line int) string {
	segs := strings.Split(file, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return fmt.Sprintf("%s/%s/blob/%s/%s#L%d", l.Server, l.Repository, l.SHA, strings.Join(segs, "/"), max(line, 1))
}

// Counts tallies findings per severity, for summary lines, tables and the action's outputs.
type Counts struct {
	Errors, Warnings, Notices int
}

// Count tallies fs by severity; findings with an unknown severity count as errors, the safe side.
func Count(fs []lint.Finding) Counts {
	var n [3]int
	for _, f := range fs {
		n[sevSlot(f.Severity)]++
	}
	return Counts{Errors: n[0], Warnings: n[1], Notices: n[2]}
}

// sevSlot is the severity's place in Counts and in the annotation order (errors, warnings,
// notices); an unknown severity takes the errors' place.
func sevSlot(s lint.Severity) int {
	switch s {
	case lint.SevWarning:
		return 1
	case lint.SevNotice:
		return 2
	}
	return 0
}

// Add sums two tallies, for counting a run piece by piece.
func (c Counts) Add(o Counts) Counts {
	return Counts{Errors: c.Errors + o.Errors, Warnings: c.Warnings + o.Warnings, Notices: c.Notices + o.Notices}
}

// Total is the number of findings counted.
func (c Counts) Total() int { return c.Errors + c.Warnings + c.Notices }

// String renders "1 error, 2 warnings, 0 notices".
func (c Counts) String() string {
	return plural(c.Errors, "error") + ", " + plural(c.Warnings, "warning") + ", " + plural(c.Notices, "notice")
}

// AtOrAbove counts the findings whose severity is at least min, which is what --fail-on compares.
func AtOrAbove(fs []lint.Finding, min lint.Severity) int {
	n := 0
	for _, f := range fs {
		if rank(f.Severity) >= min.Rank() {
			n++
		}
	}
	return n
}

// rank treats an unknown severity like an error so it can never slip under --fail-on.
func rank(s lint.Severity) int {
	if r := s.Rank(); r > 0 {
		return r
	}
	return lint.SevError.Rank()
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// oneLine folds a multi-line message (YAML parser errors span lines) into one line, so every
// finding is exactly one line of text output and no message line can pose as a workflow command.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool { return l == "" }), " ")
}

// errWriter remembers the first write error and swallows it, so go-githubactions (which panics on
// a failed write) and multi-step renderers can report one error at the end instead.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil //nolint:nilerr // swallowed on purpose; Err reports the first failure once
	}
	if _, err := e.w.Write(p); err != nil {
		e.err = err
	}
	return len(p), nil
}

// errNilWriter guards against a nil destination, which would otherwise panic deep in a formatter.
var errNilWriter = errors.New("report: nil writer")
