package report

import (
	"fmt"
	"io"
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

// Merger interleaves a few findings that do not come from the walk (a policy read from stdin,
// the workflow cross-check) with the pieces lint.Stream emits, one file's each in file order,
// so what reaches emit stays one run in lint.Sort order.
type Merger struct {
	extra []lint.Finding
	emit  func([]lint.Finding) error
}

// NewMerger merges extra (in any order) into the pieces passed on to emit. It takes extra over
// and sorts it in place: a cross-check can note every policy of a large tree.
func NewMerger(extra []lint.Finding, emit func([]lint.Finding) error) *Merger {
	return &Merger{extra: lint.Sort(extra), emit: emit}
}

// Piece takes the next piece of the stream: the extra findings of earlier files go first, those
// of the same file are sorted into it. It has lint.Stream's emit signature.
func (m *Merger) Piece(fs []lint.Finding) error {
	if len(fs) == 0 {
		return nil
	}
	file := fs[0].File
	i := 0
	for i < len(m.extra) && m.extra[i].File < file {
		i++
	}
	j := i
	for j < len(m.extra) && m.extra[j].File == file {
		j++
	}
	if i > 0 {
		if err := m.emit(m.extra[:i]); err != nil {
			return err
		}
	}
	if j > i {
		fs = lint.Sort(append(slices.Clone(m.extra[i:j]), fs...))
	}
	m.extra = m.extra[j:]
	return m.emit(fs)
}

// Flush emits the extra findings after the last file.
func (m *Merger) Flush() error {
	if len(m.extra) == 0 {
		return nil
	}
	rest := m.extra
	m.extra = nil
	return m.emit(rest)
}
