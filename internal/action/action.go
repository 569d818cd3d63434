// Package action is the GitHub Actions face of octo-sts: it tells the main step from the post
// step, reads and validates inputs, dispatches to a mode (exchange by default, lint and others
// plug in with RegisterMode), and writes outputs, state and the step summary without ever letting
// a credential reach a log or file it does not belong in.
package action

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"

	"github.com/octo-sts/action/internal/logsafe"
	"github.com/octo-sts/action/internal/secret"
	"github.com/octo-sts/action/internal/sts"
)

// Exit codes, matching the CLI's so scripts and the runner see the same meanings.
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitInternal = 3
)

// statePhase is saved first thing in the main step; the post step (same image, same args) sees
// it as STATE_phase, checked together with a nonce and marker file (phase.go). Keying on the
// token instead would make a main step that failed early look like "main" again in post.
const statePhase = "phase"

// Options is what Run needs from the process, injectable so the whole action runs in tests.
type Options struct {
	Stdout     io.Writer
	Stderr     io.Writer
	Getenv     func(string) string
	HTTPClient *http.Client // default: sts.NewHTTPClient (proxy and SSL_CERT_FILE aware)
	Clock      sts.Clock    // default: real time
	Backoff    sts.Backoff
}

// ModeFunc implements one value of the `mode` input and returns the process exit code.
type ModeFunc func(ctx context.Context, rt *Runtime) int

var (
	modesMu sync.RWMutex
	modes   = map[string]ModeFunc{}
)

// RegisterMode plugs a mode (e.g. "lint") into the action from its own file's init, so new modes
// never edit the dispatcher.
func RegisterMode(name string, fn ModeFunc) {
	modesMu.Lock()
	defer modesMu.Unlock()
	if _, dup := modes[name]; dup {
		panic("action: duplicate mode " + name)
	}
	modes[name] = fn
}

func modeNames() []string {
	modesMu.RLock()
	defer modesMu.RUnlock()
	names := make([]string, 0, len(modes))
	for n := range modes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Runtime is what a mode gets: workflow commands and outputs that are already secret-safe, and
// raw input access that rejects padded or multi-line values.
type Runtime struct {
	// Action issues workflow commands; everything it prints is scrubbed of registered secrets.
	Action *githubactions.Action
	// Stdout is the (scrubbed) log stream for plain lines.
	Stdout     io.Writer
	Getenv     func(string) string
	HTTPClient *http.Client
	// Workspace is GITHUB_WORKSPACE (/github/workspace in a container action).
	Workspace string

	raw     *githubactions.Action // unscrubbed writer, used only for ::add-mask::
	secrets *secret.Set
	opts    Options
}

func newRuntime(o Options) *Runtime {
	set := &secret.Set{}
	out := set.Writer(o.Stdout)
	rt := &Runtime{
		Action:     githubactions.New(githubactions.WithWriter(out), githubactions.WithGetenv(o.Getenv), githubactions.WithHTTPClient(o.HTTPClient)),
		Stdout:     out,
		Getenv:     o.Getenv,
		HTTPClient: o.HTTPClient,
		Workspace:  o.Getenv("GITHUB_WORKSPACE"),
		raw:        githubactions.New(githubactions.WithWriter(o.Stdout), githubactions.WithGetenv(o.Getenv)),
		secrets:    set,
		opts:       o,
	}
	return rt
}

// Mask registers a secret with the runner (::add-mask::) and with the local scrubber. Call it
// the moment a secret is known, before anything else is printed.
func (rt *Runtime) Mask(v string) {
	if v == "" {
		return
	}
	rt.raw.AddMask(v)
	rt.secrets.Add(v)
}

// Run executes the action (main or post step) and returns the exit code.
func Run(ctx context.Context, o Options) (code int) {
	if o.HTTPClient == nil {
		o.HTTPClient = sts.NewHTTPClient()
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	ph, phaseErr := detectPhase(o.Getenv)
	post := ph == phasePost
	if post {
		// The post step must revoke and exit 0 even if its log is gone: go-githubactions panics
		// on a failed write, which would skip the revocation.
		o.Stdout = lenientWriter{o.Stdout}
	}
	rt := newRuntime(o)
	defer func() {
		if r := recover(); r != nil {
			code = exitInternal
			if post {
				code = exitOK
			}
			defer func() { _ = recover() }() // reporting the crash is itself a write that can fail
			msg := rt.secrets.Redact(fmt.Sprint(r))
			if post {
				rt.Action.Warningf("octo-sts post step crashed (the job is not failed): %s", msg)
				return
			}
			rt.Action.WithFieldsMap(map[string]string{"title": "octo-sts: internal error"}).Errorf("%s", msg)
		}
	}()
	if phaseErr != nil {
		return rt.Fail("octo-sts: main or post step?", phaseErr.Error(), exitUsage)
	}
	if post {
		return runPost(ctx, rt)
	}
	// Mark the phase before anything can fail, so the post step always knows it is the post step.
	if o.Getenv("GITHUB_STATE") != "" {
		if err := rt.markMain(); err != nil {
			rt.Action.Warningf("the post step will not run as such: %v", err)
		}
	}
	mode, err := rt.Input("mode")
	if err != nil {
		return rt.Fail("octo-sts: invalid input", err.Error(), exitUsage)
	}
	if mode == "" {
		mode = "exchange"
	}
	modesMu.RLock()
	fn, ok := modes[mode]
	modesMu.RUnlock()
	if !ok {
		return rt.Fail("octo-sts: invalid input", fmt.Sprintf("input %q: unknown mode %q; use one of %s", "mode", mode, strings.Join(modeNames(), ", ")), exitUsage)
	}
	return fn(ctx, rt)
}

// summaryLines is a failure message for the step summary: one line as a paragraph, several (one
// per bad input) as a list, since markdown would run consecutive lines into one sentence.
func summaryLines(message string) string {
	lines := strings.Split(strings.TrimRight(message, "\n"), "\n")
	if len(lines) == 1 {
		return mdEscape(lines[0])
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("- " + mdEscape(l) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// lenientWriter drops write errors, for the post step, whose log lines are a courtesy and must
// never stop it from revoking the token.
type lenientWriter struct{ w io.Writer }

func (l lenientWriter) Write(p []byte) (int, error) {
	_, _ = l.w.Write(p)
	return len(p), nil
}

// Fail emits the step's single ::error annotation and returns code, so every failure path ends
// the same way: one titled annotation, details in the log above it.
func (rt *Runtime) Fail(title, message string, code int) int {
	return rt.FailWithDetail(title, message, message, "", code)
}

// FailWithDetail is Fail whose step summary is a page: the ❌ headline first, then summaryMessage
// (the message without log-only pointers such as "printed above"), then detail (markdown, e.g.
// the diagnosis) under it.
func (rt *Runtime) FailWithDetail(title, message, summaryMessage, detail string, code int) int {
	message = logsafe.Text(message) // server text reaches it: never a command, whatever the runner parses
	rt.Action.WithFieldsMap(map[string]string{"title": title}).Errorf("%s", message)
	md := fmt.Sprintf("### ❌ %s\n\n%s\n", mdEscape(title), summaryLines(summaryMessage))
	if detail != "" {
		md += "\n" + detail
	}
	rt.Summary(md)
	return code
}
