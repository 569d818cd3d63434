// Package logsafe is the one neutraliser for text that reaches a plain log line: the GitHub
// runner parses every line a step prints for workflow commands (`::cmd::` at a line start and the
// legacy `##[cmd]` anywhere in a line), so policy text, server bodies and token claims printed
// verbatim could set outputs, add paths or stop the log. See docs/workflow-commands.md for the
// runner's parser this defends against.
package logsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The markers the runner looks for, and what they become in neutralised text. The replacements
// use the runner's own %-escape convention so a reader can still tell what was there.
const (
	v2Key        = "::"
	legacyPrefix = "##["
	v2Safe       = "%3A"
	legacySafe   = "##%5B"
	jsonLegacy   = `##\u005b`
)

// Line returns s made safe to print as (part of) one log line: line breaks and invisible
// characters become visible escapes (\n, \r, \u00ad, \xff), every `##[` becomes `##%5B`, and a
// `::` at the start (after whitespace) becomes `%3A:`. Text that needs none of this is returned
// unchanged.
func Line(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	escapeInvisible(&b, s)
	out := strings.ReplaceAll(b.String(), legacyPrefix, legacySafe)
	if rest := strings.TrimLeftFunc(out, IsRunnerSpace); strings.HasPrefix(rest, v2Key) {
		lead := len(out) - len(rest)
		out = out[:lead] + v2Safe + rest[1:]
	}
	return out
}

// Text neutralises multi-line text line by line, keeping its "\n" (and "\r\n") line breaks, for
// messages that are meant to span lines. A lone "\r" (which the runner also splits on) is escaped.
func Text(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		crlf := strings.HasSuffix(l, "\r")
		l = Line(strings.TrimSuffix(l, "\r"))
		if crlf {
			l += "\r"
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// JSON neutralises encoded JSON without changing what it decodes to: every `##[` (which can only
// occur inside a string) becomes `##\u005b`, and invisible characters become \u escapes. Lines of
// encoding/json output never start with `::`, so that form needs no change. Give it the output of
// an encoder; invalid UTF-8 is passed through as the encoder never produces it.
func JSON(b []byte) []byte {
	if clean(string(b)) {
		return b
	}
	var out strings.Builder
	out.Grow(len(b) + 16)
	prev := rune(0)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == '[' && i >= 2 && b[i-1] == '#' && b[i-2] == '#':
			out.WriteString(jsonLegacy[2:])
		case r != utf8.RuneError && r >= 0x20 && invisible(prev, r):
			writeJSONEscape(&out, r)
		default:
			out.Write(b[i : i+n])
		}
		prev = r
		i += n
	}
	return []byte(out.String())
}

// IsCommandStart reports whether s, printed on a log line, could start a workflow command: some
// line of it (split as the runner splits, on \n and \r) starts with `::` after whitespace, or
// contains `##[` anywhere, once the characters the runner's culture-aware matching ignores are
// dropped. It is deliberately broad (any command name counts, since `stop-commands` can register
// arbitrary ones), for refusing inputs that would be echoed.
func IsCommandStart(s string) bool {
	if !strings.Contains(s, ":") && !strings.Contains(s, "#") {
		return false
	}
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		f := Fold(l)
		if strings.HasPrefix(strings.TrimLeftFunc(f, IsRunnerSpace), v2Key) || strings.Contains(f, legacyPrefix) {
			return true
		}
	}
	return false
}

// Fold drops the characters the runner's matcher may skip: .NET's default string comparison is
// culture-sensitive (ICU on Linux), which ignores control, format and other default-ignorable
// characters and combining marks, so "#\u00ad#[" can match "##[".
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me,
			unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)) {
			return -1
		}
		return r
	}, s)
}

// IsRunnerSpace is .NET's char.IsWhiteSpace (which String.TrimStart uses) widened with the
// U+001C..U+001F separators some runtimes count, so trimming never keeps less than the runner does.
func IsRunnerSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp) || (r >= 0x1c && r <= 0x1f)
}

// clean is the fast path: plain printable ASCII with no marker needs no work.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return !strings.Contains(s, legacyPrefix) && !strings.HasPrefix(strings.TrimLeft(s, " \t"), v2Key)
}

// invisible reports whether r must be shown as an escape: controls, line and paragraph
// separators, format and default-ignorable characters (all skipped or split on by the runner),
// and a combining mark that does not follow a letter, digit or another mark (a mark after `#` or
// `:` is ignored by ICU matching and would hide a marker).
func invisible(prev, r rune) bool {
	switch {
	case r == '\t':
		return false
	case unicode.IsControl(r), unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Cs,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector):
		return true
	case unicode.In(r, unicode.Mn, unicode.Me):
		return !unicode.IsLetter(prev) && !unicode.IsDigit(prev) && !unicode.In(prev, unicode.Mn, unicode.Mc, unicode.Me)
	}
	return false
}

// escapeInvisible copies s to b with invisible characters and invalid bytes escaped.
func escapeInvisible(b *strings.Builder, s string) {
	prev := rune(0)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteString(`\x`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&0xf])
			r = 'f'
		case r == '\n':
			b.WriteString(`\n`)
			r = 'n'
		case r == '\r':
			b.WriteString(`\r`)
			r = 'r'
		case invisible(prev, r):
			writeCodePoint(b, r)
			r = '0'
		default:
			b.WriteString(s[i : i+n])
		}
		prev = r
		i += n
	}
}

const hex = "0123456789abcdef"

// writeCodePoint writes \uXXXX or \UXXXXXXXX, the Go-literal form readers know.
func writeCodePoint(b *strings.Builder, r rune) {
	if r <= 0xffff {
		b.WriteString(`\u`)
		writeHex(b, uint32(r), 4)
		return
	}
	b.WriteString(`\U`)
	writeHex(b, uint32(r), 8)
}

// writeJSONEscape writes r as JSON \u escapes (a surrogate pair above U+FFFF).
func writeJSONEscape(b *strings.Builder, r rune) {
	if r > 0xffff {
		r -= 0x10000
		b.WriteString(`\u`)
		writeHex(b, uint32(0xd800+(r>>10)), 4)
		r = 0xdc00 + (r & 0x3ff)
	}
	b.WriteString(`\u`)
	writeHex(b, uint32(r), 4)
}

func writeHex(b *strings.Builder, v uint32, digits int) {
	for i := digits - 1; i >= 0; i-- {
		b.WriteByte(hex[(v>>(4*uint(i)))&0xf])
	}
}
