package lint

import (
	"bytes"
	"unicode/utf8"
)

// shortComments returns data for the position parse with the text of leading comment-only lines
// cut down to their "#": yaml.v3 scans comment text about twenty times slower than the policy
// around it (a 200-line licence header took it 290 µs against 22 µs for bare "#" lines), and lint
// never reads its comments (suppressions are read from the file itself). A "#" line is a comment
// exactly where the full line was, so every node, position and parse error stays the same, except
// inside a block or quoted scalar, where a "#" line is text: the cut stops at the first line that
// could open one, at the first line break only YAML sees (a lone CR, NEL, LS or PS) and at the
// first comment yaml.v3 would refuse to read. data
// itself comes back when there is nothing to cut.
func shortComments(data []byte) []byte {
	var out []byte
	for i := 0; i < len(data); {
		end := len(data)
		if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
			end = i + j
		}
		line := bytes.TrimSuffix(data[i:end], []byte("\r"))
		body := bytes.TrimLeft(line, " \t")
		comment := len(body) > 1 && body[0] == '#'
		if hiddenBreak(line) || (comment && !printable(body)) || !comment && mayOpenScalar(line) {
			if out == nil {
				return data
			}
			return append(out, data[i:]...)
		}
		if comment {
			if out == nil {
				out = append(make([]byte, 0, len(data)), data[:i]...)
			}
			out = append(out, line[:len(line)-len(body)+1]...)
			out = append(out, data[i+len(line):min(end+1, len(data))]...) // the CR and LF as written
		} else if out != nil {
			out = append(out, data[i:min(end+1, len(data))]...)
		}
		i = end + 1
	}
	if out == nil {
		return data
	}
	return out
}

// hiddenBreak reports whether a line holds a line break of YAML's other than LF: a CR before its
// end, NEL, LS or PS. The lines yaml.v3 sees would then differ from ours.
func hiddenBreak(line []byte) bool {
	return bytes.IndexByte(line, '\r') >= 0 || bytes.Contains(line, []byte("\xc2\x85")) ||
		bytes.Contains(line, []byte("\xe2\x80\xa8")) || bytes.Contains(line, []byte("\xe2\x80\xa9"))
}

// printable reports whether yaml.v3 reads every character of s without complaint (valid UTF-8,
// no control characters): then cutting it away changes no error.
func printable(s []byte) bool {
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		ok := r == '\t' || 0x20 <= r && r <= 0x7e || 0xa0 <= r && r <= 0xd7ff ||
			0xe000 <= r && r <= 0xfffd && r != 0xfeff || 0x10000 <= r && r <= 0x10ffff
		if !ok || r == utf8.RuneError && n == 1 {
			return false
		}
		s = s[n:]
	}
	return true
}

// mayOpenScalar reports whether a line could start a block scalar ("|" or ">" at the line's
// start or after a space, ":", "-" or "?") or a quoted one (any quote: telling an opening quote
// from one inside a plain scalar takes a YAML scanner). It may say yes for lines that do
// neither, never no for one that does.
func mayOpenScalar(line []byte) bool {
	for i, c := range line {
		switch c {
		case '"', '\'':
			return true
		case '|', '>':
			if i == 0 || bytes.IndexByte([]byte(" \t:-?"), line[i-1]) >= 0 {
				return true
			}
		}
	}
	return false
}
