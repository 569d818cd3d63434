// Package secret keeps credentials out of logs: it remembers every secret value the process has
// seen and scrubs them from any text before it is written, as a second line of defence behind
// GitHub's ::add-mask:: (which only protects the hosted log, not files or other consumers).
//
// It works the way the runner's masker does, line by line, but wider: any run of RunLen or more
// characters of a secret, or of its base64 forms, is replaced wherever it appears in a line, so a
// secret split across lines (or around a %0A) leaves no recoverable piece; JSON \u escapes and
// URL %-escapes are decoded first, so an encoded echo is caught too.
package secret

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"sync"
)

// Placeholder replaces a secret in redacted text; it matches what GitHub shows for masked values
// so users see one convention.
const Placeholder = "***"

// minLen is the shortest value worth registering: masking tiny strings would shred ordinary
// log text (GitHub's own masker ignores very short values for the same reason).
const minLen = 8

// RunLen is the length of a piece of a secret that counts as recoverable: every run this long
// that appears in a secret is redacted. Shorter pieces carry too little to reassemble a token
// from and would match ordinary text.
const RunLen = 20

// Set is the registry of secrets one run has seen, shared by every writer it protects.
type Set struct {
	mu      sync.RWMutex
	secrets []string            // registered values, for Add's de-duplication
	exact   []string            // forms shorter than RunLen, replaced whole (longest first)
	grams   map[string]struct{} // every RunLen-long substring of every longer form
}

// Add registers v (and its JSON-escaped and base64 forms) so later output never contains a
// recoverable piece of it; short or empty values are ignored because redacting them would
// destroy unrelated text.
func (s *Set) Add(v string) {
	if len(v) < minLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.secrets {
		if have == v {
			return
		}
	}
	s.secrets = append(s.secrets, v)
	if s.grams == nil {
		s.grams = map[string]struct{}{}
	}
	for _, f := range forms(v) {
		if len(f) < RunLen {
			if len(f) >= minLen {
				s.addExact(f)
			}
			continue
		}
		for i := 0; i+RunLen <= len(f); i++ {
			s.grams[f[i:i+RunLen]] = struct{}{}
		}
	}
}

func (s *Set) addExact(f string) {
	for _, have := range s.exact {
		if have == f {
			return
		}
	}
	s.exact = append(s.exact, f)
	// Longest first, so a secret that contains another is replaced whole.
	for i := len(s.exact) - 1; i > 0 && len(s.exact[i]) > len(s.exact[i-1]); i-- {
		s.exact[i], s.exact[i-1] = s.exact[i-1], s.exact[i]
	}
}

// forms are the spellings of v that can reach a log: raw, JSON-escaped, and base64 (standard and
// URL alphabets) at each of the three byte alignments v can have inside a larger encoded blob,
// trimmed of the characters that depend on the neighbouring bytes.
func forms(v string) []string {
	out := []string{v}
	if j, err := json.Marshal(v); err == nil {
		if q := string(j[1 : len(j)-1]); q != v {
			out = append(out, q)
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for k := 0; k < 3; k++ {
			b := enc.EncodeToString(append(make([]byte, k), v...))
			b = strings.TrimRight(b, "=")
			if len(b) > 8 {
				out = append(out, b[4:len(b)-4])
			}
		}
	}
	return out
}

// Redact returns text with every recoverable piece of every registered secret replaced by
// Placeholder, line by line. Each line is also searched in its decoded views (JSON escapes, URL
// escapes, and both nested), and what a view reveals is redacted in the original text, so text
// around a secret is printed exactly as it was.
func (s *Set) Redact(text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.secrets) == 0 {
		return text
	}
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		body, eol := splitEOL(l)
		lines[i] = s.redactLine(body) + eol
	}
	return strings.Join(lines, "")
}

func splitEOL(l string) (body, eol string) {
	if b, ok := strings.CutSuffix(l, "\r\n"); ok {
		return b, "\r\n"
	}
	if b, ok := strings.CutSuffix(l, "\n"); ok {
		return b, "\n"
	}
	return l, ""
}

// view is a decoding of a line: text, and for each of its bytes the span of the line it came from.
type view struct {
	text string
	from [][2]int
}

func rawView(line string) view {
	v := view{text: line, from: make([][2]int, len(line))}
	for i := range line {
		v.from[i] = [2]int{i, i + 1}
	}
	return v
}

func (s *Set) redactLine(line string) string {
	if len(line) < minLen {
		return line
	}
	cover := make([]bool, len(line))
	raw := rawView(line)
	views := []view{raw}
	if strings.ContainsAny(line, `\%`) {
		j, u := decodeJSON(raw), decodeURL(raw)
		views = append(views, j, u, decodeURL(j), decodeJSON(u), decodeURL(u))
	}
	hit := false
	for _, v := range views {
		hit = s.mark(v, cover) || hit
	}
	if !hit {
		return line
	}
	var b strings.Builder
	for i := 0; i < len(line); {
		if !cover[i] {
			b.WriteByte(line[i])
			i++
			continue
		}
		for i < len(line) && cover[i] {
			i++
		}
		b.WriteString(Placeholder)
	}
	return b.String()
}

// mark sets cover for every line byte behind a run of v that is a registered gram or exact form.
func (s *Set) mark(v view, cover []bool) bool {
	hit := false
	span := func(a, b int) {
		hit = true
		for k := v.from[a][0]; k < v.from[b-1][1]; k++ {
			cover[k] = true
		}
	}
	for _, e := range s.exact {
		for off := 0; ; {
			i := strings.Index(v.text[off:], e)
			if i < 0 {
				break
			}
			span(off+i, off+i+len(e))
			off += i + len(e)
		}
	}
	for i := 0; i+RunLen <= len(v.text); i++ {
		if _, ok := s.grams[v.text[i:i+RunLen]]; ok {
			span(i, i+RunLen)
		}
	}
	return hit
}

// decodeJSON decodes JSON string escapes (\uXXXX, \/, \", \\, \n, …) wherever they appear.
func decodeJSON(in view) view {
	s := in.text
	out := view{from: make([][2]int, 0, len(s))}
	var b strings.Builder
	emit := func(str string, a, z int) {
		b.WriteString(str)
		for range len(str) {
			out.from = append(out.from, [2]int{in.from[a][0], in.from[z-1][1]})
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			if s[i+1] == 'u' && i+6 <= len(s) {
				if n, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
					emit(string(rune(n)), i, i+6)
					i += 5
					continue
				}
			}
			if d, ok := jsonEscapes[s[i+1]]; ok {
				emit(d, i, i+2)
				i++
				continue
			}
		}
		emit(s[i:i+1], i, i+1)
	}
	out.text = b.String()
	return out
}

var jsonEscapes = map[byte]string{'/': "/", '"': `"`, '\\': `\`, 'n': "\n", 'r': "\r", 't': "\t", 'b': "\b", 'f': "\f"}

// decodeURL decodes every valid %XX escape.
func decodeURL(in view) view {
	s := in.text
	out := view{from: make([][2]int, 0, len(s))}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				out.from = append(out.from, [2]int{in.from[i][0], in.from[i+2][1]})
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
		out.from = append(out.from, in.from[i])
	}
	out.text = b.String()
	return out
}

// Writer wraps w so that every Write is scrubbed of registered secrets, line by line. Callers
// write whole lines (fmt, go-githubactions), so a line is never split across two writes.
func (s *Set) Writer(w io.Writer) io.Writer {
	return &writer{set: s, w: w}
}

type writer struct {
	set *Set
	w   io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.set.Redact(string(p))); err != nil {
		return 0, err
	}
	// Report the caller's length: a shorter redacted write is not a short write.
	return len(p), nil
}

// Hash is the audit-log fingerprint of a token: base64(SHA-256(token)), the format of
// `hashed_token` in GitHub's audit log, so a token can be traced without revealing it.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.StdEncoding.EncodeToString(sum[:])
}
