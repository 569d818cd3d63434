package lint

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
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

// TestStreamOrdersNestedTrees: files in sibling and nested directories whose names sort apart
// from the walk's order ("team.x" before "team/", "-" before ".") arrive in display-path order,
// one piece per file, with the display paths findings carry.
func TestStreamOrdersNestedTrees(t *testing.T) {
	root := t.TempDir()
	names := []string{"team/deploy.sts.yaml", "team.x.sts.yaml", "team-a/b.sts.yaml", "team/sub/z.sts.yaml", "a.sts.yaml",
		"team/a.sts.yaml", "team0/x.sts.yaml", "..odd.sts.yaml"}
	for _, n := range names {
		p := filepath.Join(root, ".github", "chainguard", filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("issuer: https://x\n"), 0o644); err != nil { // refused: no subject
			t.Fatal(err)
		}
	}
	var files []string
	odd := filepath.Join(root, "..odd.sts.yaml") // inside the root, though its name starts with ".."
	if err := os.WriteFile(odd, []byte("issuer: https://x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Stream(root, []string{filepath.Join(root, ".github"), odd}, Options{}, func(fs []Finding) error {
		files = append(files, fs[0].File)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, len(names))
	for i, n := range names {
		want[i] = ".github/chainguard/" + n
	}
	want = append(want, "..odd.sts.yaml")
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Errorf("pieces in order\n%q\nwant\n%q", files, want)
	}
}

// TestCompareJoined: comparing two-piece strings equals comparing their concatenations.
func TestCompareJoined(t *testing.T) {
	pieces := []string{"", "a", "a/", "a.b", "a/b", "ab", "b", ".github/", "x.sts.yaml", "/"}
	for _, a1 := range pieces {
		for _, a2 := range pieces {
			for _, b1 := range pieces {
				for _, b2 := range pieces {
					if got, want := compareJoined(a1, a2, b1, b2), strings.Compare(a1+a2, b1+b2); got != want {
						t.Fatalf("compareJoined(%q, %q, %q, %q) = %d, want %d", a1, a2, b1, b2, got, want)
					}
				}
			}
		}
	}
}
