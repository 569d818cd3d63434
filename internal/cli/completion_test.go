package cli

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// completionScript runs `octo-sts completion SHELL`.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, stdout, stderr := runLine("completion", shell)
	if code != ExitOK || stderr != "" {
		t.Fatalf("completion %s: exit %d, %s", shell, code, stderr)
	}
	return stdout
}

// TestCompletionListsEveryFlag: each shell's script, generated from the command list, offers
// every command and each command's every flag and fixed flag value.
func TestCompletionListsEveryFlag(t *testing.T) {
	cmds := commandFlags(context.Background())
	for _, shell := range completionShells {
		script := completionScript(t, shell)
		for _, c := range cmds {
			if !strings.Contains(script, c.name) {
				t.Errorf("%s: command %s is missing", shell, c.name)
			}
			for _, f := range c.flags {
				word := f
				if shell == "fish" {
					word = "-l " + strings.TrimPrefix(f, "--")
				}
				if !strings.Contains(script, word) {
					t.Errorf("%s: %s %s is missing", shell, c.name, f)
				}
			}
			for _, v := range c.values {
				if !strings.Contains(script, strings.Join(v.values, " ")) {
					t.Errorf("%s: the values of %s %s are missing", shell, c.name, v.flag)
				}
			}
		}
	}
	if len(cmds[0].values) == 0 {
		t.Error("no fixed flag values found in lint's help (--format text|json|github|sarif)")
	}
}

// TestBashCompletion sources the bash script and completes, for every command, its name, each
// flag from a prefix, and each fixed-value flag's values.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	type probe struct {
		words []string // the command line, the last word being completed
		want  []string // what COMPREPLY must hold (all of it, for values)
		exact bool
	}
	var probes []probe
	for _, c := range commandFlags(context.Background()) {
		probes = append(probes, probe{words: []string{c.name[:2]}, want: []string{c.name}})
		for _, f := range c.flags {
			probes = append(probes, probe{words: []string{c.name, f[:len(f)-1]}, want: []string{f}})
		}
		for _, v := range c.values {
			probes = append(probes, probe{words: []string{c.name, v.flag, ""}, want: v.values, exact: true})
		}
	}
	var sh strings.Builder
	sh.WriteString(completionScript(t, "bash"))
	for i, p := range probes {
		words := append([]string{"octo-sts"}, p.words...)
		quoted := make([]string, len(words))
		for j, w := range words {
			quoted[j] = fmt.Sprintf("%q", w)
		}
		fmt.Fprintf(&sh, "COMP_WORDS=(%s); COMP_CWORD=%d; COMPREPLY=(); _octo_sts; echo \"%d:${COMPREPLY[*]}\"\n", strings.Join(quoted, " "), len(words)-1, i)
	}
	cmd := exec.Command(bash, "--norc", "--noprofile")
	cmd.Stdin = strings.NewReader(sh.String())
	cmd.Dir = t.TempDir()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("bash: %v\n%s", err, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(probes) {
		t.Fatalf("%d answers for %d probes:\n%s", len(lines), len(probes), out.String())
	}
	for i, p := range probes {
		_, reply, _ := strings.Cut(lines[i], ":")
		got := strings.Fields(reply)
		if p.exact && strings.Join(got, " ") != strings.Join(p.want, " ") {
			t.Errorf("octo-sts %s<TAB>: %q, want %q", strings.Join(p.words, " "), got, p.want)
		}
		for _, w := range p.want {
			if !strings.Contains(" "+reply+" ", " "+w+" ") {
				t.Errorf("octo-sts %s<TAB>: %q lacks %s", strings.Join(p.words, " "), got, w)
			}
		}
	}
	t.Logf("%d completions checked", len(probes))
}
