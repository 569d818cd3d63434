package logsafe_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/logsafe"
	"github.com/octo-sts/action/internal/logsafe/runnertest"
)

// hostile are texts the runner executes when printed raw; each must be harmless after Line.
var hostile = []string{
	"::set-output name=x::y",
	"  \t::error::boom",
	"\u00a0\u3000::warning::wide spaces",
	"##[set-output name=findings;]0",
	"key ##[add-path]/tmp/evil in the middle",
	"###[debug]triple",
	"#\u00ad#[add-mask]soft hyphen",
	"\u200b::error::zero width",
	"\ufeff::error::bom",
	"#\u0301#[error]combining",
	"\u0301::error::leading mark",
	"ok\n::error::after newline",
	"ok\r::error::after carriage return",
	"ok\r\n##[error]crlf",
	"\x1f::error::unit separator",
	"\x00::error::nul",
	"::stop-commands::tok",
	"::ADD-MASK::case",
	"\U000e0001::error::tag char",
	"#\ufe0f#[error]variation selector",
	"#\u034f#[error]grapheme joiner",
}

func TestHostileRawIsExecuted(t *testing.T) {
	// The parser re-implementation must see each raw payload, or the next test proves nothing.
	for _, s := range hostile {
		if len(runnertest.Parse(s)) == 0 {
			t.Errorf("runnertest.Parse(%q) found no command; the runner would", s)
		}
		if !logsafe.IsCommandStart(s) {
			t.Errorf("IsCommandStart(%q) = false", s)
		}
	}
}

func TestLineNeutralises(t *testing.T) {
	for _, s := range hostile {
		out := logsafe.Line(s)
		if cmds := runnertest.Parse(out); len(cmds) > 0 {
			t.Errorf("Line(%q) = %q still parses as %+v", s, out, cmds)
		}
		if logsafe.IsCommandStart(out) {
			t.Errorf("IsCommandStart(Line(%q)) = true for %q", s, out)
		}
		if strings.ContainsAny(out, "\r\n") {
			t.Errorf("Line(%q) = %q keeps a line break", s, out)
		}
	}
}

func TestLineExact(t *testing.T) {
	for in, want := range map[string]string{
		"plain text: a:b ## [x]":    "plain text: a:b ## [x]",
		"::error::x":                "%3A:error::x",
		"  ::error::x":              "  %3A:error::x",
		"a ##[set-output name=x;]y": "a ##%5Bset-output name=x;]y",
		"two\nlines":                `two\nlines`,
		"soft#\u00ad#[":             `soft#\u00ad#[`,
		"é accents stay, café":      "é accents stay, café",
		"e\u0301 decomposed stays":  "e\u0301 decomposed stays",
		"bad \xff byte":             `bad \xff byte`,
		"tab\tstays":                "tab\tstays",
		"emoji \U0001F600 stays":    "emoji \U0001F600 stays",
		"tag \U000e0041":            `tag \U000e0041`,
	} {
		if got := logsafe.Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTextKeepsLines(t *testing.T) {
	got := logsafe.Text("first\n::error::second\r\nthird ##[x]\rfourth")
	want := "first\n%3A:error::second\r\nthird ##%5Bx]\\rfourth"
	if got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if cmds := runnertest.Parse(got); len(cmds) > 0 {
		t.Errorf("Text output parses as %+v", cmds)
	}
}

func TestJSONKeepsValue(t *testing.T) {
	for _, s := range hostile {
		raw, err := json.Marshal(map[string]string{"message": s, "##[k]": s})
		if err != nil {
			t.Fatal(err)
		}
		out := logsafe.JSON(raw)
		if cmds := runnertest.Parse(string(out)); len(cmds) > 0 {
			t.Errorf("JSON(%s) = %s still parses as %+v", raw, out, cmds)
		}
		var back, orig map[string]string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("JSON(%s) = %s is not JSON: %v", raw, out, err)
		}
		_ = json.Unmarshal(raw, &orig)
		if back["message"] != orig["message"] || back["##[k]"] != orig["##[k]"] {
			t.Errorf("JSON changed the value: %q -> %q", orig, back)
		}
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := logsafe.NewWriter(&b)
	for _, s := range hostile {
		// Byte-at-a-time writes: markers split across writes must still be caught.
		for i := 0; i < len(s); i++ {
			w.Write([]byte{s[i]})
		}
		w.Write([]byte("\n"))
	}
	w.Write([]byte("::error::unterminated"))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if cmds := runnertest.Parse(b.String()); len(cmds) > 0 {
		t.Errorf("Writer output parses as %+v\n%s", cmds, b.String())
	}
	if !strings.HasSuffix(b.String(), "%3A:error::unterminated") {
		t.Errorf("Flush did not emit the final partial line: %q", b.String())
	}
}

func TestWriterLongLine(t *testing.T) {
	// An over-long line is emitted in pieces; a marker straddling any cut must still be broken.
	for pad := 0; pad < 4; pad++ {
		var b bytes.Buffer
		w := logsafe.NewWriter(&b)
		s := strings.Repeat("a", 64<<10-pad) + "####[error]x" + strings.Repeat("é", 40<<10) + "#\u0301#[error]y"
		for len(s) > 0 {
			n := min(len(s), 4093)
			w.Write([]byte(s[:n]))
			s = s[n:]
		}
		w.Flush()
		if cmds := runnertest.Parse(b.String()); len(cmds) > 0 {
			t.Errorf("pad %d: long-line output parses as %d commands", pad, len(cmds))
		}
		if strings.Contains(b.String(), `\x`) {
			t.Errorf("pad %d: a cut split a UTF-8 sequence", pad)
		}
	}
}

func TestIsCommandStartBenign(t *testing.T) {
	for _, s := range []string{"", "acme/app", "repo:acme/app:ref:refs/heads/main", "a::b", "# comment", "#[x]", "https://example.com"} {
		if logsafe.IsCommandStart(s) {
			t.Errorf("IsCommandStart(%q) = true", s)
		}
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if cmds := runnertest.Parse(logsafe.Line(s)); len(cmds) > 0 {
			t.Fatalf("Line(%q) = %q parses as %+v", s, logsafe.Line(s), cmds)
		}
		if cmds := runnertest.Parse(logsafe.Text(s)); len(cmds) > 0 {
			t.Fatalf("Text(%q) = %q parses as %+v", s, logsafe.Text(s), cmds)
		}
		var b bytes.Buffer
		w := logsafe.NewWriter(&b)
		w.Write([]byte(s))
		w.Flush()
		if cmds := runnertest.Parse(b.String()); len(cmds) > 0 {
			t.Fatalf("Writer(%q) = %q parses as %+v", s, b.String(), cmds)
		}
		raw, _ := json.Marshal(s)
		out := logsafe.JSON(raw)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("JSON(%s) = %s: %v", raw, out, err)
		}
		var orig string
		_ = json.Unmarshal(raw, &orig)
		if back != orig {
			t.Fatalf("JSON changed %q to %q", orig, back)
		}
		if cmds := runnertest.Parse(string(out)); len(cmds) > 0 {
			t.Fatalf("JSON(%s) = %s parses as %+v", raw, out, cmds)
		}
	})
}
