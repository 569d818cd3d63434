// Package cli routes the octo-sts command line to its subcommands so main stays a one-liner and
// every command is testable in-process with fake streams and environment.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes shared by every subcommand, so scripts can tell findings from misuse from crashes.
const (
	ExitOK       = 0 // nothing to report
	ExitFindings = 1 // the command worked and found a problem (lint findings, denied token, failed exchange)
	ExitUsage    = 2 // bad flags or arguments
	ExitInternal = 3 // an unexpected failure of the tool itself (or one it could not check from here)
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

// command is one subcommand: its name, its one-line summary for `octo-sts help`, its usage text
// (synopsis and description; the flags section is generated from its flags), its flags and its
// entry point.
type command struct {
	name    string
	summary string
	usage   string
	flags   func(*flag.FlagSet) // registers the flags run parses, so help and completion read the same; nil for none
	run     func(ctx context.Context, args []string, io IO) int
}

// commandList is every subcommand in help order. It is a function, not a variable, because the
// commands' run functions look their own entry up (for help) and Go forbids that init cycle; each
// call binds the flags to fresh values, which only completion and the tests read.
func commandList() []command {
	return []command{
		{"lint", "lint trust policies and the issuer allowlist", lintUsage, new(lintFlags).define, runLint},
		{"check", "explain whether a token's claims satisfy a trust policy, as the server would", checkUsage, new(checkFlags).define, runCheck},
		{"exchange", "exchange an OIDC token for a GitHub token (prints only the token)", exchangeUsage, new(exchangeFlags).define, runExchangeCmd},
		{"revoke", "revoke a GitHub installation token read from stdin", revokeUsage, new(revokeFlags).define, runRevokeCmd},
		{"init", "write a trust policy or the Renovate set-up into a repository", initUsage, new(initFlags).define, runInit},
		{"completion", "print a shell completion script (bash, zsh or fish)", completionUsage, nil, runCompletion},
		{"action", "run as the GitHub Action (main and post step; the container's command)", actionUsage, nil, runAction},
		{"version", "print the version of octo-sts", versionUsage, nil, runVersion},
		{"help", "show help for octo-sts or one command", helpUsage, nil, runHelp},
	}
}

// lookup returns the command called name.
func lookup(name string) (command, bool) {
	for _, c := range commandList() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// Run executes the command line args (args[0] is the program name) and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	sio := IO{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}
	rest := args[1:]
	// Inside a container action the runner starts the image with the action's args; with no
	// args at all and GITHUB_ACTIONS=true we behave as the action too.
	if len(rest) == 0 {
		if getenv("GITHUB_ACTIONS") == "true" {
			return runAction(ctx, nil, sio)
		}
		fmt.Fprint(stderr, topUsage())
		return ExitUsage
	}
	name := rest[0]
	switch name {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, topUsage())
		return ExitOK
	case "-version", "--version", "-V":
		return runVersion(ctx, rest[1:], sio)
	}
	c, ok := lookup(name)
	if !ok {
		if strings.HasPrefix(name, "-") {
			flagName, _, _ := strings.Cut(strings.TrimLeft(name, "-"), "=")
			fmt.Fprintf(stderr, "octo-sts: unknown flag --%s before the command%s\n", flagName,
				orHelp(didYouMean(flagName, []string{"help", "version"}, "--"), "; a command's flags go after it (octo-sts COMMAND --"+flagName+" …)"))
			return ExitUsage
		}
		fmt.Fprintf(stderr, "octo-sts: unknown command %q%s\n", name, orHelp(didYouMean(name, commandNames(), ""), "; 'octo-sts help' lists the commands"))
		return ExitUsage
	}
	return c.run(ctx, rest[1:], sio)
}

// commandNames lists the command names in help order.
func commandNames() []string {
	var names []string
	for _, c := range commandList() {
		names = append(names, c.name)
	}
	return names
}

// topUsage is `octo-sts help`.
func topUsage() string {
	var b strings.Builder
	b.WriteString("usage: octo-sts <command> [flags]\n\nOcto STS: short-lived GitHub tokens for workloads, and the linter for their trust policies.\n\ncommands:\n")
	for _, c := range commandList() {
		fmt.Fprintf(&b, "  %-11s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'octo-sts help <command>' (or 'octo-sts <command> --help') for its flags.\n" +
		"Exit codes: 0 ok, 1 findings or a refused token, 2 usage error, 3 internal failure (or, for\n" +
		"check --verify, nothing verifiable from here); check exits 4 when the policy itself is invalid.\n")
	return b.String()
}

const helpUsage = `usage: octo-sts help [COMMAND]

Prints the commands of octo-sts, or the help of one command (the same text as COMMAND --help).
`

// runHelp is `octo-sts help [COMMAND]`.
func runHelp(ctx context.Context, args []string, sio IO) int {
	switch {
	case len(args) == 0:
		fmt.Fprint(sio.Stdout, topUsage())
		return ExitOK
	case len(args) > 1:
		fmt.Fprintf(sio.Stderr, "octo-sts help: give one command, got %d arguments\n", len(args))
		return ExitUsage
	case args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		fmt.Fprint(sio.Stdout, helpUsage)
		return ExitOK
	case strings.HasPrefix(args[0], "-"):
		name, _, _ := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		fmt.Fprintf(sio.Stderr, "octo-sts help: unknown flag --%s; --help lists the flags\n", name)
		return ExitUsage
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(sio.Stderr, "octo-sts help: unknown command %q%s\n", args[0], orHelp(didYouMean(args[0], commandNames(), ""), "; 'octo-sts help' lists the commands"))
		return ExitUsage
	}
	return c.run(ctx, []string{"--help"}, sio)
}

// orHelp returns s, or fallback when s is empty.
func orHelp(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
