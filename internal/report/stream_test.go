package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/logsafe/runnertest"
)

// corpus draws n findings from a varied, partly hostile pool: workflow-command markers, combining
// marks, line breaks, markdown and HTML metacharacters, unknown rules and severities, long text.
func corpus(r *rand.Rand, n int) []lint.Finding {
	files := []string{".github/chainguard/a.sts.yaml", ".github/chainguard/b c.sts.yaml", ".github/chainguard/::error::x.sts.yaml",
		".github/chainguard/##[add-path].sts.yaml", ".github/chainguard/#\u0301#[x].sts.yaml", "z/\u00e9t\u00e9.sts.yaml", "trusted-token-issuers.yaml",
		"line\nbreak.sts.yaml", "<b>&amp;|.sts.yaml", ""}
	rules := []string{"yaml-syntax", "unknown-key", "broad-pattern", "empty-value", "custom-z", "custom-a", "unescaped-dot"}
	sevs := []lint.Severity{lint.SevError, lint.SevWarning, lint.SevNotice, lint.SevError, lint.SevWarning, "bogus"}
	msgs := []string{"plain", "::set-output name=x::y", "a ##[error] b", "line\n::warning::two", "pipe | <tag> & `tick` *x* [l](u)",
		`quoted "v\"al" and ` + "`raw`", "#\u0301#[add-mask]mark", "\u200b::error::zw", strings.Repeat("long ", 80), "Ünïcödé ✓ \U0001F600", ""}
	fs := make([]lint.Finding, n)
	for i := range fs {
		line := r.IntN(40)
		fs[i] = lint.Finding{File: files[r.IntN(len(files))], Line: line, Column: r.IntN(20), EndLine: line + r.IntN(3) - 1, EndColumn: r.IntN(30),
			Rule: rules[r.IntN(len(rules))], Severity: sevs[r.IntN(len(sevs))], Message: msgs[r.IntN(len(msgs))]}
	}
	return fs
}

// pieces splits the sorted run at random points (inside files too), as a stream may hand it over.
func pieces(r *rand.Rand, fs []lint.Finding) [][]lint.Finding {
	fs = sorted(fs)
	var out [][]lint.Finding
	for len(fs) > 0 {
		n := r.IntN(min(len(fs), 6) + 1) // empty pieces too
		out = append(out, fs[:n])
		fs = fs[n:]
	}
	return out
}

// streamed renders fs through a Renderer fed piece by piece.
func streamed(t *testing.T, r *rand.Rand, newR func(*bytes.Buffer) Renderer, fs []lint.Finding, files int) string {
	t.Helper()
	var b bytes.Buffer
	rr := newR(&b)
	for _, p := range pieces(r, fs) {
		if err := rr.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := rr.Close(files); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestStreamsMatchTheWholeSliceRenderers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 400 {
		fs := corpus(r, r.IntN(60))
		o := Options{Files: r.IntN(12), Version: "1.2.3", Rules: testRules, MaxAnnotations: r.IntN(5), SummaryLimit: 200 + r.IntN(6000)}
		if iter%3 == 0 {
			o.Links = &Links{Server: "https://github.com", Repository: "acme/app", SHA: strings.Repeat("a", 40)}
		}
		if iter%7 == 0 {
			o.SummaryLimit = 0
		}
		for _, f := range Formats {
			var whole bytes.Buffer
			if err := Write(&whole, f, fs, o); err != nil {
				t.Fatal(err)
			}
			got := streamed(t, r, func(b *bytes.Buffer) Renderer { rr, _ := NewRenderer(b, f, o); return rr }, fs, o.Files)
			if got != whole.String() {
				t.Fatalf("iter %d %s: stream differs from whole slice\n--- stream ---\n%s\n--- whole ---\n%s", iter, f, got, whole.String())
			}
			var old bytes.Buffer
			switch f {
			case FormatJSON:
				_ = oldJSON(&old, fs)
			case FormatGitHub:
				_ = oldGitHub(&old, fs, o)
			case FormatSARIF:
				_ = oldSARIF(&old, fs, o)
				sameSARIFLog(t, old.Bytes(), whole.Bytes())
				continue
			default:
				continue
			}
			if old.String() != got {
				t.Fatalf("iter %d %s: differs from the old renderer\n--- new ---\n%s\n--- old ---\n%s", iter, f, got, old.String())
			}
		}
		sum := streamed(t, r, func(b *bytes.Buffer) Renderer { return NewSummaryStream(b, o) }, fs, o.Files)
		if want := oldSummary(fs, o); sum != want || Summary(fs, o) != want {
			t.Fatalf("iter %d: summary (limit %d) differs from the old algorithm\n--- stream ---\n%s\n--- old ---\n%s", iter, o.SummaryLimit, sum, want)
		}
	}
}

// TestSummaryStreamBudgetEdges runs the summary over many small files around the byte budget,
// where keeping files with errors ahead of the others must drop exactly what the old page did.
func TestSummaryStreamBudgetEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 300 {
		var fs []lint.Finding
		for i := range 1 + r.IntN(80) {
			sev := []lint.Severity{lint.SevError, lint.SevWarning, lint.SevNotice}[r.IntN(3)]
			fs = append(fs, lint.Finding{File: fmt.Sprintf("f%03d.sts.yaml", r.IntN(30)), Line: i, Rule: "unknown-key", Severity: sev,
				Message: strings.Repeat("m", r.IntN(120))})
		}
		o := Options{Files: 30, SummaryLimit: 250 + r.IntN(3000)}
		got := streamed(t, r, func(b *bytes.Buffer) Renderer { return NewSummaryStream(b, o) }, fs, o.Files)
		if want := oldSummary(fs, o); got != want {
			t.Fatalf("iter %d limit %d:\n--- stream ---\n%s\n--- old ---\n%s", iter, o.SummaryLimit, got, want)
		}
	}
}

// sameSARIFLog decodes both logs into the typed structs and compares them as a consumer sees
// them: each result resolved to its rule, rules compared by ID (unregistered rules may be listed
// in another order).
func sameSARIFLog(t *testing.T, a, b []byte) {
	t.Helper()
	norm := func(data []byte) sarifLog {
		var l sarifLog
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		run := &l.Runs[0]
		for i, res := range run.Results {
			if rules := run.Tool.Driver.Rules; res.RuleIndex >= len(rules) || rules[res.RuleIndex].ID != res.RuleID {
				t.Fatalf("result %d: ruleIndex %d does not point at %s", i, res.RuleIndex, res.RuleID)
			}
			run.Results[i].RuleIndex = 0
		}
		slices.SortStableFunc(run.Tool.Driver.Rules, func(x, y sarifRule) int { return strings.Compare(x.ID, y.ID) })
		return l
	}
	if x, y := norm(a), norm(b); !reflect.DeepEqual(x, y) {
		t.Fatalf("SARIF logs differ:\n%s\n---\n%s", a, b)
	}
}

// TestSARIFIsEncodingJSONOutput: the spliced stream is exactly what encoding/json gives for the
// decoded document (so it is valid JSON indented as the encoder does), neutralised as a whole.
func TestSARIFIsEncodingJSONOutput(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		fs := corpus(r, r.IntN(30))
		var b bytes.Buffer
		if err := SARIF(&b, fs, Options{Rules: testRules}); err != nil {
			t.Fatal(err)
		}
		var doc sarifLog
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := encodeJSON(&want, doc, true); err != nil {
			t.Fatal(err)
		}
		if b.String() != want.String() {
			t.Fatalf("stream:\n%s\nencoding/json:\n%s", b.String(), want.String())
		}
	}
}

func TestMergerKeepsSortOrder(t *testing.T) {
	f := func(file string, line int) lint.Finding { return lint.Finding{File: file, Line: line, Rule: "r"} }
	var got []lint.Finding
	m := NewMerger([]lint.Finding{f("z", 1), f("c", 3), f("a", 1), f("c", 1)}, nil, func(fs []lint.Finding) error {
		got = append(got, fs...)
		return nil
	})
	for _, piece := range [][]lint.Finding{{f("b", 1)}, {}, {f("c", 2), f("c", 3)}, {f("d", 1)}} {
		if err := m.Piece(piece); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	want := []lint.Finding{f("a", 1), f("b", 1), f("c", 1), f("c", 2), f("c", 3), f("d", 1), f("z", 1)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

// TestMergerPullsMoreAsTheStreamGoes: findings from a sorted sequence (the cross-check's) are
// merged with the few extra ones and the stream's pieces in lint.Sort order, each file's as one
// piece, and pulled no further than the file the stream has reached.
func TestMergerPullsMoreAsTheStreamGoes(t *testing.T) {
	f := func(file string, line int) lint.Finding { return lint.Finding{File: file, Line: line, Rule: "r"} }
	more := []lint.Finding{f("a", 2), f("b", 5), f("c", 4), f("e", 1), f("e", 2), f("y", 1), f("z", 2)}
	pulled := 0
	seq := func(yield func(lint.Finding) bool) {
		for _, x := range more {
			pulled++
			if !yield(x) {
				return
			}
		}
	}
	var pieces [][]lint.Finding
	m := NewMerger([]lint.Finding{f("z", 1), f("c", 3), f("a", 1)}, seq, func(fs []lint.Finding) error {
		pieces = append(pieces, fs)
		return nil
	})
	for _, piece := range [][]lint.Finding{{f("b", 1)}, {}, {f("c", 2), f("c", 3)}, {f("d", 1)}} {
		if err := m.Piece(piece); err != nil {
			t.Fatal(err)
		}
	}
	if pulled != 4 { // up to e's first, the one that shows d's piece can go
		t.Errorf("pulled %d of more by file d, want 4", pulled)
	}
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	want := [][]lint.Finding{{f("a", 1), f("a", 2)}, {f("b", 1), f("b", 5)}, {f("c", 2), f("c", 3), f("c", 4)}, {f("d", 1)},
		{f("e", 1), f("e", 2)}, {f("y", 1)}, {f("z", 1), f("z", 2)}}
	if !reflect.DeepEqual(pieces, want) {
		t.Fatalf("got %v\nwant %v", pieces, want)
	}

	// A run that ends early stops the pull.
	stopped := false
	m = NewMerger(nil, func(yield func(lint.Finding) bool) {
		defer func() { stopped = true }()
		for i := range 10 {
			if !yield(f("x", i)) {
				return
			}
		}
	}, func([]lint.Finding) error { return nil })
	if err := m.Piece([]lint.Finding{f("a", 1)}); err != nil {
		t.Fatal(err)
	}
	m.Stop()
	if !stopped {
		t.Error("Stop left the sequence running")
	}
}

// TestStreamsHoldBoundedState: however long the run, the summary holds at most its byte budget
// of rows (plus the findings of the file being read) and the annotations at most
// MaxAnnotations per severity.
func TestStreamsHoldBoundedState(t *testing.T) {
	const limit = 4096
	sum := NewSummaryStream(&bytes.Buffer{}, Options{SummaryLimit: limit})
	gh := NewGitHubStream(&bytes.Buffer{}, Options{MaxAnnotations: 3})
	sevs := []lint.Severity{lint.SevWarning, lint.SevError, lint.SevNotice, lint.SevWarning}
	for i := range 20000 {
		piece := []lint.Finding{
			{File: fmt.Sprintf("f%06d.sts.yaml", i), Line: 1, Rule: "unknown-key", Severity: sevs[i%len(sevs)], Message: "first"},
			{File: fmt.Sprintf("f%06d.sts.yaml", i), Line: 2, Rule: "broad-pattern", Severity: lint.SevWarning, Message: "second"},
		}
		_ = sum.Write(piece)
		_ = gh.Write(piece)
		held := 0
		for _, g := range slices.Concat(sum.errGroups, sum.otherGroups) {
			held += g.size()
		}
		if held > limit || held != sum.errBytes+sum.otherBytes || len(sum.cur) > len(piece) {
			t.Fatalf("after %d files the summary holds %d bytes (counted %d+%d) and %d findings of the current file, budget %d",
				i+1, held, sum.errBytes, sum.otherBytes, len(sum.cur), limit)
		}
		for s, kept := range gh.kept {
			if len(kept) > 3 {
				t.Fatalf("annotations hold %d findings of severity slot %d", len(kept), s)
			}
		}
	}
	var b strings.Builder
	sum.w = &b
	if err := sum.Close(20000); err != nil || len(b.String()) > limit || !strings.Contains(b.String(), "**Truncated:**") {
		t.Errorf("page: %d bytes, err %v", len(b.String()), err)
	}
}

// TestStreamedOutputRunsNoCommand: over the hostile corpus, fed piece by piece, no line of the
// text, json and sarif reports is a workflow command to the runner's parser (the github format's
// lines are commands by design, go-githubactions escapes their values; the summary is a file).
func TestStreamedOutputRunsNoCommand(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 100 {
		fs := corpus(r, 40)
		o := Options{Files: 5, Rules: testRules}
		for _, f := range []Format{FormatText, FormatJSON, FormatSARIF} {
			out := streamed(t, r, func(b *bytes.Buffer) Renderer { rr, _ := NewRenderer(b, f, o); return rr }, fs, o.Files)
			if cmds := runnertest.Parse(out); len(cmds) > 0 {
				t.Fatalf("%s output runs %v:\n%s", f, cmds, out)
			}
		}
	}
}
