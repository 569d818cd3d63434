package secret

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	var s Set
	s.Add("ghs_abcdefghijkl")
	s.Add("short") // ignored: would shred ordinary text
	s.Add("ghs_abcdefghijkl_and_more")
	got := s.Redact("a ghs_abcdefghijkl_and_more b ghs_abcdefghijkl short")
	if got != "a *** b *** short" {
		t.Fatalf("got %q", got)
	}
	var nilSet *Set
	if nilSet.Redact("x") != "x" {
		t.Fatal("nil set changed text")
	}
}

func TestWriter(t *testing.T) {
	t.Parallel()
	var s Set
	var buf bytes.Buffer
	w := s.Writer(&buf)
	s.Add("supersecretvalue")
	n, err := fmt.Fprintf(w, "token=%s\n", "supersecretvalue")
	if err != nil || n != len("token=supersecretvalue\n") {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if buf.String() != "token=***\n" {
		t.Fatalf("got %q", buf.String())
	}
}

func TestHashMatchesAuditLogFormat(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256([]byte("ghs_example"))
	if Hash("ghs_example") != base64.StdEncoding.EncodeToString(sum[:]) || !strings.HasSuffix(Hash("x"), "=") {
		t.Fatal("hash is not base64(sha256)")
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("secretsecret", "before secretsecret after")
	f.Fuzz(func(t *testing.T, sec, text string) {
		var s Set
		s.Add(sec)
		out := s.Redact(text)
		if len(sec) >= minLen && strings.Contains(out, sec) && !strings.Contains(Placeholder, sec) {
			// Replacement can only re-create the secret if it overlaps the placeholder.
			if !strings.Contains(sec, "*") {
				t.Fatalf("secret survived: %q", out)
			}
		}
	})
}
