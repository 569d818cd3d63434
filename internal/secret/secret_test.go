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

const jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJpc3MiOiJodHRwczovL3Rva2VuLmFjdGlvbnMuZ2l0aHVidXNlcmNvbnRlbnQuY29tIiwic3ViIjoicmVwbzpvY3RvLW9yZy9hcHA6cmVmOnJlZnMvaGVhZHMvbWFpbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZV9zaWduYXR1cmUtc2lnbmF0dXJlX3NpZw"

// leftover reports a 20-character piece of jwt still present in out, raw or decoded.
func leftover(out string) string {
	views := []string{out, strings.ReplaceAll(out, "\n", "")}
	for _, v := range views {
		for i := 0; i+RunLen <= len(jwt); i++ {
			if strings.Contains(v, jwt[i:i+RunLen]) {
				return jwt[i : i+RunLen]
			}
		}
	}
	return ""
}

func TestRedactEncodingsAndSplits(t *testing.T) {
	t.Parallel()
	var s Set
	s.Add(jwt)
	var jsonEsc, urlEsc strings.Builder
	for i := 0; i < len(jwt); i++ {
		fmt.Fprintf(&jsonEsc, `\u%04x`, jwt[i])
		if i == 40 {
			urlEsc.WriteString("%0A")
		}
		fmt.Fprintf(&urlEsc, "%%%02X", jwt[i])
	}
	b64 := base64.StdEncoding.EncodeToString([]byte("Bearer " + jwt))
	var wrapped []string
	for len(b64) > 76 {
		wrapped, b64 = append(wrapped, b64[:76]), b64[76:]
	}
	wrapped = append(wrapped, b64)
	for name, text := range map[string]string{
		"raw":            "token " + jwt + " end",
		"split lines":    "a " + jwt[:100] + "\n" + jwt[100:] + " b",
		"split %0A":      "Location: https://x/?t=" + jwt[:70] + "%0A" + jwt[70:],
		"json escaped":   `{"message":"` + jsonEsc.String() + `"}`,
		"json slash":     strings.ReplaceAll(`"`+jwt+`"`, "c2ln", `c2\/ln`),
		"url escaped":    "t=" + urlEsc.String(),
		"url in json":    `{"u":"` + strings.ReplaceAll(urlEsc.String(), "%", `\u0025`) + `"}`,
		"base64 wrapped": strings.Join(wrapped, "\n"),
		"piece":          "x" + jwt[37:61] + "y",
	} {
		out := s.Redact(text)
		if p := leftover(out); p != "" {
			t.Errorf("%s: piece %q survives in %q", name, p, out)
		}
		if name == "base64 wrapped" {
			dec, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(out, "\n", ""))
			if strings.Contains(string(dec), jwt[50:70]) {
				t.Errorf("base64: the JWT decodes from %q", out)
			}
			for _, l := range strings.Split(out, "\n") {
				if len(l) > 2*RunLen && !strings.Contains(l, Placeholder) {
					t.Errorf("base64 line unredacted: %q", l)
				}
			}
		}
		if !strings.Contains(out, Placeholder) {
			t.Errorf("%s: nothing redacted in %q", name, out)
		}
	}
	// Text around a secret stays exactly as it was, encodings included.
	if got := s.Redact("%3A%3Aerror::msg " + urlEsc.String() + " tail\\u0041"); !strings.HasPrefix(got, "%3A%3Aerror::msg ") || !strings.HasSuffix(got, " tail\\u0041") {
		t.Errorf("surrounding text changed: %q", got)
	}
	if got := s.Redact("nothing secret here, just a long ordinary line of log text"); got != "nothing secret here, just a long ordinary line of log text" {
		t.Errorf("ordinary text changed: %q", got)
	}
}

func BenchmarkRedactLine(b *testing.B) {
	var s Set
	s.Add(jwt)
	s.Add("ghs_" + strings.Repeat("a1", 18))
	line := strings.Repeat("ordinary log text with some words ", 4)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Redact(line)
	}
}
