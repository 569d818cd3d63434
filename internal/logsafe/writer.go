package logsafe

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxPending bounds how much of an unterminated line a Writer holds before it neutralises and
// emits it anyway, so a hostile stream without newlines cannot grow memory without limit.
const maxPending = 64 << 10

// Writer neutralises everything written through it, line by line, for streams (stderr, check
// reports) that carry untrusted text on plain log lines. Call Flush when done: a final line
// without a newline is held until then.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	pending []byte
	// hashes is how many '#' (0..2) ended the part of the current line already emitted, so a
	// `##[` split across an over-long line's cut is still neutralised.
	hashes int
	err    error
}

// NewWriter wraps w; writing to the result never lets the text start a workflow command.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write buffers p and emits every complete line neutralised. It reports len(p) unless the
// underlying writer failed.
func (lw *Writer) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.err != nil {
		return 0, lw.err
	}
	lw.pending = append(lw.pending, p...)
	for {
		i := bytes.IndexByte(lw.pending, '\n')
		if i < 0 {
			break
		}
		line := lw.pending[:i]
		lw.emit(string(bytes.TrimSuffix(line, []byte("\r"))), "\n")
		lw.pending = lw.pending[i+1:]
	}
	if len(lw.pending) > maxPending {
		cut := len(lw.pending)
		for cut > 0 && !utf8.RuneStart(lw.pending[cut-1]) {
			cut--
		}
		if cut > 0 {
			cut-- // the rune that starts at cut-1 may be incomplete: keep it for the next write
		}
		lw.emit(string(lw.pending[:cut]), "")
		lw.pending = append([]byte(nil), lw.pending[cut:]...)
	}
	if lw.err != nil {
		return 0, lw.err
	}
	if len(lw.pending) == 0 {
		lw.pending = nil
	}
	return len(p), nil
}

// Flush emits a held final partial line; the Writer stays usable.
func (lw *Writer) Flush() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.pending) > 0 && lw.err == nil {
		lw.emit(string(lw.pending), "")
	}
	lw.pending = nil
	return lw.err
}

// emit writes one neutralised piece of a line; end is "\n" when the line is complete. A piece
// that continues a line is neutralised together with the '#'s that ended the previous piece, so
// the runner, which sees one line, finds no marker across the cut.
func (lw *Writer) emit(piece, end string) {
	if lw.err != nil {
		return
	}
	lead := strings.Repeat("#", lw.hashes)
	out := strings.TrimPrefix(Line(lead+piece), lead)
	lw.hashes = 0
	if end == "" {
		all := lead + piece
		lw.hashes = min(2, len(all)-len(strings.TrimRight(all, "#")))
	}
	_, lw.err = io.WriteString(lw.w, out+end)
}
