package report

import (
	"encoding/json"
	"io"

	"github.com/octo-sts/action/internal/lint"
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
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
