// Package cli routes the octo-sts command line to its subcommands so main stays a one-liner and
// every command is testable in-process with fake streams and environment.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Exit codes shared by every subcommand, so scripts can tell findings from misuse from crashes.
const (
	ExitOK       = 0 // nothing to report
	ExitFindings = 1 // the command worked and found a problem (lint findings, denied token, failed exchange)
	ExitUsage    = 2 // bad flags or arguments
	ExitInternal = 3 // an unexpected failure of the tool itself
)

// Env is how commands read the environment, so tests never touch the real process environment.
type Env func(string) string

// IO bundles a command's streams and environment so every command has the same testable signature.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv Env
}

// command is one subcommand: its one-line summary for `octo-sts help` and its entry point.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, io IO) int
}

// commands is filled by each subcommand's file (register in init) so adding a command touches one file.
var commands = map[string]command{}

func register(name, summary string, run func(context.Context, []string, IO) int) {
	if _, dup := commands[name]; dup {
		panic("cli: duplicate command " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

// Run executes the command line args (args[0] is the program name) and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	io := IO{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}
	rest := args[1:]
	// Inside a container action the runner starts the image with the action's args; with no
	// args at all and GITHUB_ACTIONS=true we behave as the action too.
	if len(rest) == 0 {
		if getenv("GITHUB_ACTIONS") == "true" {
			if c, ok := commands["action"]; ok {
				return c.run(ctx, nil, io)
			}
		}
		usage(stderr)
		return ExitUsage
	}
	name := rest[0]
	switch name {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return ExitOK
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "octo-sts: unknown command %q\n\n", name)
		usage(stderr)
		return ExitUsage
	}
	return c.run(ctx, rest[1:], io)
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: octo-sts <command> [flags]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun 'octo-sts <command> -h' for the flags of a command.\n")
	io.WriteString(w, b.String())
}

// parseNoArgs parses flags for a command that takes no positional arguments. It returns the exit
// code to stop with (help is ExitOK, bad flags or stray arguments ExitUsage), or -1 to go on.
func parseNoArgs(fs *flag.FlagSet, args []string, stderr io.Writer, name, hint string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "octo-sts %s: unexpected arguments %q%s\n", name, fs.Args(), hint)
		return ExitUsage
	}
	return -1
}
