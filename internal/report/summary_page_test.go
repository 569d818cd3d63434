package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/mdtest"
)

// pageFindings is a realistic failing run: a clean-ish file with warnings, a broken one, values
// a GFM renderer would misread (a | alternation that autolinks, backticks, emphasis).
func pageFindings() []lint.Finding {
	var fs []lint.Finding
	for i := range 8 {
		fs = append(fs, lint.Finding{File: ".github/chainguard/a-warnings.sts.yaml", Line: 3 + i, Column: 3, Rule: "broad-pattern", Severity: lint.SevWarning,
			Message: fmt.Sprintf("subject_pattern %q admits every branch of acme/app", "repo:acme/app:.*")})
	}
	fs = append(fs,
		lint.Finding{File: ".github/chainguard/deploy.sts.yaml", Line: 4, Column: 1, Rule: "issuer-one-of", Severity: lint.SevError,
			Message: fmt.Sprintf("issuer_pattern %q is not anchored to one host", "^https://a|https://gitlab.com$")},
		lint.Finding{File: ".github/chainguard/deploy.sts.yaml", Line: 9, Column: 5, Rule: "unknown-key", Severity: lint.SevError,
			Message: "unknown key `pull-requests`: did you mean `pull_requests`? (a `*bold*` [x](y) value)"},
	)
	return fs
}

var testLinks = &Links{Server: "https://github.com", Repository: "acme/app", SHA: strings.Repeat("a", 40)}

// TestSummaryAsGFM renders the summary with a GFM renderer and checks what a reviewer gets: the
// verdict first, the failing file open and first, values as code (no bogus links), a link to the
// line at the commit and to the rule's documentation.
func TestSummaryAsGFM(t *testing.T) {
	md := Summary(pageFindings(), Options{Files: 3, Links: testLinks})
	h := mdtest.HTML(t, md)
	if !strings.HasPrefix(h, "<h3>❌ octo-sts lint: 2 errors in 1 of 3 files</h3>") {
		t.Errorf("the page does not open with the verdict:\n%.300s", h)
	}
	open := strings.Index(h, "<details open><summary><code>.github/chainguard/deploy.sts.yaml</code>")
	closed := strings.Index(h, "<details><summary><code>.github/chainguard/a-warnings.sts.yaml</code>")
	if open < 0 || closed < 0 || open > closed {
		t.Errorf("the file with errors must come first and expanded, the other collapsed (open %d, closed %d)", open, closed)
	}
	for _, want := range []string{
		"<code>^https://a|https://gitlab.com$</code>",
		`<a href="https://github.com/acme/app/blob/` + strings.Repeat("a", 40) + `/.github/chainguard/deploy.sts.yaml#L4">4</a>`,
		`<a href="https://github.com/octo-sts/action/blob/main/docs/rules.md#issuer-one-of"><code>issuer-one-of</code></a>`,
		"<code>pull-requests</code>",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("rendered summary lacks %s", want)
		}
	}
	links := regexp.MustCompile(`<a href="([^"]*)"`).FindAllStringSubmatch(h, -1)
	for _, l := range links {
		if !strings.HasPrefix(l[1], "https://github.com/acme/app/blob/") && !strings.HasPrefix(l[1], RulesDocURI+"#") {
			t.Errorf("a link we did not make: %s", l[1])
		}
	}
	if len(links) != 2*len(pageFindings()) {
		t.Errorf("%d links, want a line and a rule link per finding (%d)", len(links), 2*len(pageFindings()))
	}
	if strings.Contains(h, "<strong>bold") || strings.Contains(h, "<em>") {
		t.Error("message text was read as markup")
	}
}

// TestLinksFromEnv refuses partial or malformed link targets.
func TestLinksFromEnv(t *testing.T) {
	env := map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/app", "GITHUB_SHA": strings.Repeat("b", 40)}
	if l := LinksFromEnv(func(k string) string { return env[k] }); l == nil || l.lineURL("a b/c(d).yaml", 0) != "https://github.com/acme/app/blob/"+strings.Repeat("b", 40)+"/a%20b/c%28d%29.yaml#L1" {
		t.Errorf("links = %+v", l)
	}
	for k, v := range map[string]string{"GITHUB_SERVER_URL": "javascript:alert(1)", "GITHUB_REPOSITORY": "acme/app)x", "GITHUB_SHA": "main"} {
		bad := map[string]string{}
		for k2, v2 := range env {
			bad[k2] = v2
		}
		bad[k] = v
		if l := LinksFromEnv(func(k string) string { return bad[k] }); l != nil {
			t.Errorf("%s=%q gave links %+v", k, v, l)
		}
	}
}

// TestSummaryScreenshot measures the rendered page in headless chromium at GitHub's content
// width: the verdict is on the first screen, so is the first error, and no table overflows.
func TestSummaryScreenshot(t *testing.T) {
	long := pageFindings()
	long = append(long, lint.Finding{File: ".github/chainguard/deploy.sts.yaml", Line: 12, Column: 1, Rule: "broad-pattern", Severity: lint.SevWarning,
		Message: fmt.Sprintf("claim_pattern[job_workflow_ref] %q admits any workflow of the organization", "acme/[^/]+/\\.github/workflows/[a-z0-9-]+\\.ya?ml@refs/heads/(main|release-[0-9]+|hotfix-[a-z0-9-]+)")})
	l := mdtest.Measure(t, "lint-summary", Summary(long, Options{Files: 3, Links: testLinks}))
	if l.HeadlineBottom <= 0 || l.HeadlineBottom > mdtest.ViewportHeight {
		t.Errorf("the verdict ends at %d px, outside the first %d px", l.HeadlineBottom, mdtest.ViewportHeight)
	}
	if l.FirstErrorTop < 0 || l.FirstErrorTop > mdtest.ViewportHeight {
		t.Errorf("the first error is at %d px, more than a screen (%d px) down", l.FirstErrorTop, mdtest.ViewportHeight)
	}
	if len(l.Overflowing) > 0 || l.PageWidth > mdtest.ContentWidth {
		t.Errorf("tables overflow GitHub's width: %v (page %d px)", l.Overflowing, l.PageWidth)
	}
}
