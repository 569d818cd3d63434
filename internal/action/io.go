package action

import (
	"fmt"
	"strings"

	"github.com/octo-sts/action/internal/logsafe"
	"github.com/octo-sts/action/internal/sts"
)

// fileDelimiter is go-githubactions' fixed heredoc delimiter; a value containing it could forge
// extra outputs, so such values are refused.
const fileDelimiter = "_GitHubActionsFileCommandDelimeter_"

// inputEnv lists the environment names an input may arrive under: the runner keeps hyphens
// (INPUT_EXPORT-ENV), but `docker run -e` users and some wrappers use underscores.
func inputEnv(name string) []string {
	up := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
	if alt := strings.ReplaceAll(up, "-", "_"); alt != up {
		return []string{up, alt}
	}
	return []string{up}
}

// secretInputs are inputs that carry credentials: they are scrubbed from output the moment they
// are read and their values never appear in an error message, even when malformed.
var secretInputs = map[string]bool{"github-token": true}

// Input returns an input exactly as given, or an error when it is padded or spans lines: a
// trailing newline from a YAML block scalar or a stray space would otherwise be trimmed
// silently (go-githubactions' GetInput does) or sent to the server verbatim.
func (rt *Runtime) Input(name string) (string, error) {
	var v string
	for _, k := range inputEnv(name) {
		if v = rt.Getenv(k); v != "" {
			break
		}
	}
	if secretInputs[name] {
		// Scrub it from everything this process prints before anything can print it, padded or
		// multi-line forms included. No ::add-mask:: line: the runner already masks the
		// `${{ github.token }}` and secrets this input is fed from.
		for line := range strings.SplitSeq(v, "\n") {
			rt.secrets.Add(strings.TrimSpace(line))
		}
	}
	return checkInput(name, v)
}

func checkInput(name, v string) (string, error) {
	if strings.ContainsAny(v, "\r\n") {
		return "", fmt.Errorf("input %q spans several lines; give a single-line value (a YAML `|` block adds a trailing newline: use a plain scalar)", name)
	}
	if logsafe.IsCommandStart(v) {
		// Refused, not neutralised: the value is echoed on plain log lines (and sent to servers),
		// and a `##[stop-commands]` in it would switch off every later ::add-mask::. Not quoted.
		return "", fmt.Errorf("input %q contains \"::\" at its start or \"##[\", which the runner would execute as a workflow command when the value is printed; remove it (no scope, identity, domain or other input needs it)", name)
	}
	if strings.TrimSpace(v) != v {
		if secretInputs[name] {
			return "", fmt.Errorf("input %q has leading or trailing whitespace; remove it (the value is a credential, so it is not shown)", name)
		}
		return "", fmt.Errorf("input %q has leading or trailing whitespace (%q); remove it", name, v)
	}
	return v, nil
}

// InputList reads a list input, one item per line (a YAML `|` block), for inputs such as lint
// paths; surrounding whitespace on each line and blank lines are dropped because block scalars
// add them, and items are never split on anything else.
func (rt *Runtime) InputList(name string) []string {
	var v string
	for _, k := range inputEnv(name) {
		if v = rt.Getenv(k); v != "" {
			break
		}
	}
	var out []string
	for line := range strings.SplitSeq(v, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// BoolInput reads a true/false input with a default, rejecting anything else rather than
// guessing what "yes" or "1" meant.
func (rt *Runtime) BoolInput(name string, def bool) (bool, error) {
	v, err := rt.Input(name)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(v) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("input %q: %q is not true or false", name, v)
}

func checkFileValue(kind, name, value string) error {
	if strings.ContainsAny(value, "\r\n") || strings.Contains(value, fileDelimiter) {
		return fmt.Errorf("refusing to write %s %q: its value spans lines, which could inject further %ss", kind, name, kind)
	}
	if strings.ContainsAny(name, "\r\n=<") || name == "" {
		return fmt.Errorf("refusing to write %s with invalid name %q", kind, name)
	}
	return nil
}

// SetOutput writes a step output through GITHUB_OUTPUT. It errors (never panics, never writes)
// when GITHUB_OUTPUT is unset or the value could break the file format.
func (rt *Runtime) SetOutput(name, value string) error {
	if rt.Getenv("GITHUB_OUTPUT") == "" {
		return fmt.Errorf("GITHUB_OUTPUT is not set, so output %q cannot be written (outside GitHub Actions use `octo-sts exchange`)", name)
	}
	if err := checkFileValue("output", name, value); err != nil {
		return err
	}
	return catch(func() { rt.Action.SetOutput(name, value) })
}

func (rt *Runtime) setEnv(name, value string) error {
	if rt.Getenv("GITHUB_ENV") == "" {
		return fmt.Errorf("GITHUB_ENV is not set, so %s cannot be exported", name)
	}
	if err := checkFileValue("environment variable", name, value); err != nil {
		return err
	}
	return catch(func() { rt.Action.SetEnv(name, value) })
}

func (rt *Runtime) saveState(name, value string) error {
	if rt.Getenv("GITHUB_STATE") == "" {
		return fmt.Errorf("GITHUB_STATE is not set, so the post step cannot revoke the token")
	}
	if err := checkFileValue("state", name, value); err != nil {
		return err
	}
	return catch(func() { rt.Action.SaveState(name, value) })
}

// catch turns go-githubactions' panics on file errors into errors.
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	f()
	return nil
}

// Summary appends markdown to the step summary, scrubbed of secrets; without
// GITHUB_STEP_SUMMARY it does nothing (summaries are a nicety, never a failure).
func (rt *Runtime) Summary(markdown string) {
	if rt.Getenv("GITHUB_STEP_SUMMARY") == "" {
		return
	}
	md := rt.secrets.Redact(markdown)
	_ = catch(func() { rt.Action.AddStepSummary(md) })
}

// Untrusted prints text that came from outside (server messages, token claims, diagnosis
// output) inside a ::stop-commands:: block with an unguessable token, so a line like
// "::set-output …" or "::add-mask::" in it is shown, not executed.
func (rt *Runtime) Untrusted(lines ...string) {
	u := rt.untrustedLog("")
	for _, l := range lines {
		u.Println(l)
	}
	u.Close()
}

// mdEscape keeps untrusted text literal in the step summary (no HTML, links or table breaks).
func mdEscape(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
		"<", "&lt;", ">", "&gt;", "|", "\\|", "#", "\\#", "!", "\\!")
	return r.Replace(s)
}

// inputCollector reads inputs one after another and gathers every input error into errs, so a
// user with several malformed inputs is told about all of them at once.
func (rt *Runtime) inputCollector(errs *[]string) func(name string) string {
	return func(name string) string {
		v, err := rt.Input(name)
		if err != nil {
			*errs = append(*errs, err.Error())
		}
		return v
	}
}

// orgPolicyRepoError is the one wording of a bad org-policy-repo input, for every mode ("" if fine).
func orgPolicyRepoError(name string) string {
	if err := sts.ValidateOrgPolicyRepo(name); err != nil {
		return err.Error()
	}
	return ""
}
