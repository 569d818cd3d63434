package lint

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// TestStreamIsSortedWhole: Stream's pieces, one file each and in order, concatenate to the sorted
// findings of linting every file on its own (Many), with the same file named twice merged.
func TestStreamIsSortedWhole(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, ".github", "chainguard")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var inputs []Input
	for i := range 300 { // more files than the window, so slots are reused
		name := "p" + strconv.Itoa(i) + ".sts.yaml"
		if err := os.WriteFile(filepath.Join(dir, name), benchPolicy(i), 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, Input{Path: ".github/chainguard/" + name, Data: benchPolicy(i)})
	}
	o := Options{Repository: "acme/app"}
	var got []Finding
	pieces := 0
	n, err := Stream(root, []string{filepath.Join(dir, "p7.sts.yaml"), dir}, o, func(fs []Finding) error {
		pieces++
		for _, f := range fs {
			if f.File != fs[0].File {
				t.Fatalf("piece %d holds %s and %s", pieces, fs[0].File, f.File)
			}
		}
		got = append(got, fs...)
		return nil
	})
	if err != nil || n != 301 {
		t.Fatalf("Stream = %d, %v; want 301 files", n, err)
	}
	if pieces != 300 {
		t.Errorf("%d pieces, want one per distinct file (300)", pieces)
	}
	want := Many(inputs, o)
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("Stream gave %d findings, Many %d; they differ", len(got), len(want))
	}
}

// TestStreamStopsOnEmitError: emit's error ends the run and is returned.
func TestStreamStopsOnEmitError(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, ".github", "chainguard")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := os.WriteFile(filepath.Join(dir, "p"+strconv.Itoa(i)+".sts.yaml"), benchPolicy(i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	calls := 0
	_, err := Stream(root, []string{dir}, Options{}, func([]Finding) error {
		calls++
		return os.ErrClosed
	})
	if err != os.ErrClosed || calls != 1 {
		t.Fatalf("Stream = %v after %d calls; want os.ErrClosed after 1", err, calls)
	}
}
