package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
)

func TestSummaryCellEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":               `a\|b`,
		"<script>&":         "&lt;script&gt;&amp;",
		"`code`":            "&#96;code&#96;",
		"one\ntwo\r\nthree": "one<br>two<br>three",
		`token\.actions`:    `token\\.actions`,
		"*a* _b_ [c] ~d~":   `\*a\* \_b\_ \[c\] \~d\~`,
		"plain: ok, 100%":   "plain: ok, 100%",
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
	// A hostile message cannot break out of its table row or inject HTML.
	s := Summary([]lint.Finding{{File: "x</code><img src=x>", Line: 1, Column: 1, Rule: "r", Severity: lint.SevError,
		Message: "x |\n| 9 | fake | row |\n</details><script>"}}, Options{Files: 1})
	if strings.Contains(s, "<script>") || strings.Contains(s, "<img") || strings.Contains(s, "\n| 9 |") {
		t.Errorf("unescaped content in summary:\n%s", s)
	}
	s2 := Summary([]lint.Finding{{File: "a\n\n![x](https://evil.example/x.png)", Line: 1, Column: 1, Rule: "r", Severity: lint.SevError, Message: "m"}}, Options{Files: 1})
	if strings.Contains(s2, "\n\n![x]") {
		t.Errorf("a file name with blank lines broke out of the HTML block:\n%s", s2)
	}
	if n := strings.Count(s, "</details>"); n != 1 {
		t.Errorf("%d </details>, want 1", n)
	}
}

var rowRE = regexp.MustCompile(`(?m)^\| \d+ \| `)

func TestSummaryTruncatesUnderLimit(t *testing.T) {
	var fs []lint.Finding
	for i := range 5000 {
		fs = append(fs, lint.Finding{File: fmt.Sprintf(".github/chainguard/f%02d.sts.yaml", i%40), Line: i + 1, Column: 1,
			Rule: "unknown-key", Severity: lint.SevError, Message: strings.Repeat("long message ", 20)})
	}
	for _, limit := range []int{3000, 64 << 10, 0} {
		s := Summary(fs, Options{Files: 40, SummaryLimit: limit})
		max := limit
		if max == 0 {
			max = SummaryLimit
		}
		if len(s) > max {
			t.Errorf("limit %d: summary is %d bytes", limit, len(s))
		}
		if strings.Count(s, "<details") != strings.Count(s, "</details>") {
			t.Errorf("limit %d: unbalanced <details>", limit)
		}
		rows := len(rowRE.FindAllString(s, -1))
		m := regexp.MustCompile(`\*\*Truncated:\*\* (\d+) more findings? not shown`).FindStringSubmatch(s)
		if limit == 0 {
			// 5000 rows of ~300 bytes exceed the default 1 MiB budget too.
			if len(s) < SummaryLimit-4096 {
				t.Errorf("default limit: only %d bytes used before truncating", len(s))
			}
		}
		if m == nil {
			t.Fatalf("limit %d: no truncation note", limit)
		}
		if n, _ := strconv.Atoi(m[1]); n+rows != len(fs) {
			t.Errorf("limit %d: %d shown + %d noted != %d findings", limit, rows, n, len(fs))
		}
	}
	// What fits is never truncated.
	if s := Summary(fs[:1000], Options{}); strings.Contains(s, "**Truncated:**") || len(rowRE.FindAllString(s, -1)) != 1000 {
		t.Error("1000 findings were truncated under the default limit")
	}
}
