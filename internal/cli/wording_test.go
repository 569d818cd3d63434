package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wordingCases are mistakes both front ends accept input for: input name, bad value.
var wordingCases = []struct{ input, value string }{
	{"timeout", "60"}, {"timeout", "sixty"}, {"timeout", "0s"}, {"timeout", "1h"},
	{"scope", ""}, {"scope", "acme/app/x"}, {"scope", "-acme"},
	{"identity", ""}, {"identity", "ci.sts.yaml"}, {"identity", "../ci"}, {"identity", "a b"},
	{"domain", "https://octo-sts.dev"}, {"domain", "octo-sts.dev/x"}, {"domain", "octo-sts.dev:0"},
	{"audience", "a b"}, {"audience", "x|y"},
	{"org-policy-repo", "acme/.github"}, {"org-policy-repo", "my repo"},
}

// actionErrors runs the action with the inputs and returns the lines of its ::error annotation.
func actionErrors(t *testing.T, inputs map[string]string) []string {
	t.Helper()
	env := map[string]string{"GITHUB_ACTIONS": "true"}
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"octo-sts"}, strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	if code != ExitUsage {
		t.Errorf("action %v: exit %d, want %d", inputs, code, ExitUsage)
	}
	for line := range strings.SplitSeq(stdout.String(), "\n") {
		if !strings.HasPrefix(line, "::error ") {
			continue
		}
		_, msg, _ := strings.Cut(strings.TrimPrefix(line, "::error "), "::")
		msg = strings.NewReplacer("%0A", "\n", "%0D", "\r", "%25", "%").Replace(msg)
		return strings.Split(msg, "\n")
	}
	t.Fatalf("action %v: no ::error annotation:\n%s", inputs, stdout.String())
	return nil
}

// cliError runs the CLI and returns its one line of usage error without the command prefix.
func cliError(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), append([]string{"octo-sts"}, args...), strings.NewReader(""), &stdout, &stderr, func(k string) string { return env[k] })
	msg := strings.TrimSuffix(stderr.String(), "\n")
	if code != ExitUsage || strings.Contains(msg, "\n") {
		t.Errorf("%q: exit %d with %q, want exit %d and one line", args, code, msg, ExitUsage)
	}
	_, msg, _ = strings.Cut(msg, ": ")
	return msg
}

// TestSameMistakeSameWording ties the CLI's and the action's wording: for every input both
// accept, a bad value gets the same message in exchange, check and the action, but for the name
// of the field (--timeout vs input "timeout").
func TestSameMistakeSameWording(t *testing.T) {
	dir := t.TempDir()
	policy, claims := filepath.Join(dir, "ci.sts.yaml"), filepath.Join(dir, "claims.json")
	if err := os.WriteFile(policy, []byte("issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(claims, []byte(`{"iss":"https://token.actions.githubusercontent.com","sub":"repo:acme/app:ref:refs/heads/main","aud":"octo-sts.dev"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	checkAccepts := map[string]bool{"scope": true, "identity": true, "domain": true, "org-policy-repo": true}
	for _, c := range wordingCases {
		t.Run(c.input+"="+c.value, func(t *testing.T) {
			flags := map[string]string{"scope": "acme/app", "identity": "ci", c.input: c.value}
			var args []string
			for k, v := range flags {
				args = append(args, "--"+k+"="+v)
			}
			cli := cliError(t, map[string]string{"T": "x.y.z"}, append([]string{"exchange", "--token-env", "T"}, args...)...)
			if !strings.HasPrefix(cli, "--"+c.input) {
				t.Fatalf("exchange names %q, want --%s first: %s", cli, c.input, cli)
			}
			want := `input "` + c.input + `"` + strings.TrimPrefix(cli, "--"+c.input)
			inputs := map[string]string{"scope": "acme/app", "identity": "ci", c.input: c.value}
			if got := actionErrors(t, inputs); !containsLine(got, want) {
				t.Errorf("the action words it differently:\n cli:    %s\n want:   %s\n action: %q", cli, want, got)
			}
			if checkAccepts[c.input] && c.value != "" {
				if got := cliError(t, nil, "check", "--policy", policy, "--claims", claims, "--"+c.input+"="+c.value); got != cli {
					t.Errorf("check words it differently:\n exchange: %s\n check:    %s", cli, got)
				}
			}
		})
	}
	// --server is an input of check (and lint) and of the action.
	cli := cliError(t, nil, "check", "--policy", policy, "--claims", claims, "--server", "newest")
	want := `input "server"` + strings.TrimPrefix(cli, "--server")
	if got := actionErrors(t, map[string]string{"scope": "acme/app", "identity": "ci", "server": "newest"}); !containsLine(got, want) {
		t.Errorf("the action words --server differently:\n want:   %s\n action: %q", want, got)
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}
