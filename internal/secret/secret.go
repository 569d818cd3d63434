// Package secret keeps credentials out of logs: it remembers every secret value the process has
// seen and scrubs them from any text before it is written, as a second line of defence behind
// GitHub's ::add-mask:: (which only protects the hosted log, not files or other consumers).
package secret

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"strings"
	"sync"
)

// Placeholder replaces a secret in redacted text; it matches what GitHub shows for masked values
// so users see one convention.
const Placeholder = "***"

// minLen is the shortest value worth registering: masking tiny strings would shred ordinary
// log text (GitHub's own masker ignores very short values for the same reason).
const minLen = 8

// Set is the registry of secrets one run has seen, shared by every writer it protects.
type Set struct {
	mu      sync.RWMutex
	secrets []string
}

// Add registers v so later output never contains it; short or empty values are ignored
// because redacting them would destroy unrelated text.
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
	// Longest first, so a secret that contains another is replaced whole.
	for i := len(s.secrets) - 1; i > 0 && len(s.secrets[i]) > len(s.secrets[i-1]); i-- {
		s.secrets[i], s.secrets[i-1] = s.secrets[i-1], s.secrets[i]
	}
}

// Redact returns text with every registered secret replaced by Placeholder.
func (s *Set) Redact(text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.secrets {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, Placeholder)
		}
	}
	return text
}

func (s *Set) redactBytes(p []byte) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.secrets {
		if bytes.Contains(p, []byte(v)) {
			p = bytes.ReplaceAll(p, []byte(v), []byte(Placeholder))
		}
	}
	return p
}

// Writer wraps w so that every Write is scrubbed of registered secrets. Callers write whole
// lines (fmt, go-githubactions), so a secret is never split across two writes in practice.
func (s *Set) Writer(w io.Writer) io.Writer {
	return &writer{set: s, w: w}
}

type writer struct {
	set *Set
	w   io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	if _, err := w.w.Write(w.set.redactBytes(p)); err != nil {
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
