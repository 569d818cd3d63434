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
