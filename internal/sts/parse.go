package sts

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
	t := *v.Token
	switch {
	case t == "":
		return "", errors.New("response JSON has an empty \"token\"")
	case len(t) > maxTokenLen:
		return "", errors.New("response \"token\" is implausibly long")
	}
	for _, r := range t {
		if r <= ' ' || r == 0x7f || r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", errors.New("response \"token\" contains whitespace or control characters")
		}
	}
	return t, nil
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
