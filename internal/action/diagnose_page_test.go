package action

import (
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/mdtest"
	"github.com/octo-sts/action/internal/policy"
	"github.com/octo-sts/action/internal/sts/ststest"
)

// diagnosisCase is one way the exchange is refused, with what the summary must then say.
type diagnosisCase struct {
	name      string
	step      string // the fake STS's answer
	policy    string // the workspace policy, "" for none
	scope     string // INPUT_SCOPE, default octo-org/app
	apiStatus int    // forced answer of the contents API, 0 for none
	noToken   bool   // no github-token input
	noAPIURL  bool   // GITHUB_API_URL unset
	want      string // a phrase of the diagnosis for this cause
}

const (
	denyPolicy  = "issuer: https://token.actions.githubusercontent.com\nsubject: repo:octo-org/app:ref:refs/heads/release\n"
	allowPolicy = "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: repo:octo-org/app:ref:refs/heads/.*\n"
	claimPolicy = allowPolicy + "claim_pattern:\n  event_name: pull_request\n"
)

// diagnosisCases walks every cause the diagnosis tells apart (serverCause, locatePolicy and
// compare in diagnose.go).
var diagnosisCases = []diagnosisCase{
	{name: "403-reproduced", step: ststest.Deny, policy: denyPolicy, want: "reproduces the server's answer exactly"},
	{name: "403-other-claim", step: ststest.DenyBy(allowPolicy + "audience_pattern: .*\nclaim_pattern:\n  workflow: release\n"), policy: claimPolicy, want: "the server may name a different one"},
	{name: "403-allowed-locally", step: ststest.Deny, policy: allowPolicy, want: "Locally this policy allows the token"},
	{name: "403-other-version", step: ststest.DenyBy("issuer: https://other.example\nsubject_pattern: .*\naudience_pattern: .*\n"), policy: denyPolicy, want: "probably read another version"},
	{name: "404-invalid-policy", step: ststest.NotFound, policy: allowPolicy + "bogus: 1\n", want: "This is why the server answered 404"},
	{name: "404-valid-policy", step: ststest.NotFound, policy: allowPolicy, want: "so the 404 has another cause"},
	{name: "404-no-file-via-api", step: ststest.NotFound, scope: "octo-org/policies", want: "There is no `.github/chainguard/deploy.sts.yaml` on the default branch"},
	{name: "404-api-forbidden", step: ststest.NotFound, scope: "octo-org/policies", apiStatus: http.StatusForbidden, want: "may not read `octo-org/policies` (HTTP 403)"},
	{name: "404-no-github-token", step: ststest.NotFound, scope: "octo-org/policies", noToken: true, want: "no `github-token` was given"},
	{name: "404-no-api-url", step: ststest.NotFound, scope: "octo-org/policies", noAPIURL: true, want: "GITHUB_API_URL is not set"},
	{name: "404-owner-case", step: ststest.Answer(policy.Legacy, policy.CodeNoInstallation, "Octo-Org"), policy: allowPolicy, want: "**Cause: the Octo STS App has no installation on `octo-org`**"},
	{name: "403-issuer-not-permitted", step: ststest.Answer(policy.Legacy, policy.CodeIssuerNotPermitted), want: "trusted-issuer allowlist"},
	{name: "400-allowlist-invalid", step: ststest.Answer(policy.Legacy, policy.CodeAllowlistConfig), want: "allowlist is invalid"},
	{name: "403-token-exchange-failure", step: ststest.Answer(policy.Legacy, policy.CodeTokenExchangeFailure), policy: allowPolicy + "permissions:\n  contents: write\n", want: "agrees that the policy matches this token"},
	{name: "403-policy-forbidden", step: ststest.Answer(policy.Current, policy.CodePolicyForbidden), want: "could not read the policy repository"},
	{name: "400-app-pin", step: ststest.Answer(policy.Current, policy.CodeAppNotConfigured, "deployer"), policy: allowPolicy, want: "agrees that the policy matches this token"},
	{name: "400-bearer-invalid", step: ststest.Answer(policy.Legacy, policy.CodeBearerInvalid), policy: allowPolicy, want: "`sub` `repo:octo-org/app:ref:refs/heads/main`"},
}

// cliAdvice is what an Actions page must not tell its reader: CLI flags and commands, and
// pointers at log lines the page does not hold.
var cliAdvice = regexp.MustCompile(`(^|[\s(` + "`" + `])--[a-z]|octo-sts (lint|check|exchange)\b|printed above`)

var thCell = regexp.MustCompile(`<th[ >]`)

// runDiagnosis runs the action into the refusal and returns its step summary and annotation.
func runDiagnosis(t *testing.T, c diagnosisCase) (summary, annotation string) {
	t.Helper()
	h := diagnoseHarness(t)
	if c.policy != "" {
		writePolicy(t, h.dir, "deploy", c.policy)
	}
	api := newContentsAPI(t, map[string]string{})
	api.status = c.apiStatus
	h.env["GITHUB_API_URL"] = api.URL
	if c.noAPIURL {
		delete(h.env, "GITHUB_API_URL")
	}
	if c.noToken {
		h.env["INPUT_GITHUB-TOKEN"] = ""
	}
	if c.scope != "" {
		h.env["INPUT_SCOPE"] = c.scope
	}
	h.sts.Script(c.step)
	if code := h.main(); code != exitFailure {
		t.Fatalf("exit %d\n%s", code, h.stdout.String())
	}
	for _, line := range strings.Split(h.stdout.String(), "\n") {
		if strings.HasPrefix(line, "::error ") {
			annotation = line
		}
	}
	h.assertNoLeaks("")
	return h.file("summary"), annotation
}

// TestDiagnosisSummaryEveryCause renders the step summary of every refusal the diagnosis knows as
// GFM: the ❌ headline comes first, the verdict precedes any table, tables have at most three
// columns, and neither the page nor the annotation gives CLI advice or points at the log.
func TestDiagnosisSummaryEveryCause(t *testing.T) {
	for _, c := range diagnosisCases {
		t.Run(c.name, func(t *testing.T) {
			md, annotation := runDiagnosis(t, c)
			if !strings.HasPrefix(md, "### ❌ ") {
				t.Errorf("the summary does not open with its ❌ headline:\n%s", md)
			}
			_, diag, ok := strings.Cut(md, "#### Diagnosis\n\n")
			if !ok || !strings.Contains(diag, c.want) {
				t.Errorf("the diagnosis lacks %q:\n%s", c.want, md)
			}
			if first, _, _ := strings.Cut(diag, "\n"); strings.HasPrefix(first, "Evaluated") {
				t.Errorf("the diagnosis opens with where the policy came from, not its verdict or cause: %s", first)
			}
			if m := cliAdvice.FindString(md); m != "" {
				t.Errorf("CLI advice or a log pointer (%q) in the Actions summary:\n%s", m, md)
			}
			if m := cliAdvice.FindString(annotation); m != "" {
				t.Errorf("CLI advice or a log pointer (%q) in the annotation:\n%s", m, annotation)
			}
			h := mdtest.HTML(t, md)
			if v, tab := strings.Index(h, "Verdict"), strings.Index(h, "<table>"); tab >= 0 && (v < 0 || v > tab) {
				t.Errorf("a table comes before the verdict:\n%s", h)
			}
			for _, table := range strings.Split(h, "<table>")[1:] {
				head, _, _ := strings.Cut(table, "</thead>")
				if n := len(thCell.FindAllString(head, -1)); n > 3 {
					t.Errorf("a table of %d columns (want field, expected, got):\n%s", n, head)
				}
			}
		})
	}
}

// TestDiagnosisSummaryScreenshots measures every cause's summary in headless chromium at GitHub's
// content width: the headline is on the first screen and no table overflows.
func TestDiagnosisSummaryScreenshots(t *testing.T) {
	mdtest.Chromium(t)
	for _, c := range diagnosisCases {
		t.Run(c.name, func(t *testing.T) {
			md, _ := runDiagnosis(t, c)
			l := mdtest.Measure(t, "diagnosis-"+c.name, md)
			if l.HeadlineBottom <= 0 || l.HeadlineBottom > mdtest.ViewportHeight {
				t.Errorf("the headline ends at %d px, outside the first %d px", l.HeadlineBottom, mdtest.ViewportHeight)
			}
			if len(l.Overflowing) > 0 || l.PageWidth > mdtest.ContentWidth {
				t.Errorf("overflows GitHub's width: %v (page %d px)", l.Overflowing, l.PageWidth)
			}
		})
	}
}

// TestInvalidInputSummary: several bad inputs are a list on the summary page, one per input, not
// one run-on paragraph.
func TestInvalidInputSummary(t *testing.T) {
	h := newHarness(t)
	h.env["INPUT_SCOPE"], h.env["INPUT_TIMEOUT"], h.env["INPUT_DOMAIN"] = "acme/app/x", "60", "https://octo-sts.dev"
	if code := h.main(); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	html := mdtest.HTML(t, h.file("summary"))
	if n := strings.Count(html, "<li>"); n != 3 || !strings.Contains(html, `<li>input &quot;timeout&quot;: &quot;60&quot; has no unit`) {
		t.Errorf("want the three input errors as three list items, got %d:\n%s", n, html)
	}
	if h.sts.Requests() != 0 {
		t.Error("exchanged despite invalid input")
	}
}

// TestDebugSummaryVerdictFirst: with debug: true the verdict comes before the (folded) claims,
// and the page fits GitHub's width.
func TestDebugSummaryVerdictFirst(t *testing.T) {
	h := diagnoseHarness(t)
	writePolicy(t, h.dir, "deploy", denyPolicy)
	h.env["INPUT_DEBUG"] = "true"
	if code := h.main(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	md := h.file("summary")
	html := mdtest.HTML(t, md)
	verdict, claims := strings.Index(html, "Verdict: deny"), strings.Index(html, "<summary>Token claims</summary>")
	if verdict < 0 || claims < 0 || verdict > claims {
		t.Errorf("want the verdict before the folded claims (verdict %d, claims %d):\n%s", verdict, claims, md)
	}
	if _, err := exec.LookPath("chromium"); err == nil {
		if l := mdtest.Measure(t, "debug-summary", md); len(l.Overflowing) > 0 || l.PageWidth > mdtest.ContentWidth {
			t.Errorf("overflows GitHub's width: %v (page %d px)", l.Overflowing, l.PageWidth)
		}
	}
}
