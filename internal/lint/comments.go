package lint

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// shortComments returns data for the position parse with the text of leading comment-only lines
// cut down to their "#": yaml.v3 scans comment text about 13 times slower than bare "#" lines (a
// 200-line licence header took it 287 µs against 22 µs), and lint never reads its comments
// (suppressions are read from the file itself). A "#" line is a comment exactly where the full
// line was, so every node, position and parse error stays the same, except inside a block or
// quoted scalar, where a "#" line is text: the cut stops at the first line that could open one,
// at the first line break only YAML sees (a lone CR, NEL, LS or PS) and at the first comment
// yaml.v3 would refuse to read. data itself comes back when there is nothing to cut.
func shortComments(data []byte) []byte { return cutComments(data, minCut) }

// cutComments is shortComments for any threshold: it cuts nothing unless at least least bytes go.
func cutComments(data []byte, least int) []byte {
	if len(data) < least {
		return data // too short to hold that much comment text: most policies, unscanned
	}
	cuts := commentCuts(data, least)
	if len(cuts) == 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	last := 0
	for _, c := range cuts {
		out = append(out, data[last:c[0]]...)
		last = c[1]
	}
	return append(out, data[last:]...)
}

// minCut is the least comment text worth a copy of the file: a one-line comment costs the parser
// less than copying the policy under it.
const minCut = 512

// commentCuts lists the [start, end) byte ranges of comment text (after each "#") to drop, or
// none when they add up to less than least.
func commentCuts(data []byte, least int) [][2]int {
	var cuts [][2]int
	total := 0
	for i := 0; i < len(data); {
		end := len(data)
		if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
			end = i + j
		}
		line := bytes.TrimSuffix(data[i:end], []byte("\r"))
		body := bytes.TrimLeft(line, " \t")
		comment := len(body) > 1 && body[0] == '#'
		if hiddenBreak(line) || (comment && !printable(body)) || !comment && mayOpenScalar(line) {
			break
		}
		if comment {
			start := i + len(line) - len(body) + 1
			cuts = append(cuts, [2]int{start, i + len(line)})
			total += len(body) - 1
		}
		i = end + 1
	}
	if total < least {
		return nil
	}
	return cuts
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
			if i == 0 || strings.IndexByte(" \t:-?", line[i-1]) >= 0 {
				return true
			}
		}
	}
	return false
}
