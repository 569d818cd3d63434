package action

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/sethvargo/go-githubactions"

	"github.com/octo-sts/action/internal/logsafe"
)

// untrustedLog prints untrusted lines as they come (Untrusted's streaming form, for a lint run's
// findings): the first line opens the log group (when named) and a ::stop-commands:: block with
// an unguessable token, Close ends them. Nothing else may be printed in between: the runner
// would not execute a command until the block ends.
type untrustedLog struct {
	rt    *Runtime
	group string
	tok   string // set while the block is open
}

// untrustedLog starts a block under log group group ("" for none); nothing is printed yet.
func (rt *Runtime) untrustedLog(group string) *untrustedLog {
	return &untrustedLog{rt: rt, group: group}
}

// Println prints one line, neutralised as well as fenced: belt and braces against a runner that
// mis-parses the fence.
func (u *untrustedLog) Println(line string) {
	if u.tok == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		u.tok = hex.EncodeToString(b)
		if u.group != "" {
			u.rt.Action.Group(u.group)
		}
		u.rt.Action.IssueCommand(&githubactions.Command{Name: "stop-commands", Message: u.tok})
	}
	fmt.Fprintln(u.rt.Stdout, logsafe.Line(line))
}

// Close ends the block and the group, if a line opened them.
func (u *untrustedLog) Close() {
	if u.tok == "" {
		return
	}
	u.rt.Action.IssueCommand(&githubactions.Command{Name: u.tok})
	u.tok = ""
	if u.group != "" {
		u.rt.Action.EndGroup()
	}
}
