package action

import (
	"bytes"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/logsafe/runnertest"
)

// TestUntrustedLogOpensOnlyForALine: with no line, neither the group nor the stop-commands block
// is printed (a clean lint run shows no empty "every finding" group); with lines, each is fenced
// and neutralised, and the only commands the runner executes are the group's.
func TestUntrustedLogOpensOnlyForALine(t *testing.T) {
	var out bytes.Buffer
	rt := newRuntime(Options{Stdout: &out, Getenv: func(string) string { return "" }})

	u := rt.untrustedLog("octo-sts lint: every finding")
	u.Close()
	rt.Untrusted()
	if out.Len() != 0 {
		t.Fatalf("nothing to print printed %q", out.String())
	}

	hostile := []string{"::add-mask::x", "::set-output name=a::b", "a ##[error] b", "::stop-commands::guess"}
	u = rt.untrustedLog("octo-sts lint: every finding")
	for _, l := range hostile {
		u.Println(l)
	}
	u.Close()
	u.Close() // a second Close prints nothing more
	got := out.String()
	if !strings.HasPrefix(got, "::group::octo-sts lint: every finding\n::stop-commands::") || !strings.HasSuffix(got, "::endgroup::\n") ||
		strings.Count(got, "::stop-commands::") != 1 {
		t.Fatalf("not one group around one stop-commands block:\n%s", got)
	}
	var names []string
	for _, c := range runnertest.Parse(got) {
		names = append(names, c.Name)
	}
	// The block's own start and end are commands too; nothing between them may be one.
	if len(names) != 4 || names[0] != "group" || names[1] != "stop-commands" || names[3] != "endgroup" {
		t.Fatalf("the runner would execute %v:\n%s", names, got)
	}
}
