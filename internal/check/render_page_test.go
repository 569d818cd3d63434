package check

import (
	"bytes"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/mdtest"
)

// diagnosisPage is a 403 diagnosis as the action's step summary shows it: the headline the action
// writes, then the report with long GitHub values (a reusable-workflow ref, a long branch).
func diagnosisPage(t *testing.T) string {
	t.Helper()
	pol := "issuer: " + ghIss + "\nsubject_pattern: repo:acme/widgets:ref:refs/heads/(main|release-[0-9]+)\nclaim_pattern:\n  job_workflow_ref: acme/platform/\\.github/workflows/deploy-production\\.yaml@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+\n"
	r := eval(t, pol, ghClaims("repo:acme/widgets:ref:refs/heads/feature/a-rather-long-branch-name-for-a-demo", func(m map[string]any) {
		m["job_workflow_ref"] = "acme/platform/.github/workflows/deploy-production.yaml@refs/heads/main"
	}), nil)
	var b bytes.Buffer
	if err := RenderMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	return "### ❌ octo-sts: token refused (403)\n\n" + mdEscape(r.Message) + "\n\n#### Diagnosis\n\n" + b.String()
}

// TestDiagnosisAsGFM: the verdict comes before the table, the table has three columns, and the
// Actions page gives no CLI flags.
func TestDiagnosisAsGFM(t *testing.T) {
	md := diagnosisPage(t)
	h := mdtest.HTML(t, md)
	verdict, table := strings.Index(h, "Verdict: deny"), strings.Index(h, "<table>")
	if verdict < 0 || table < 0 || verdict > table {
		t.Errorf("the verdict must precede the table (verdict %d, table %d)", verdict, table)
	}
	if !strings.Contains(h, "<th>Field</th>\n<th>Expected</th>\n<th>Got</th>") || strings.Count(h, "<th>") != 3 {
		t.Errorf("want one three-column table (field, expected, got):\n%s", h)
	}
	if strings.Contains(md, "--verify") || strings.Contains(md, "--token") || strings.Contains(md, "printed above") {
		t.Errorf("CLI advice or log pointers in an Actions summary:\n%s", md)
	}
	if !strings.Contains(h, "feature/a-rather-long-branch-name-for-a-demo</code>") {
		t.Error("a shortened value is not given in full under the table")
	}
}

// TestDiagnosisScreenshot measures the diagnosis in headless chromium at GitHub's width.
func TestDiagnosisScreenshot(t *testing.T) {
	l := mdtest.Measure(t, "diagnosis-summary", diagnosisPage(t))
	if l.HeadlineBottom <= 0 || l.HeadlineBottom > mdtest.ViewportHeight {
		t.Errorf("the headline ends at %d px, outside the first %d px", l.HeadlineBottom, mdtest.ViewportHeight)
	}
	if len(l.Overflowing) > 0 || l.PageWidth > mdtest.ContentWidth {
		t.Errorf("the table overflows GitHub's width: %v (page %d px)", l.Overflowing, l.PageWidth)
	}
}
