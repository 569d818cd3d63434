package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/logsafe/runnertest"
)

// hostilePolicy quotes workflow commands in keys, values and comments: lint and check quote
// policy text back, and a `run: octo-sts lint` step's log is parsed by the runner.
const hostilePolicy = `issuer: https://token.actions.githubusercontent.com
subject: "repo:acme/app:ref:refs/heads/main\n::error::v2 in a value"
"##[set-output name=findings;]0": x
"::add-mask::key": y
claim_pattern:
  "##[add-path]/tmp/evil": ".*"
  "x\r::warning::cr": "(["
permissions:
  contents: read
  "##[debug]perm": write
`

// TestOutputCannotCommandTheRunner feeds lint (every plain format) and check output through a
// re-implementation of the runner's command parser and asserts nothing would execute.
func TestOutputCannotCommandTheRunner(t *testing.T) {
	dir := t.TempDir()
	cg := filepath.Join(dir, ".github", "chainguard")
	if err := os.MkdirAll(cg, 0o755); err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(cg, "##[set-output name=p;]x.sts.yaml")
	if err := os.WriteFile(policy, []byte(hostilePolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	claims := filepath.Join(dir, "claims.json")
	if err := os.WriteFile(claims, []byte(`{"iss":"https://token.actions.githubusercontent.com","sub":"::error::sub\n##[add-mask]x","aud":"octo-sts.dev","##[debug]k":"::warning::v"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "sarif"} {
		r := runLintIn(t, dir, nil, "--format", format)
		if r.code != ExitFindings {
			t.Errorf("lint --format %s: exit %d, want findings\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		assertNoCommands(t, "lint --format "+format, r.stdout+r.stderr)
		if !strings.Contains(r.stdout+r.stderr, "##%5B") && !strings.Contains(r.stdout+r.stderr, `##\u005b`) {
			t.Errorf("lint --format %s: the hostile key is not quoted back, so this test proves nothing:\n%s", format, r.stdout)
		}
	}
	assertNoCommands(t, "lint missing path", runLintIn(t, dir, nil, "::error::missing").stderr)
	for _, format := range []string{"text", "json"} {
		code, stdout, stderr := run(t, "", nil, "check", "--policy", policy, "--claims", claims, "--scope", "acme/app", "--format", format)
		if code == ExitInternal || stdout == "" {
			t.Errorf("check --format %s: exit %d\n%s%s", format, code, stdout, stderr)
		}
		assertNoCommands(t, "check --format "+format, stdout+stderr)
	}
	fixed := filepath.Join(dir, "ok.sts.yaml")
	os.WriteFile(fixed, []byte("issuer: https://token.actions.githubusercontent.com\nsubject: \"::error::x\"\npermissions: {contents: read}\n"), 0o644)
	_, stdout, stderr := run(t, "", nil, "check", "--policy", fixed, "--claims", claims, "--scope", "acme/app", "--identity", "ok")
	assertNoCommands(t, "check text", stdout+stderr)
}

func assertNoCommands(t *testing.T, what, out string) {
	t.Helper()
	if cmds := runnertest.Parse(out); len(cmds) > 0 {
		t.Errorf("%s: the runner would execute %d commands, first %+v\n%s", what, len(cmds), cmds[0], out)
	}
}
