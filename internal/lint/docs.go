package lint

import (
	"fmt"
	"strings"

	"github.com/octo-sts/action/internal/policy"
)

// RulesMarkdown renders docs/rules.md from the registry, so the documentation cannot drift from
// the rules (a test compares the committed file with this output).
func RulesMarkdown() string {
	var b strings.Builder
	b.WriteString("# Lint rules\n\n")
	b.WriteString("<!-- Generated from internal/lint/rules.go by `go test ./internal/lint -update`; do not edit by hand. -->\n\n")
	b.WriteString("Every finding of `octo-sts lint` carries one of these rule IDs. **Errors** are files the Octo STS server refuses ")
	b.WriteString("(every exchange against them fails with 404), permissions GitHub certainly refuses to mint (every exchange fails with ")
	b.WriteString(serverAnswer(policy.CodeTokenExchangeFailure) + ") and policies that let strangers mint a token with write access. ")
	b.WriteString("**Warnings** are files the server accepts but that are insecure, can never match, or whose permission levels GitHub may refuse. **Notices** are harmless.\n\n")
	b.WriteString("| Rule | Severity | Summary |\n| --- | --- | --- |\n")
	for _, r := range Rules {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", r.ID, r.ID, r.Severity, strings.ReplaceAll(r.Summary, "|", "\\|"))
	}
	for _, r := range Rules {
		fmt.Fprintf(&b, "\n## %s\n\n**%s.** %s\n\n%s\n\n**Fix:** %s\n", r.ID, r.Severity, r.Summary, r.Rationale, r.Fix)
		if r.Bad != "" {
			where := r.Path
			if where == "" {
				where = ".github/chainguard/example.sts.yaml"
			}
			repo := r.Repository
			if repo == "" {
				repo = "acme/app"
			}
			fmt.Fprintf(&b, "\nBad (`%s` in `%s`):\n\n```yaml\n%s```\n", where, repo, exampleText(r.Bad))
		}
		if r.Good != "" {
			fmt.Fprintf(&b, "\nFixed:\n\n```yaml\n%s```\n", exampleText(r.Good))
		}
	}
	return b.String()
}

// exampleText shortens very long generated examples (hundreds of list entries) for the docs.
func exampleText(s string) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > 12 {
		return strings.Join(lines[:8], "") + "# … (" + fmt.Sprint(len(lines)-9) + " more lines)\n" + lines[len(lines)-2]
	}
	return s
}
