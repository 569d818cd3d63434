package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/octo-sts/action/internal/lint"
)

// benchRender feeds 10,000 files of three findings each (one piece per file, as lint.Stream
// hands them over) to a renderer and reports findings/s: the rendering cost alone, without
// linting. newR builds the renderer under test.
func benchRender(b *testing.B, newR func(io.Writer) Renderer) {
	const files = 10000
	pieces := make([][]lint.Finding, files)
	for i := range pieces {
		file := fmt.Sprintf(".github/chainguard/p%05d.sts.yaml", i)
		pieces[i] = []lint.Finding{
			{File: file, Line: 2, Column: 18, EndLine: 2, EndColumn: 30, Rule: "broad-pattern", Severity: lint.SevWarning, Message: "subject_pattern `repo:acme/.*` admits every repository of acme"},
			{File: file, Line: 4, Column: 3, EndLine: 4, EndColumn: 16, Rule: "unknown-key", Severity: lint.SevError, Message: `unknown key "pull-requests": did you mean "pull_requests"?`},
			{File: file, Line: 7, Column: 1, Rule: "empty-value", Severity: lint.SevNotice, Message: "audience is empty, treated as missing"},
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		r := newR(io.Discard)
		for _, p := range pieces {
			if err := r.Write(p); err != nil {
				b.Fatal(err)
			}
		}
		if err := r.Close(files); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*files*3)/b.Elapsed().Seconds(), "findings/s")
}

func BenchmarkRenderText(b *testing.B) {
	benchRender(b, func(w io.Writer) Renderer { return NewTextStream(w, Options{}) })
}
func BenchmarkRenderJSON(b *testing.B) {
	benchRender(b, func(w io.Writer) Renderer { return NewJSONStream(w) })
}
func BenchmarkRenderGitHub(b *testing.B) {
	benchRender(b, func(w io.Writer) Renderer { return NewGitHubStream(w, Options{}) })
}
func BenchmarkRenderSARIF(b *testing.B) {
	benchRender(b, func(w io.Writer) Renderer { return NewSARIFStream(w, Options{}) })
}
func BenchmarkRenderSummary(b *testing.B) {
	benchRender(b, func(w io.Writer) Renderer { return NewSummaryStream(w, Options{}) })
}
