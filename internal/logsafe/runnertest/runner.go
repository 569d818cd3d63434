// Package runnertest re-implements the GitHub runner's workflow-command parser (actions/runner
// src/Runner.Common/ActionCommand.cs TryParseV2 and TryParse, driven by
// src/Runner.Worker/ActionCommandManager.cs and Handlers/OutputManager.cs, commit 258d6c8), so
// tests can feed real command output through it and assert that nothing would execute.
//
// It is deliberately more eager than the runner: every command name counts as registered (the
// runner's `stop-commands` can register any token), and characters that .NET's culture-aware
// matching may ignore are dropped before matching (see logsafe.Fold).
package runnertest

import (
	"strings"

	"github.com/octo-sts/action/internal/logsafe"
)

// Command is one workflow command the runner would have executed.
type Command struct {
	Form       string // "v2" (::name::) or "legacy" (##[name])
	Name       string
	Properties map[string]string
	Data       string
	Line       string // the output line it came from
}

// Lines splits output the way .NET's StreamReader.ReadLine does: on "\r\n", "\r" and "\n".
func Lines(output string) []string {
	output = strings.ReplaceAll(output, "\r\n", "\n")
	output = strings.ReplaceAll(output, "\r", "\n")
	lines := strings.Split(output, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// Parse returns every command the runner would find in output, one line at a time, v2 first as
// the runner tries it.
func Parse(output string) []Command {
	var cmds []Command
	for _, line := range Lines(output) {
		if c, ok := ParseLine(line); ok {
			cmds = append(cmds, c)
		}
	}
	return cmds
}

// ParseLine parses one output line as OutputManager.OnDataReceived would.
func ParseLine(line string) (Command, bool) {
	f := logsafe.Fold(line)
	if !strings.Contains(f, "##[") && !strings.Contains(f, "::") {
		return Command{}, false
	}
	if c, ok := parseV2(f); ok {
		c.Line = line
		return c, true
	}
	if c, ok := parseLegacy(f); ok {
		c.Line = line
		return c, true
	}
	return Command{}, false
}

// parseV2 mirrors TryParseV2: after TrimStart the message starts with "::", a second "::" ends
// the command info, the name runs to the first space and properties are comma-separated k=v.
func parseV2(msg string) (Command, bool) {
	msg = strings.TrimLeftFunc(msg, logsafe.IsRunnerSpace)
	if !strings.HasPrefix(msg, "::") {
		return Command{}, false
	}
	end := strings.Index(msg[2:], "::")
	if end < 0 {
		return Command{}, false
	}
	info := msg[2 : 2+end]
	name, props, _ := strings.Cut(info, " ")
	c := Command{Form: "v2", Name: name, Properties: map[string]string{}, Data: msg[2+end+2:]}
	for _, p := range strings.Split(strings.TrimSpace(props), ",") {
		if k, v, ok := strings.Cut(p, "="); ok && k != "" && v != "" {
			c.Properties[k] = v
		}
	}
	return c, true
}

// parseLegacy mirrors TryParse: "##[" anywhere, the first "]" after it ends the command info,
// the name runs to the first space and properties are semicolon-separated k=v.
func parseLegacy(msg string) (Command, bool) {
	i := strings.Index(msg, "##[")
	if i < 0 {
		return Command{}, false
	}
	rb := strings.IndexByte(msg[i:], ']')
	if rb < 0 {
		return Command{}, false
	}
	info := msg[i+3 : i+rb]
	name, props, _ := strings.Cut(info, " ")
	c := Command{Form: "legacy", Name: name, Properties: map[string]string{}, Data: msg[i+rb+1:]}
	for _, p := range strings.Split(props, ";") {
		if k, v, ok := strings.Cut(p, "="); ok && k != "" && v != "" {
			c.Properties[k] = v
		}
	}
	return c, true
}
