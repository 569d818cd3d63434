package shipping

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoFiles lists the repository's files: `git ls-files` in a checkout (what ships), or every
// regular file under the root outside .git when git or the checkout is not available.
func repoFiles(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil && len(out) > 0 {
		var files []string
		for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			if fi, err := os.Lstat(filepath.Join(root, f)); err == nil && fi.Mode().IsRegular() {
				files = append(files, f)
			}
		}
		return files
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestNoOldName: the project moved from its placeholder home to octo-sts/action; any file
// still naming the old one sends users to a repository, image or schema URL that does not exist.
func TestNoOldName(t *testing.T) {
	old := []string{
		"octo-sts-action" + "/octo-sts", // the old repository, module and image path
		"octo-sts-action" + ".",         // its Pages site
	}
	root := repoRoot(t)
	files := repoFiles(t)
	if len(files) < 50 {
		t.Fatalf("found only %d files; the walk is broken", len(files))
	}
	for _, f := range files {
		for _, o := range old {
			if strings.Contains(strings.ToLower(f), o) {
				t.Errorf("file name %s contains the old name %q", f, o)
			}
		}
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		lower := bytes.ToLower(b)
		for _, o := range old {
			if i := bytes.Index(lower, []byte(o)); i >= 0 {
				line := 1 + bytes.Count(b[:i], []byte("\n"))
				t.Errorf("%s:%d names the old home %q; use github.com/octo-sts/action (ghcr.io/octo-sts/action for the image)", f, line, o)
			}
		}
	}
}

// workflowFiles are the files GitHub reads `uses:` from: workflows (ours and the ones
// `octo-sts init` generates), and action metadata.
func workflowFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, f := range repoFiles(t) {
		base := filepath.Base(f)
		switch {
		case base == "action.yml" || base == "action.yaml":
			out = append(out, f)
		case strings.Contains(f, ".github/workflows/") && (strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml")):
			out = append(out, f)
		}
	}
	if len(out) < 4 {
		t.Fatalf("found only %d workflow and action files: %v", len(out), out)
	}
	return out
}

var (
	usesLine = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(.*)$`)
	fullSHA  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	// ownRef is this repository's action or reusable workflows: the release pins those refs
	// (see docs/releasing.md), so they are the one exception.
	ownRef = regexp.MustCompile(`^octo-sts/action(/[^@]+)?@`)
)

// TestUsesPinnedBySHA: every action and reusable workflow a workflow runs is pinned by a full
// commit SHA with a version comment (the form Renovate keeps fresh), docker:// images by
// digest; local ./ paths and this repository's own refs are the exceptions.
func TestUsesPinnedBySHA(t *testing.T) {
	root := repoRoot(t)
	seen := 0
	for _, f := range workflowFiles(t) {
		fh, err := os.Open(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for n := 1; sc.Scan(); n++ {
			m := usesLine.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			seen++
			// Workflows `octo-sts init` writes for a SHA the user chose carry no version comment.
			if msg := pinProblem(m[1], !strings.HasPrefix(f, "testdata/")); msg != "" {
				t.Errorf("%s:%d: %s", f, n, msg)
			}
		}
		fh.Close()
	}
	if seen < 10 {
		t.Fatalf("found only %d uses: lines; the scan is broken", seen)
	}
}

// pinProblem explains what is wrong with one `uses:` value (with its trailing comment), or "".
// wantComment also requires the version comment after a SHA.
func pinProblem(raw string, wantComment bool) string {
	value, comment, _ := strings.Cut(raw, "#")
	value = strings.Trim(strings.TrimSpace(value), `"'`)
	comment = strings.TrimSpace(comment)
	switch {
	case value == "":
		return "empty uses:"
	case strings.HasPrefix(value, "./"):
		return ""
	case strings.HasPrefix(value, "docker://"):
		if !strings.Contains(value, "@sha256:") {
			return value + " is a mutable image tag; pin it by digest (docker://image@sha256:…)"
		}
		return ""
	case ownRef.MatchString(value):
		return ""
	}
	_, ref, ok := strings.Cut(value, "@")
	if !ok || !fullSHA.MatchString(ref) {
		return value + " is not pinned by a full commit SHA; use owner/repo@<40 hex> # vX.Y.Z"
	}
	if wantComment && comment == "" {
		return value + " has no version comment; add # vX.Y.Z so reviewers and Renovate see the version"
	}
	return ""
}

func TestPinProblem(t *testing.T) {
	for raw, bad := range map[string]bool{
		"actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0": false,
		"actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8":          true,
		"actions/checkout@v5":                                true,
		"actions/checkout@08c6903":                           true,
		"octo-sts/action@v1":                                 false,
		"octo-sts/action/.github/workflows/renovate.yaml@v1": false,
		"octo-sts/actionx@v1":                                true,
		"./":                                                 false,
		"./portable":                                         false,
		"docker://alpine:3":                                  true,
		"docker://alpine@sha256:" + strings.Repeat("a", 64): false,
		`"actions/setup-go@v6"`:                             true,
		"github/codeql-action/upload-sarif@9e907b5e64f6b83e7804b09294d44122997950d6 # v4.32.3": false,
	} {
		if got := pinProblem(raw, true) != ""; got != bad {
			t.Errorf("pinProblem(%q) reports a problem = %v, want %v", raw, got, bad)
		}
	}
}
