package report

import (
	"fmt"
	"io"
	"iter"
	"slices"

	"github.com/octo-sts/action/internal/lint"
)

// Renderer renders one report from a run's findings fed piece by piece (lint.Stream hands over
// one file's at a time), so a run over any number of files is reported in bounded memory. Every
// format has one: the whole-slice functions (Text, JSON, GitHub, SARIF, Summary) feed it one
// sorted piece, so streaming and whole-slice output are the same bytes.
type Renderer interface {
	// Write renders the next piece, in lint.Sort order of the whole run (pieces sorted and
	// de-duplicated, each following the one before), and returns the first write error so far.
	Write(piece []lint.Finding) error
	// Close ends the report of a run over files files and returns the first write error.
	Close(files int) error
}

// NewRenderer starts a report in format f on w.
func NewRenderer(w io.Writer, f Format, o Options) (Renderer, error) {
	if w == nil {
		return nil, errNilWriter
	}
	switch f {
	case FormatText:
		return NewTextStream(w, o), nil
	case FormatJSON:
		return NewJSONStream(w), nil
	case FormatGitHub:
		return NewGitHubStream(w, o), nil
	case FormatSARIF:
		return NewSARIFStream(w, o), nil
	}
	return nil, fmt.Errorf("report: unknown format %q: want one of %s", f, FormatList())
}

// Write renders findings in format f to w. Every formatter renders in lint.Sort order (on a copy)
// so output is byte-for-byte stable whatever order the rules ran in.
func Write(w io.Writer, f Format, fs []lint.Finding, o Options) error {
	r, err := NewRenderer(w, f, o)
	if err != nil {
		return err
	}
	return render(r, fs, o.Files)
}

// render feeds a whole run to r as one sorted piece.
func render(r Renderer, fs []lint.Finding, files int) error {
	if err := r.Write(sorted(fs)); err != nil {
		return err
	}
	return r.Close(files)
}

// sorted returns a sorted, de-duplicated copy so formatters never reorder the caller's slice.
func sorted(fs []lint.Finding) []lint.Finding {
	return lint.Sort(slices.Clone(fs))
}

// Merger interleaves the findings that do not come from the walk (a policy read from stdin, the
// workflow cross-check) with the pieces lint.Stream emits, one file's each in file order, so
// what reaches emit stays one run in lint.Sort order. It pulls them only as the stream reaches
// their files: a cross-check that notes every policy of a large tree is never held whole.
type Merger struct {
	extra []lint.Finding // sorted
	more  iter.Seq[lint.Finding]
	next  func() (lint.Finding, bool) // more, pulled (nil before the first pull and after Stop)
	stop  func()
	head  lint.Finding // more's next finding, when ok
	ok    bool
	emit  func([]lint.Finding) error
}

// NewMerger merges extra (a few, in any order: it takes the slice over and sorts it) and more (in
// lint.Sort order; nil for none) into the pieces passed on to emit. Call Stop when the run ends
// without Flush.
func NewMerger(extra []lint.Finding, more iter.Seq[lint.Finding], emit func([]lint.Finding) error) *Merger {
	return &Merger{extra: lint.Sort(extra), more: more, emit: emit}
}

// Piece takes the next piece of the stream: the extra findings of earlier files go first, a
// file's at a time, those of the same file are sorted into it. It has lint.Stream's emit
// signature.
func (m *Merger) Piece(fs []lint.Finding) error {
	if len(fs) == 0 {
		return nil
	}
	file := fs[0].File
	for {
		f, ok := m.first()
		if !ok || f >= file {
			break
		}
		if err := m.emit(lint.Sort(m.take(f))); err != nil {
			return err
		}
	}
	if same := m.take(file); len(same) > 0 {
		fs = lint.Sort(append(same, fs...))
	}
	return m.emit(fs)
}

// Flush emits the extra findings after the last file, a file's at a time, and stops.
func (m *Merger) Flush() error {
	defer m.Stop()
	for {
		f, ok := m.first()
		if !ok {
			return nil
		}
		if err := m.emit(lint.Sort(m.take(f))); err != nil {
			return err
		}
	}
}

// Stop ends the pull of more; what is left of it is dropped.
func (m *Merger) Stop() {
	if m.stop != nil {
		m.stop()
	}
	m.more, m.next, m.stop, m.ok = nil, nil, nil, false
}

// first returns the file of the next extra finding, false when none is left.
func (m *Merger) first() (string, bool) {
	if m.more != nil && m.next == nil {
		m.next, m.stop = iter.Pull(m.more)
		m.head, m.ok = m.next()
	}
	switch {
	case len(m.extra) > 0 && m.ok:
		return min(m.extra[0].File, m.head.File), true
	case len(m.extra) > 0:
		return m.extra[0].File, true
	case m.ok:
		return m.head.File, true
	}
	return "", false
}

// take removes and returns the extra findings of file, which no remaining one precedes.
func (m *Merger) take(file string) []lint.Finding {
	var out []lint.Finding
	for len(m.extra) > 0 && m.extra[0].File == file {
		out = append(out, m.extra[0])
		m.extra = m.extra[1:]
	}
	for m.ok && m.head.File == file {
		out = append(out, m.head)
		m.head, m.ok = m.next()
	}
	return out
}
