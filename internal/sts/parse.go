package sts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// maxMessage bounds how much server text reaches the log: a proxy's HTML error page is noise.
const maxMessage = 1024

// maxTokenLen bounds an accepted token; GitHub tokens are tens of bytes, so anything huge is a
// misbehaving server, not a credential.
const maxTokenLen = 4096

// ParseToken extracts `token` from a successful exchange body ({"token":"ghs_…",…}). Its errors
// never quote the body, because a malformed body may still contain a live token.
func ParseToken(body []byte) (string, error) {
	var v struct {
		Token *string `json:"token"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", errors.New("response body is not the expected JSON object with a \"token\" field")
	}
	if v.Token == nil {
		return "", errors.New("response JSON has no \"token\" field (is domain pointing at an Octo STS server?)")
	}
	if err := ValidateToken(*v.Token); err != nil {
		return "", fmt.Errorf("response %w", err)
	}
	return *v.Token, nil
}

// Token length bounds: the shortest GitHub token format is 40 characters and the stateless
// installation tokens (ghs_<app id>_<JWT>) are about 520, so 20..4096 admits every real token
// while refusing values that would make the runner mask ordinary words.
const (
	MinTokenLen = 20
	MaxTokenLen = maxTokenLen
)

// ValidateToken checks a GitHub token before it is masked or written anywhere: non-empty,
// MinTokenLen..MaxTokenLen characters, printable ASCII without spaces. A hostile STS could
// otherwise make the runner mask arbitrary text ("abc", zero-width or bidi characters) or break
// the file-command formats. The error never contains the token.
func ValidateToken(t string) error {
	switch {
	case t == "":
		return errors.New("\"token\" is empty")
	case len(t) < MinTokenLen:
		return fmt.Errorf("\"token\" is %d characters long; a GitHub token has at least %d", len(t), MinTokenLen)
	case len(t) > MaxTokenLen:
		return fmt.Errorf("\"token\" is longer than %d characters, implausible for a GitHub token", MaxTokenLen)
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return fmt.Errorf("\"token\" contains a character other than printable ASCII (at byte %d); GitHub tokens never do", i)
		}
	}
	return nil
}

// ParseErrorBody extracts the human-readable reason from an STS error body. Octo STS answers with
// the grpc-gateway envelope {"code":N,"message":"…","details":[]}; anything else (a proxy page,
// plain text) is reduced to a bounded single-line excerpt so the status still gets an explanation.
func ParseErrorBody(body []byte) (message string, code int) {
	raw, code := rawErrorText(body)
	return clean(raw), code
}

// rawErrorText is ParseErrorBody before clean() bounds and flattens the text, so a caller can
// scrub credentials from the decoded text before the length limit can cut one into a fragment.
func rawErrorText(body []byte) (message string, code int) {
	var v struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &v) == nil {
		msg := v.Message
		if msg == "" {
			msg = v.Error
		}
		return msg, v.Code
	}
	return string(trimmed), 0
}

// clean makes server text printable: valid UTF-8, no control characters except newlines
// collapsed to spaces, bounded length.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			// dropped: terminal escapes and line separators have no place in a log line
		default:
			b.WriteRune(r)
		}
		if b.Len() >= maxMessage {
			b.WriteString("…")
			break
		}
	}
	return strings.TrimSpace(b.String())
}

// ParseRetryAfter reads a Retry-After header (delta-seconds or an HTTP date relative to now).
// ok is false when the header is absent or unusable, so the caller falls back to its backoff.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 || n > 24*3600 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	if d > 24*time.Hour {
		return 0, false
	}
	return d, true
}
