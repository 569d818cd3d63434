package shipping

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	argLine  = regexp.MustCompile(`^ARG\s+(\w+)=(\S+)`)
	fromLine = regexp.MustCompile(`(?i)^FROM\s+(?:--platform=\S+\s+)?(\S+)`)
	// pinnedImage is a tag for humans and Renovate plus the digest that is actually pulled.
	pinnedImage = regexp.MustCompile(`^[a-z0-9.-]+(?:/[a-z0-9._-]+)*:[\w.-]+@sha256:[0-9a-f]{64}$`)
)

// TestDockerfileBasesPinnedByDigest: every base image the Dockerfile pulls is pinned by digest
// (with its tag kept), directly or through the ARG default its FROM line uses.
func TestDockerfileBasesPinnedByDigest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]string{}
	stages := map[string]bool{}
	froms := 0
	for n, l := range strings.Split(string(b), "\n") {
		if m := argLine.FindStringSubmatch(l); m != nil {
			args[m[1]] = m[2]
		}
		m := fromLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		froms++
		img := m[1]
		if f := strings.Fields(l); len(f) >= 2 && strings.EqualFold(f[len(f)-2], "AS") {
			stages[strings.ToLower(f[len(f)-1])] = true
		}
		if stages[strings.ToLower(img)] && !strings.Contains(l, " AS "+img) {
			continue // an earlier stage, not an image
		}
		if strings.HasPrefix(img, "$") {
			v, ok := args[strings.Trim(img, "${}")]
			if !ok {
				t.Errorf("Dockerfile:%d: FROM %s has no ARG default", n+1, img)
				continue
			}
			img = v
		}
		if !pinnedImage.MatchString(img) {
			t.Errorf("Dockerfile:%d: base image %s is not pinned as image:tag@sha256:<digest>", n+1, img)
		}
	}
	if froms < 2 {
		t.Fatalf("found %d FROM lines; the scan is broken", froms)
	}
}
