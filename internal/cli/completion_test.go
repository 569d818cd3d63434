package cli

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	cmds := commandFlags()
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
		t.Error("no fixed flag values found in lint's flags (--format text|json|github|sarif)")
	}
}

// TestFlagChoices: a placeholder such as `text|json` lists a flag's values for completion; a
// free value's placeholder (`JWT`, `FILE.json`, `host[:port]`) lists none.
func TestFlagChoices(t *testing.T) {
	want := map[string]string{
		"lint --kind": "auto repo org issuers", "lint --format": "text json github sarif", "lint --fail-on": "error warning notice never",
		"lint --color": "auto always never", "lint --server": "legacy current all", "check --format": "text json", "check --server": "legacy current all",
	}
	got := map[string]string{}
	for _, c := range commandFlags() {
		for _, v := range c.values {
			got[c.name+" "+v.flag] = strings.Join(v.values, " ")
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("flag values %q, want %q", got, want)
	}
}

// TestBashCompletion sources the bash script and completes, for every command, its name, each
// flag from a prefix, and each fixed-value flag's values.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	probes := completionProbes()
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
		p.check(t, strings.Fields(reply))
	}
	t.Logf("%d completions checked", len(probes))
}

// probe is one completion request: the command line after octo-sts, the last word being the
// one completed, and what the shell must offer (exactly that, for a flag's values).
type probe struct {
	words []string
	want  []string
	exact bool
}

// completionProbes are, for every command, its name from a prefix, each flag from a prefix and
// each fixed-value flag's values.
func completionProbes() []probe {
	var probes []probe
	for _, c := range commandFlags() {
		probes = append(probes, probe{words: []string{c.name[:2]}, want: []string{c.name}})
		for _, f := range c.flags {
			probes = append(probes, probe{words: []string{c.name, f[:len(f)-1]}, want: []string{f}})
		}
		for _, v := range c.values {
			probes = append(probes, probe{words: []string{c.name, v.flag, ""}, want: v.values, exact: true})
		}
	}
	return probes
}

func (p probe) check(t *testing.T, got []string) {
	t.Helper()
	sorted := func(s []string) string { c := slices.Clone(s); slices.Sort(c); return strings.Join(c, " ") }
	if p.exact && sorted(got) != sorted(p.want) {
		t.Errorf("octo-sts %s<TAB>: %q, want %q", strings.Join(p.words, " "), got, p.want)
	}
	for _, w := range p.want {
		if !slices.Contains(got, w) {
			t.Errorf("octo-sts %s<TAB>: %q lacks %s", strings.Join(p.words, " "), got, w)
		}
	}
}

// TestFishCompletion runs every probe through fish's own completer (complete -C).
func TestFishCompletion(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish is not installed (apt-get install fish)")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "octo-sts.fish")
	if err := os.WriteFile(script, []byte(completionScript(t, "fish")), 0o644); err != nil {
		t.Fatal(err)
	}
	probes := completionProbes()
	var sh strings.Builder
	fmt.Fprintf(&sh, "source %s\n", fishQuote(script))
	for i, p := range probes {
		fmt.Fprintf(&sh, "echo '%d:'(complete -C %s | string split -f1 \\t | string join ' ')\n", i, fishQuote("octo-sts "+strings.Join(p.words, " ")))
	}
	cmd := exec.Command(fish, "--no-config", "-c", sh.String())
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_DATA_HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("fish: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(probes) {
		t.Fatalf("%d answers for %d probes:\n%s", len(lines), len(probes), out)
	}
	for i, p := range probes {
		_, reply, _ := strings.Cut(lines[i], ":")
		p.check(t, strings.Fields(reply))
	}
}

// TestZshCompletionParses: zsh accepts the script (its completion system needs a terminal to
// drive, so the words themselves are checked by TestCompletionListsEveryFlag).
func TestZshCompletionParses(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("zsh is not installed (apt-get install zsh)")
	}
	cmd := exec.Command(zsh, "-n", "-f")
	cmd.Stdin = strings.NewReader(completionScript(t, "zsh"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v\n%s", err, out)
	}
}
