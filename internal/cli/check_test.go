package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octo-sts/action/internal/check"
	"github.com/octo-sts/action/internal/check/checktest"
)

func init() {
	// Shared with other golden tests in this package; define it only once.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const checkCases = "../../testdata/check/cases"

// runCLI runs octo-sts in-process with an empty environment.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"octo-sts"}, args...), strings.NewReader(stdin), &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

// TestCheckGolden runs `octo-sts check` on every case under testdata/check/cases and compares
// stdout (want.txt or want.json) and the exit code (exit) with the golden files; -update rewrites them.
func TestCheckGolden(t *testing.T) {
	dirs, err := os.ReadDir(checkCases)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		dir, err := filepath.Abs(filepath.Join(checkCases, d.Name()))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(d.Name(), func(t *testing.T) {
			t.Chdir(dir)
			args := []string{"check", "--policy", "deploy.sts.yaml"}
			if extra, err := os.ReadFile("args"); err == nil {
				args = append(args, strings.Fields(string(extra))...)
			}
			if _, err := os.Stat("claims.json"); err == nil {
				args = append(args, "--claims", "claims.json")
			}
			code, stdout, stderr := runCLI(t, "", args...)
			if stderr != "" {
				t.Errorf("stderr: %s", stderr)
			}
			want := "want.txt"
			if strings.Contains(strings.Join(args, " "), "--format json") {
				want = "want.json"
				if !json.Valid([]byte(stdout)) {
					t.Errorf("--format json output is not JSON:\n%s", stdout)
				}
			}
			golden(t, want, normalizeFindings(stdout))
			golden(t, "exit", strconv.Itoa(code)+"\n")
			if w, ok := verdictExit(stdout); ok && w != code {
				t.Errorf("exit %d contradicts the verdict (which means exit %d):\n%s", code, w, stdout)
			}
		})
	}
	if n < 15 {
		t.Fatalf("only %d golden cases found", n)
	}
}

// findingText matches a finding line of the text report.
var findingText = regexp.MustCompile(`(?m)^(  \S+:\d+:\d+: ).*( \[[a-z0-9-]+\])$`)

// findingJSON matches a finding's message in the JSON report (findings are the last array).
var findingJSON = regexp.MustCompile(`("rule": "[a-z0-9-]+",\n\s+"severity": "error",\n\s+"message": )".*"`)

// normalizeFindings blanks the linter's finding messages: their wording belongs to the linter and
// is tested there; position, rule and severity stay in the golden files.
func normalizeFindings(s string) string {
	s = findingText.ReplaceAllString(s, "${1}<linter message>${2}")
	return findingJSON.ReplaceAllString(s, `${1}"<linter message>"`)
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// TestCheckJSONContract pins the documented JSON fields, which scripts depend on.
func TestCheckJSONContract(t *testing.T) {
	dir := filepath.Join(checkCases, "deny-json")
	code, stdout, _ := runCLI(t, "", "check", "--format", "json", "--policy", filepath.Join(dir, "deploy.sts.yaml"), "--claims", filepath.Join(dir, "claims.json"))
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d", code, ExitFindings)
	}
	var got struct {
		Verdict string `json:"verdict"`
		Message string `json:"message"`
		Fields  []struct {
			Field    string `json:"field"`
			OK       bool   `json:"ok"`
			Reported bool   `json:"reported"`
		} `json:"fields"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Verdict != "deny" || got.Message != `trust policy: subject "repo:acme/widgets:ref:refs/heads/dev" did not match "repo:acme/widgets:ref:refs/heads/main"` {
		t.Fatalf("verdict %q message %q", got.Verdict, got.Message)
	}
	reported := 0
	for _, f := range got.Fields {
		if f.Reported {
			reported++
			if f.Field != "subject" {
				t.Errorf("reported field %q, want subject", f.Field)
			}
		}
	}
	if reported != 1 || len(got.Fields) != 3 || got.Fields[2].OK {
		t.Fatalf("fields %+v: want 3 rows, one reported, audience failing too", got.Fields)
	}
}

// TestCheckInvalidPolicyShowsFindings: the golden files blank finding messages, so check here that
// the linter's explanation is really printed.
func TestCheckInvalidPolicyShowsFindings(t *testing.T) {
	dir := filepath.Join(checkCases, "invalid-policy-unknown-key")
	code, stdout, _ := runCLI(t, "", "check", "--policy", filepath.Join(dir, "deploy.sts.yaml"), "--claims", filepath.Join(dir, "claims.json"))
	if code != ExitInvalidPolicy {
		t.Fatalf("exit %d", code)
	}
	if !regexp.MustCompile(`deploy\.sts\.yaml:3:1: .*repositories.* \[repositories-not-allowed\]`).MatchString(stdout) {
		t.Fatalf("finding not explained:\n%s", stdout)
	}
	if strings.Contains(stdout, "FIELD") {
		t.Fatal("an invalid policy was evaluated")
	}
}

// TestCheckUsage covers every usage error: exit 2 and a message naming the flag.
func TestCheckUsage(t *testing.T) {
	pol := filepath.Join(checkCases, "allow-push-main", "deploy.sts.yaml")
	claims := filepath.Join(checkCases, "allow-push-main", "claims.json")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check"}, "--policy is required"},
		{[]string{"check", "--policy", pol}, "--claims FILE.json or --token"},
		{[]string{"check", "--policy", pol, "--claims", claims, "--token", "a.b.c"}, "not both"},
		{[]string{"check", "--policy", pol, "--claims", claims, "--verify"}, "--verify needs the signed token"},
		{[]string{"check", "--policy", pol, "--claims", claims, "--jwks", "x.json"}, "--jwks only makes sense with --verify"},
		{[]string{"check", "--policy", pol, "--claims", claims, "--format", "yaml"}, `--format "yaml"`},
		{[]string{"check", "--policy", pol, "--simulate"}, "--simulate needs --repo"},
		{[]string{"check", "--policy", pol, "--simulate", "--repo", "acme"}, `--repo "acme": want owner/repo`},
		{[]string{"check", "--policy", pol, "--simulate", "--repo", "acme/w", "--claims", claims}, "drop --claims"},
		{[]string{"check", "--policy", pol, "--token", "not-a-jwt"}, "--token: not a JWT"},
		{[]string{"check", "--policy", pol, "--token", "@"}, "--token @: give a file name"},
		{[]string{"check", "--policy", "does-not-exist.sts.yaml", "--claims", claims}, "--policy: open does-not-exist.sts.yaml"},
		{[]string{"check", "--policy", pol, "--claims", claims, "stray"}, `unexpected argument "stray"`},
		{[]string{"check", "--nope"}, "unknown flag --nope"},
		{[]string{"check", "--workflow", filepath.Join(checkCases, "workflow-job", ".github", "workflows", "deploy.yml")}, "--workflow needs --repo owner/repo"},
		{[]string{"check", "--workflow", "x.yml", "--org-policy-repo", "a/b"}, `--org-policy-repo: "a/b" must be a bare repository name`},
		{[]string{"check", "--policy", pol, "--domain", "", "--claims", claims}, "--domain is empty"},
	} {
		code, stdout, stderr := runCLI(t, "", c.args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (stdout %s)", c.args, code, ExitUsage, stdout)
		}
		if !strings.Contains(stderr, c.want) {
			t.Errorf("%v: stderr %q does not mention %q", c.args, stderr, c.want)
		}
	}
	if code, stdout, _ := runCLI(t, "", "check", "-h"); code != ExitOK || !strings.Contains(stdout, "Exit codes") {
		t.Errorf("check -h: exit %d, stdout %q", code, stdout)
	}
}

// TestCheckTokenVerify runs --token with --verify against a JWK Set file and a discovery server.
func TestCheckTokenVerify(t *testing.T) {
	k := checktest.NewKey(t)
	srv := checktest.Issuer(t, k)
	dir := t.TempDir()
	pol := filepath.Join(dir, "deploy.sts.yaml")
	if err := os.WriteFile(pol, []byte("issuer: "+srv.URL+"\nsubject: repo:acme/widgets:ref:refs/heads/main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	jwks := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(jwks, k.JWKS(t), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims := func(exp time.Time) map[string]any {
		return map[string]any{"iss": srv.URL, "sub": "repo:acme/widgets:ref:refs/heads/main", "aud": "octo-sts.dev", "iat": now.Unix(), "exp": exp.Unix()}
	}
	good := k.Sign(t, claims(now.Add(time.Hour)))
	expired := k.Sign(t, claims(now.Add(-time.Hour)))
	other := checktest.NewKey(t).Sign(t, claims(now.Add(time.Hour)))
	unreachableClaims := claims(now.Add(time.Hour))
	unreachableClaims["iss"] = "https://127.0.0.1:1"
	unreachable := k.Sign(t, unreachableClaims)
	ownerClaims := claims(now.Add(time.Hour))
	ownerClaims["repository_owner"] = "acme"
	owned := k.Sign(t, ownerClaims)
	tokFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokFile, []byte(good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string
	}{
		{"no verify says so", []string{"--token", good}, "", ExitOK, []string{"signature: NOT CHECKED — claims were decoded without verifying signature, expiry or issuer (add --verify)\n", "verdict:   ALLOW"}},
		{"jwks", []string{"--token", "@" + tokFile, "--verify", "--jwks", jwks}, "", ExitOK, []string{"verified against the --jwks key set", "ALLOW"}},
		{"discovery", []string{"--token", "@-", "--verify"}, good, ExitOK, []string{"verified against the issuer's discovery document", "ALLOW"}},
		{"expired", []string{"--token", expired, "--verify", "--jwks", jwks}, "", ExitFindings, []string{"HTTP 401", "message:   unable to verify bearer token", "the token expired at"}},
		{"wrong key", []string{"--token", other, "--verify"}, "", ExitFindings, []string{"HTTP 401", "unable to verify bearer token", "signature"}},
		{"discovery unreachable from here", []string{"--token", unreachable, "--verify"}, "", ExitInternal, []string{"signature: NOT CHECKED HERE", "verdict:   COULD NOT VERIFY HERE", "could not verify here: discovery for https://127.0.0.1:1 failed"}},
		{"scope owner case", []string{"--token", owned, "--scope", "Acme/widgets"}, "", ExitFindings, []string{"verdict:   DENY — the server would answer HTTP 404", `no installation found for "Acme"`}},
		{"undecodable payload", []string{"--token", "x.%%%.y"}, "", ExitFindings, []string{"(add --verify)\n", "HTTP 400", "message:   invalid bearer token", "not unpadded base64url"}},
		{"undecodable payload json", []string{"--token", "x.eyJzdWIiOjV9.y", "--format", "json"}, "", ExitFindings, []string{`"verdict": "deny"`, `"message": "invalid bearer token"`, `claim \"sub\" cannot be a JSON number`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, c.stdin, append([]string{"check", "--policy", pol}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
			if n := strings.Count(stdout, "discovery for https://127.0.0.1:1 failed"); c.code == ExitInternal && n != 1 {
				t.Errorf("the discovery failure is told %d times, want once:\n%s", n, stdout)
			}
			for _, secret := range []string{good, expired, other, unreachable, owned} {
				if strings.Contains(stdout+stderr, secret) {
					t.Fatal("the JWT appears in the output")
				}
			}
		})
	}
}

// TestCheckMalformedTokenIsDeny: a payload the server cannot decode is its 400 verdict (exit 1,
// "invalid bearer token"), never a usage error: non-JSON claims, aud a number, exp a string.
func TestCheckMalformedTokenIsDeny(t *testing.T) {
	pol := filepath.Join(checkCases, "allow-push-main", "deploy.sts.yaml")
	dir := t.TempDir()
	for name, body := range map[string]string{
		"yaml":       "iss: https://token.actions.githubusercontent.com\n",
		"aud-number": `{"iss":"https://token.actions.githubusercontent.com","sub":"x","aud":5}`,
		"exp-string": `{"iss":"https://token.actions.githubusercontent.com","sub":"x","aud":"octo-sts.dev","exp":"soon"}`,
		"sub-number": `{"iss":"https://token.actions.githubusercontent.com","sub":7,"aud":"octo-sts.dev"}`,
	} {
		f := filepath.Join(dir, name+".json")
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runCLI(t, "", "check", "--policy", pol, "--claims", f, "--format", "json")
		if code != ExitFindings || !strings.Contains(stdout, `"message": "invalid bearer token"`) || !strings.Contains(stdout, `"verdict": "deny"`) {
			t.Errorf("%s: exit %d stdout %s stderr %s", name, code, stdout, stderr)
		}
	}
}

// TestCheckAllowlist: the org allowlist next to an org policy (or --allowlist) takes part:
// 403 when it does not permit the issuer, audit mode passes, an invalid one is a 400.
func TestCheckAllowlist(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "deploy.sts.yaml")
	claims := filepath.Join(dir, "claims.json")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(pol, "issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\n")
	write(claims, `{"iss":"https://token.actions.githubusercontent.com","sub":"repo:acme/app:ref:refs/heads/main","aud":"octo-sts.dev"}`)
	al := filepath.Join(dir, "trusted-token-issuers.yaml")
	for _, c := range []struct {
		allowlist, want string
		code            int
	}{
		{"issuers: [https://accounts.google.com]\n", `"message": "issuer not permitted by organization policy"`, ExitFindings},
		{"mode: audit\nissuers: [https://accounts.google.com]\n", `"verdict": "allow"`, ExitOK},
		{"issuers: [https://token.actions.githubusercontent.com]\n", `"verdict": "allow"`, ExitOK},
		{"mode: bogus\nissuers: [https://accounts.google.com]\n", `"message": "organization trusted-issuer configuration is invalid"`, ExitFindings},
	} {
		write(al, c.allowlist)
		code, stdout, _ := runCLI(t, "", "check", "--policy", pol, "--claims", claims, "--scope", "acme", "--format", "json")
		if code != c.code || !strings.Contains(stdout, c.want) {
			t.Errorf("allowlist %q: exit %d, want %d and %s in\n%s", c.allowlist, code, c.code, c.want, stdout)
		}
		if !strings.Contains(stdout, `"all_repositories": true`) {
			t.Errorf("org scope without repositories must say the token covers every repository:\n%s", stdout)
		}
	}
}

// verdictExits maps the verdict word of a single evaluation (text or JSON) to the exit code it
// stands for, as check's help documents it.
var verdictExits = map[string]int{
	"ALLOW": ExitOK, "DENY": ExitFindings, "DEPENDS ON THE SERVER'S CONFIGURATION": ExitFindings,
	"INVALID POLICY": ExitInvalidPolicy, "COULD NOT VERIFY HERE": ExitInternal,
	`"allow"`: ExitOK, `"deny"`: ExitFindings, `"depends-on-server-configuration"`: ExitFindings, `"invalid-policy"`: ExitInvalidPolicy, `"unverified"`: ExitInternal,
}

var verdictLine = regexp.MustCompile(`(?m)^(?:verdict:   (.+?) —|  "verdict": ("[a-z-]+"),)`)

// verdictExit is the exit code the report's one verdict stands for; ok is false for reports
// with several verdicts (simulations) or none.
func verdictExit(out string) (code int, ok bool) {
	m := verdictLine.FindAllStringSubmatch(out, -1)
	if len(m) != 1 {
		return 0, false
	}
	code, ok = verdictExits[m[0][1]+m[0][2]]
	return code, ok
}

// TestCheckExitMatchesVerdict: every verdict check can reach prints the verdict its exit code
// stands for, in text and JSON.
func TestCheckExitMatchesVerdict(t *testing.T) {
	for _, v := range []check.Verdict{check.Allow, check.Deny, check.Depends, check.InvalidPolicy, check.Unverified} {
		for _, format := range []string{"text", "json"} {
			var out bytes.Buffer
			code := emit(IO{Stdout: &out, Stderr: &out}, format, &check.Report{Verdict: v, Status: 403, Message: "m", Fields: []check.Field{}})
			want, ok := verdictExit(out.String())
			if !ok || want != code {
				t.Errorf("%s %s: exit %d, verdict stands for %d (found %v):\n%s", v, format, code, want, ok, out.String())
			}
		}
	}
}
