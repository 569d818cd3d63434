package cli

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

func TestParseNoArgs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want int
		msg  string
	}{
		{nil, -1, ""},
		{[]string{"-h"}, ExitOK, ""},
		{[]string{"--bogus"}, ExitUsage, ""},
		{[]string{"stray"}, ExitUsage, `unexpected arguments ["stray"]; hint`},
	} {
		var stderr bytes.Buffer
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(&stderr)
		if got := parseNoArgs(fs, c.args, &stderr, "x", "; hint"); got != c.want {
			t.Errorf("%q: got %d, want %d", c.args, got, c.want)
		}
		if c.msg != "" && !strings.Contains(stderr.String(), c.msg) {
			t.Errorf("%q: stderr %q lacks %q", c.args, stderr.String(), c.msg)
		}
	}
}
