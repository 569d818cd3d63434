package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/logsafe"
)

// jsonDoc is the json format's envelope; an object (not a bare list) leaves room for metadata later.
type jsonDoc struct {
	Findings []lint.Finding `json:"findings"`
}

// JSON writes {"findings":[...]} on one line with lint.Finding's field names; the list is [] (never
// null) when there is nothing to report, so `jq '.findings | length'` always works.
func JSON(w io.Writer, fs []lint.Finding) error {
	if w == nil {
		return errNilWriter
	}
	doc := jsonDoc{Findings: sorted(fs)}
	if doc.Findings == nil {
		doc.Findings = []lint.Finding{}
	}
	return encodeJSON(w, doc, false)
}

// encodeJSON encodes v and neutralises it with logsafe.JSON (the decoded value is unchanged), so
// policy text in a report printed by a `run:` step cannot pose as a workflow command.
func encodeJSON(w io.Writer, v any, indent bool) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(logsafe.JSON(b.Bytes()))
	return err
}
