package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/logsafe"
)

// JSON writes {"findings":[...]} on one line with lint.Finding's field names; the list is [] (never
// null) when there is nothing to report, so `jq '.findings | length'` always works.
func JSON(w io.Writer, fs []lint.Finding) error {
	if w == nil {
		return errNilWriter
	}
	return render(NewJSONStream(w), fs, 0)
}

// jsonHead opens the json format's envelope; an object (not a bare list) leaves room for metadata later.
const jsonHead = `{"findings":[`

// JSONStream renders the json format piece by piece: the output is JSON's, byte for byte.
// Each piece is neutralised on its own with logsafe.JSON, which gives the bytes neutralising the
// whole would: pieces split between array elements, and a marker never spans a JSON token.
type JSONStream struct {
	ew  *errWriter
	buf bytes.Buffer
	enc *json.Encoder
	n   int // findings written
}

// NewJSONStream starts a json report on w; nothing is written before the first finding or Close.
func NewJSONStream(w io.Writer) *JSONStream {
	j := &JSONStream{ew: &errWriter{w: w}}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	return j
}

// Write renders the next piece of the run.
func (j *JSONStream) Write(fs []lint.Finding) error {
	if len(fs) == 0 || j.ew.err != nil {
		return j.ew.err
	}
	j.buf.Reset()
	for _, f := range fs {
		if j.n == 0 {
			j.buf.WriteString(jsonHead)
		} else {
			j.buf.WriteByte(',')
		}
		if err := j.enc.Encode(f); err != nil {
			return err
		}
		j.buf.Truncate(j.buf.Len() - 1) // Encode's newline
		j.n++
	}
	j.ew.Write(logsafe.JSON(j.buf.Bytes()))
	return j.ew.err
}

// Close ends the document (files is not part of the json format).
func (j *JSONStream) Close(int) error {
	if j.n == 0 {
		j.ew.Write([]byte(jsonHead))
	}
	j.ew.Write([]byte("]}\n"))
	return j.ew.err
}
