package shipping

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/secret"
	"github.com/octo-sts/action/internal/sts/ststest"
)

// v1Usages are the official octo-sts/action's documented uses: only scope, identity and
// domain, for a repository and for an organization scope.
var v1Usages = []struct {
	name, scope string
}{
	{"repository scope", "octo-org/app"},
	{"organization scope", "octo-org"},
}

// TestV1Compat runs the shipped binary exactly as the runner runs action.yml for a workflow
// written for the official action, and checks what such a workflow and its runbooks rely on:
// the token output, the claims group as JSON, the hex "Token hash:" line, post-step revocation.
func TestV1Compat(t *testing.T) {
	bin := binary(t)
	root := repoRoot(t)
	for _, u := range v1Usages {
		t.Run(u.name, func(t *testing.T) {
			f := startFakes(t, u.scope, "deploy")
			j := newJob(t)
			with := map[string]string{"scope": u.scope, "identity": "deploy", "domain": f.sts.Domain}
			env := append(j.runnerEnv(f), inputEnv(t, filepath.Join(root, "action.yml"), with)...)
			code, log := run(t, env, bin, "action")
			if code != 0 {
				t.Fatalf("main exited %d:\n%s", code, log)
			}
			checkV1Main(t, j, f, log)

			code, postLog := run(t, append(env, stateEnv(t, j)...), bin, "action")
			if code != 0 {
				t.Fatalf("post exited %d:\n%s", code, postLog)
			}
			if got := f.api.Revoked(); len(got) != 1 || got[0] != f.sts.Token {
				t.Fatalf("post revoked %d tokens, want exactly the minted one:\n%s", len(got), postLog)
			}
			assertNoLeak(t, f.sts.Token, log+postLog)
		})
	}
}

// checkV1Main asserts the main step's outputs and log lines the official action produced.
func checkV1Main(t *testing.T, j *job, f *fakes, log string) {
	t.Helper()
	out := fileCommands(t, j.path("output"))
	if out["token"] != f.sts.Token {
		t.Errorf("output token = %q, want the minted token", out["token"])
	}
	if out["token-hash"] != secret.Hash(f.sts.Token) {
		t.Errorf("output token-hash = %q, want base64(sha256(token))", out["token-hash"])
	}
	if env := fileCommands(t, j.path("env")); len(env) != 0 {
		t.Errorf("without export-env nothing may be exported (the official action exported nothing), got %v", env)
	}
	if !strings.Contains(log, "::add-mask::"+f.sts.Token+"\n") {
		t.Error("the token is not masked")
	}
	hexHash := fmt.Sprintf("Token hash: %x\n", sha256.Sum256([]byte(f.sts.Token)))
	if !strings.Contains(log, hexHash) {
		t.Errorf("log lacks the official action's %q line:\n%s", strings.TrimSpace(hexHash), log)
	}
	if !strings.Contains(log, "token-hash "+secret.Hash(f.sts.Token)) {
		t.Error("log lacks the base64 token-hash beside the hex one")
	}
	pasted := claimsGroup(t, log)
	var got map[string]any
	if err := json.Unmarshal([]byte(pasted), &got); err != nil {
		t.Fatalf("the claims group is not JSON: %v\n%s", err, pasted)
	}
	issued := f.id.Issued()
	if len(issued) != 1 {
		t.Fatalf("%d ID tokens issued, want 1", len(issued))
	}
	want, err := signer.Verify(issued[0])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("logged claims differ from the token's:\n got %v\nwant %v", got, want)
	}
	if !strings.Contains(pasted, "\n  \"sub\": \"repo:octo-org/app:ref:refs/heads/main\",\n") {
		t.Errorf("claims are not pretty-printed like the official action's JSON.stringify(claims, null, 2):\n%s", pasted)
	}
}

// claimsGroup returns what a user copies out of the log's "OIDC Token Claims" group: the lines
// the log viewer shows between the group markers (workflow-command lines are not shown).
func claimsGroup(t *testing.T, log string) string {
	t.Helper()
	var lines []string
	in := false
	for _, l := range strings.Split(log, "\n") {
		switch {
		case strings.HasPrefix(l, "::group::OIDC Token Claims"):
			in = true
		case in && l == "::endgroup::":
			return strings.Join(lines, "\n")
		case in && !strings.HasPrefix(l, "::"):
			lines = append(lines, l)
		}
	}
	t.Fatalf("no ::group::OIDC Token Claims … ::endgroup:: in the log:\n%s", log)
	return ""
}

// TestPastedClaimsAreCheckable pastes the claims group from a real main step into a file and
// runs `octo-sts check --claims` on it, as docs/troubleshooting.md tells users to.
func TestPastedClaimsAreCheckable(t *testing.T) {
	bin := binary(t)
	f := startFakes(t, "octo-org/app", "deploy")
	j := newJob(t)
	with := map[string]string{"scope": "octo-org/app", "identity": "deploy", "domain": f.sts.Domain}
	env := append(j.runnerEnv(f), inputEnv(t, filepath.Join(repoRoot(t), "action.yml"), with)...)
	code, log := run(t, env, bin, "action")
	if code != 0 {
		t.Fatalf("main exited %d:\n%s", code, log)
	}
	dir := t.TempDir()
	claims := filepath.Join(dir, "claims.json")
	if err := os.WriteFile(claims, []byte(claimsGroup(t, log)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	policy := func(sub string) string {
		p := filepath.Join(dir, "deploy.sts.yaml")
		body := fmt.Sprintf("issuer: %s\nsubject: %s\npermissions:\n  contents: read\n", ststest.Issuer, sub)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	args := func(p string) []string {
		return []string{"check", "--policy", p, "--claims", claims, "--domain", f.sts.Domain, "--scope", "octo-org/app"}
	}
	plain := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	if code, out := run(t, plain, bin, args(policy("repo:octo-org/app:ref:refs/heads/main"))...); code != 0 {
		t.Fatalf("check --claims on the pasted group exited %d, want 0 (allowed):\n%s", code, out)
	}
	if code, out := run(t, plain, bin, args(policy("repo:octo-org/app:ref:refs/heads/other"))...); code != 1 {
		t.Fatalf("check --claims with a non-matching subject exited %d, want 1 (denied):\n%s", code, out)
	}
}

// assertNoLeak fails if the token appears in the log anywhere but its ::add-mask:: line.
func assertNoLeak(t *testing.T, token, log string) {
	t.Helper()
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, token) && l != "::add-mask::"+token {
			t.Fatalf("log line leaks the token: %q", l)
		}
	}
}
