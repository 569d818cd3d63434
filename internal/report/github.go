package report

import (
	"io"
	"strconv"

	"github.com/sethvargo/go-githubactions"

	"github.com/octo-sts/action/internal/lint"
)

// DefaultMaxAnnotations is how many annotations of each severity the github format emits: the
// runner displays about ten errors, ten warnings and ten notices per step and drops the rest silently.
const DefaultMaxAnnotations = 10

// GitHub writes findings as ::error/::warning/::notice workflow commands with file and position
// properties, so they show up as annotations on the pull-request diff. Errors come first, then
// warnings, then notices, each capped at o.MaxAnnotations; if anything was left out, a final
// `::notice::N more findings, <hint>` says so (room for it is kept within the notice cap).
func GitHub(w io.Writer, fs []lint.Finding, o Options) error {
	if w == nil {
		return errNilWriter
	}
	return render(NewGitHubStream(w, o), fs, o.Files)
}

// GitHubStream renders the github format piece by piece: it keeps only the first
// o.MaxAnnotations findings of each severity (the runner shows no more) and counts the rest,
// then writes GitHub's output at Close, byte for byte.
type GitHubStream struct {
	w     io.Writer
	limit int
	hint  string
	kept  [3][]lint.Finding // errors, warnings, notices, in order
	seen  [3]int
}

// NewGitHubStream starts a github report on w; everything is written at Close.
func NewGitHubStream(w io.Writer, o Options) *GitHubStream {
	g := &GitHubStream{w: w, limit: o.MaxAnnotations, hint: o.OverflowHint}
	if g.limit <= 0 {
		g.limit = DefaultMaxAnnotations
	}
	if g.hint == "" {
		g.hint = "see the job summary"
	}
	return g
}

// Write takes the next piece of the run; it writes nothing, so it never fails.
func (g *GitHubStream) Write(fs []lint.Finding) error {
	for _, f := range fs {
		s := sevSlot(f.Severity)
		g.seen[s]++
		if len(g.kept[s]) < g.limit {
			g.kept[s] = append(g.kept[s], f)
		}
	}
	return nil
}

// Close writes the annotations and the overflow notice (files is not part of the github format).
func (g *GitHubStream) Close(int) error {
	ew := &errWriter{w: g.w}
	a := githubactions.New(githubactions.WithWriter(ew), githubactions.WithGetenv(func(string) string { return "" }))
	noteLimit := g.limit
	if g.seen[0] > g.limit || g.seen[1] > g.limit || g.seen[2] > g.limit {
		noteLimit = g.limit - 1 // the overflow notice is itself a notice
	}
	shown := 0
	for s, list := range g.kept {
		n := len(list)
		if s == 2 {
			n = min(n, noteLimit)
		}
		for _, f := range list[:n] {
			annotate(a, f)
			shown++
		}
	}
	if more := g.seen[0] + g.seen[1] + g.seen[2] - shown; more > 0 {
		a.Noticef("%s, %s", plural(more, "more finding"), g.hint)
	}
	return ew.err
}

// annotate issues one workflow command; go-githubactions escapes properties and message.
func annotate(a *githubactions.Action, f lint.Finding) {
	props := map[string]string{
		"file":  f.File,
		"title": "octo-sts " + f.Rule,
	}
	setPos := func(k string, v int) {
		if v > 0 {
			props[k] = strconv.Itoa(v)
		}
	}
	setPos("line", f.Line)
	setPos("col", f.Column)
	setPos("endLine", f.EndLine)
	setPos("endColumn", f.EndColumn)
	aa := a.WithFieldsMap(props)
	switch f.Severity {
	case lint.SevWarning:
		aa.Warningf("%s", f.Message)
	case lint.SevNotice:
		aa.Noticef("%s", f.Message)
	default:
		aa.Errorf("%s", f.Message)
	}
}
