package cli

import (
	"context"
	"flag"
	"fmt"
	"regexp"
	"strings"
)

const completionUsage = `usage: octo-sts completion bash|zsh|fish

Prints a completion script for commands and flags. Install it with, e.g.:
  bash: octo-sts completion bash > ~/.local/share/bash-completion/completions/octo-sts
  zsh:  octo-sts completion zsh > "${fpath[1]}/_octo-sts"
  fish: octo-sts completion fish > ~/.config/fish/completions/octo-sts.fish
`

var completionShells = []string{"bash", "zsh", "fish"}

// runCompletion is `octo-sts completion SHELL`.
func runCompletion(_ context.Context, args []string, sio IO) int {
	rest, err := parseFlags(sio, "completion", flagSet("completion", nil), args)
	if err == nil {
		switch {
		case len(rest) != 1:
			err = usagef("give one shell: bash, zsh or fish")
		case rest[0] != "bash" && rest[0] != "zsh" && rest[0] != "fish":
			err = usagef("unknown shell %q: want bash, zsh or fish%s", rest[0], didYouMean(rest[0], completionShells, ""))
		}
	}
	if err != nil {
		return failUsage(sio, "completion", err)
	}
	cmds := commandFlags()
	switch rest[0] {
	case "bash":
		fmt.Fprint(sio.Stdout, bashCompletion(cmds))
	case "zsh":
		fmt.Fprint(sio.Stdout, zshCompletion(cmds))
	default:
		fmt.Fprint(sio.Stdout, fishCompletion(cmds))
	}
	return ExitOK
}

// cmdFlags is one command and its flags.
type cmdFlags struct {
	name, summary string
	flags         []string
	values        []flagValues // flags whose placeholder names a fixed set of values (--format text|json)
}

// flagValues is a flag and the values it accepts.
type flagValues struct {
	flag   string
	values []string
}

// commandFlags reads every command's flags from the command list, the definitions its parser and
// help use, so completion offers exactly the flags each command takes.
func commandFlags() []cmdFlags {
	var out []cmdFlags
	for _, c := range commandList() {
		cf := cmdFlags{name: c.name, summary: c.summary}
		flagSet(c.name, c.flags).VisitAll(func(f *flag.Flag) {
			cf.flags = append(cf.flags, "--"+f.Name)
			if values := flagChoices(f); values != nil {
				cf.values = append(cf.values, flagValues{"--" + f.Name, values})
			}
		})
		cf.flags = append(cf.flags, "--help")
		out = append(out, cf)
	}
	return out
}

// choicesRE matches a placeholder that lists a flag's values, such as `text|json`.
var choicesRE = regexp.MustCompile(`^[a-z]+(?:\|[a-z]+)+$`)

// flagChoices returns the values a flag's backquoted placeholder lists, or nil for a free value.
func flagChoices(f *flag.Flag) []string {
	placeholder, _ := flag.UnquoteUsage(f)
	if !choicesRE.MatchString(placeholder) {
		return nil
	}
	return strings.Split(placeholder, "|")
}

func names(cmds []cmdFlags) string {
	var ns []string
	for _, c := range cmds {
		ns = append(ns, c.name)
	}
	return strings.Join(ns, " ")
}

func bashCompletion(cmds []cmdFlags) string {
	var b strings.Builder
	b.WriteString("# bash completion for octo-sts (octo-sts completion bash)\n_octo_sts() {\n")
	b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]} words\n")
	fmt.Fprintf(&b, "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n    COMPREPLY=($(compgen -W %q -- \"$cur\"))\n    return\n  fi\n", names(cmds)+" --help --version")
	b.WriteString("  case \"$cmd $prev\" in\n")
	for _, c := range cmds {
		for _, v := range c.values {
			fmt.Fprintf(&b, "    %q) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", c.name+" "+v.flag, strings.Join(v.values, " "))
		}
	}
	b.WriteString("  esac\n")
	b.WriteString("  case $cmd in\n")
	for _, c := range cmds {
		words := strings.Join(c.flags, " ")
		switch args := positionalWords(c.name, cmds); {
		case args != "":
			// help and completion take a word from a list, not a file.
			fmt.Fprintf(&b, "    %s) if [[ $cur == -* ]]; then words=%q; else words=%q; fi ;;\n", c.name, words, args)
		default:
			fmt.Fprintf(&b, "    %s) words=%q ;;\n", c.name, words)
		}
	}
	b.WriteString("    *) return ;;\n  esac\n")
	b.WriteString("  if [[ $cur == -* || $cmd == help || $cmd == completion ]]; then\n    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n  else\n    COMPREPLY=($(compgen -f -- \"$cur\"))\n  fi\n}\n")
	b.WriteString("complete -o filenames -F _octo_sts octo-sts\n")
	return b.String()
}

func zshCompletion(cmds []cmdFlags) string {
	var b strings.Builder
	b.WriteString("#compdef octo-sts\n# zsh completion for octo-sts (octo-sts completion zsh)\n_octo_sts() {\n  local -a commands\n  commands=(\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "    %s\n", zshQuote(c.name+":"+c.summary))
	}
	b.WriteString("  )\n  if (( CURRENT == 2 )); then\n    _describe command commands\n    return\n  fi\n")
	b.WriteString("  case \"${words[2]} ${words[CURRENT-1]}\" in\n")
	for _, c := range cmds {
		for _, v := range c.values {
			fmt.Fprintf(&b, "    %s) compadd -- %s; return ;;\n", zshQuote(c.name+" "+v.flag), strings.Join(v.values, " "))
		}
	}
	b.WriteString("  esac\n  case ${words[2]} in\n")
	for _, c := range cmds {
		other := "_files"
		if args := positionalWords(c.name, cmds); args != "" {
			other = "compadd -- " + args
		}
		fmt.Fprintf(&b, "    %s) if [[ $PREFIX == -* ]]; then compadd -- %s; else %s; fi ;;\n", c.name, strings.Join(c.flags, " "), other)
	}
	b.WriteString("  esac\n}\ncompdef _octo_sts octo-sts\n")
	return b.String()
}

func fishCompletion(cmds []cmdFlags) string {
	var b strings.Builder
	b.WriteString("# fish completion for octo-sts (octo-sts completion fish)\n")
	fmt.Fprintf(&b, "complete -c octo-sts -f -n __fish_use_subcommand -l version -d 'print the version'\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "complete -c octo-sts -f -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
		for _, f := range c.flags {
			fmt.Fprintf(&b, "complete -c octo-sts -n '__fish_seen_subcommand_from %s' -l %s%s\n", c.name, strings.TrimPrefix(f, "--"), fishValues(c.values, f))
		}
	}
	fmt.Fprintf(&b, "complete -c octo-sts -f -n '__fish_seen_subcommand_from help' -a %q\n", names(cmds))
	fmt.Fprintf(&b, "complete -c octo-sts -f -n '__fish_seen_subcommand_from completion' -a %q\n", strings.Join(completionShells, " "))
	return b.String()
}

// positionalWords is what help and completion take as their argument, "" for commands that take
// files (or nothing).
func positionalWords(name string, cmds []cmdFlags) string {
	switch name {
	case "help":
		return names(cmds)
	case "completion":
		return strings.Join(completionShells, " ")
	}
	return ""
}

// fishValues is the " -x -a 'a b'" that makes fish offer a flag's fixed values, "" for other flags.
func fishValues(values []flagValues, flag string) string {
	for _, v := range values {
		if v.flag == flag {
			return " -x -a " + fishQuote(strings.Join(v.values, " "))
		}
	}
	return ""
}

// zshQuote and fishQuote single-quote a word for the shell.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
func fishQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
