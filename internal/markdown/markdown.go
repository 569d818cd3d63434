// Package markdown holds the one code-span writer for step summaries, so every summary (lint,
// check, the action's diagnosis) shows untrusted values literally and the same way.
package markdown

import "strings"

// Code wraps s in a code span safe inside a GFM table cell: the fence is longer than any backtick
// run in s, a space pads a value that starts or ends with a backtick or with spaces at both ends
// (GFM strips one from each side), pipes are escaped (GFM splits cells before it parses spans) and
// line breaks become spaces. An empty value shows as a code span of "" so the reader sees it.
func Code(s string) string {
	if s == "" {
		return "`\"\"`"
	}
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", `\|`).Replace(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}
