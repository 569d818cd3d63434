package cli

import (
	"reflect"
	"testing"

	"github.com/octo-sts/action/internal/lint"
)

// TestMergerKeepsSortOrder: extra findings land before, inside and after the streamed files.
func TestMergerKeepsSortOrder(t *testing.T) {
	f := func(file string, line int) lint.Finding { return lint.Finding{File: file, Line: line, Rule: "r"} }
	var got []lint.Finding
	m := &merger{extra: []lint.Finding{f("a", 1), f("c", 1), f("c", 3), f("z", 1)}, emit: func(fs []lint.Finding) error {
		got = append(got, fs...)
		return nil
	}}
	for _, piece := range [][]lint.Finding{{f("b", 1)}, {}, {f("c", 2), f("c", 3)}, {f("d", 1)}} {
		if err := m.piece(piece); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.flush(); err != nil {
		t.Fatal(err)
	}
	want := []lint.Finding{f("a", 1), f("b", 1), f("c", 1), f("c", 2), f("c", 3), f("d", 1), f("z", 1)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}
