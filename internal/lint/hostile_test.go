package lint

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint/linttest"
)

// TestHostileTree lints a tree a pull request could plant: every link, FIFO and oversized file is
// a finding, nothing outside the tree is read, and the bombs end as findings, not hangs.
func TestHostileTree(t *testing.T) {
	dir := t.TempDir()
	cg, err := linttest.HostileTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	fs, n, err := Paths(dir, []string{cg}, Options{Repository: "acme/app"})
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string][]string{}
	for _, f := range fs {
		byFile[f.File] = append(byFile[f.File], f.Rule)
		if strings.Contains(f.Message, "TOP-SECRET-OUTSIDE") || strings.Contains(f.Message, "secret.example") {
			t.Errorf("a finding quotes a file outside the tree: %s", f.Message)
		}
	}
	want := map[string]string{
		"stdout.sts.yaml": "not-regular-file", "zero.sts.yaml": "not-regular-file",
		"environ.sts.yaml": "not-regular-file", "outside.sts.yaml": "not-regular-file",
		"fifo.sts.yaml": "not-regular-file", "big.sts.yaml": "file-too-large",
		"bomb.sts.yaml": "yaml-alias-bomb",
	}
	for name, rule := range want {
		if got := byFile[".github/chainguard/"+name]; !slices.Contains(got, rule) {
			t.Errorf("%s: rules %v, want %s", name, got, rule)
		}
	}
	if got := byFile[".github/chainguard/ok.sts.yaml"]; len(got) != 0 {
		t.Errorf("ok.sts.yaml: unexpected findings %v", got)
	}
	if n != 10 {
		t.Errorf("files = %d, want 10 (links and FIFOs count as refused files, the linked directory is not walked)", n)
	}
}

// TestPathsThroughLinkedDirectory refuses a policy reached through a directory link.
func TestPathsThroughLinkedDirectory(t *testing.T) {
	dir := t.TempDir()
	cg, err := linttest.HostileTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	fs, _, err := Paths(dir, []string{cg + "/linked-dir/secret.sts.yaml", cg + "/linked-dir"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Rule != "not-regular-file" || fs[1].Rule != "not-regular-file" {
		t.Errorf("want two not-regular-file findings, got\n%s", render(fs))
	}
}

func TestCheckRelPath(t *testing.T) {
	for _, bad := range []string{"", "../x.sts.yaml", ".github/../../x", "/etc/passwd", `a\b`, "a\x00b", ".."} {
		if CheckRelPath(bad) == nil {
			t.Errorf("CheckRelPath(%q) = nil", bad)
		}
	}
	for _, ok := range []string{".github/chainguard/x.sts.yaml", "a/b", "x..y.sts.yaml"} {
		if err := CheckRelPath(ok); err != nil {
			t.Errorf("CheckRelPath(%q) = %v", ok, err)
		}
	}
}

// hostileFiles are the 1 MB inputs the bounds benchmarks lint.
func hostileFiles() map[string][]byte {
	return map[string][]byte{
		"alias-bomb":          linttest.AliasBomb(1 << 20),
		"claims-100k":         linttest.ManyClaims(100_000),
		"claims-70k-distinct": linttest.DistinctClaims(70_000),
		"unknown-keys":        []byte(manyUnknown(90_000)),
		"deep-nesting":        []byte("issuer: x\nsubject: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n"),
		"long-pattern":        []byte("issuer: https://token.actions.githubusercontent.com\nsubject_pattern: " + strings.Repeat("(a|b)*", 150_000) + "\n"),
		"many-newlines":       []byte("issuer: https://token.actions.githubusercontent.com\nsubject: x\n" + strings.Repeat("\n", 1<<20-100)),
	}
}

func manyUnknown(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("k")
		b.WriteString(strings.Repeat("x", i%5))
		b.WriteString(strconv.Itoa(i))
		b.WriteString(": v\n")
	}
	return b.String()
}

// BenchmarkHostile1MB lints each 1 MB hostile file; the goal is under 5 s and 256 MB each
// (B/op here; the CLI's peak RSS is checked by TestHostileTreeCLIMemory in internal/cli).
func BenchmarkHostile1MB(b *testing.B) {
	for name, data := range hostileFiles() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				Bytes(".github/chainguard/h.sts.yaml", data, Options{Repository: "acme/app"})
			}
		})
	}
}

// TestCreateInRoot: an output path (sarif-file) never escapes the workspace or writes through a link.
func TestCreateInRoot(t *testing.T) {
	ws := t.TempDir()
	victim := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(victim, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(ws, "planted.sarif")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(victim), filepath.Join(ws, "dirlink")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"planted.sarif", "../x.sarif", "dirlink/event.json", "/etc/x"} {
		if f, err := CreateInRoot(ws, rel); err == nil {
			f.Close()
			t.Errorf("CreateInRoot(%q) succeeded", rel)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "{}" {
		t.Errorf("the link target was overwritten: %q", b)
	}
	f, err := CreateInRoot(ws, "out/results.sarif")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}
