package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/octo-sts/action/internal/logsafe"
	"github.com/octo-sts/action/internal/markdown"
)

// marshal encodes without HTML escaping, so "<", ">" and "&" in claims stay readable.
func marshal(v any, indent bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return []byte(fmt.Sprintf("%q\n", err.Error()))
	}
	// Claims and policy text go to a log; never let them pose as a workflow command.
	return logsafe.JSON(b.Bytes())
}

// RenderJSON writes the machine-readable report: verdict, the server's exact message, every field.
func RenderJSON(w io.Writer, r *Report) error {
	_, err := w.Write(marshal(r, true))
	return err
}

// mark is the per-row result symbol.
func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// cell keeps a table cell on one line, whatever the token contains.
func cell(s string) string {
	if s == "" {
		return `""`
	}
	if strings.ContainsAny(s, "\t\n\r\x00") || strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// RenderText writes the human report: header, signature state, per-field table, verdict, hints.
func RenderText(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "policy:    %s (%s policy, identity %q)\n", r.PolicyPath, r.Kind, r.Identity)
	fmt.Fprintf(&b, "domain:    %s\n", r.Domain)
	fmt.Fprintf(&b, "signature: %s\n", signatureText(r.Signature))
	if r.Covers != nil {
		fmt.Fprintf(&b, "token for: %s\n", coverageText(r.Covers))
	}
	if len(r.Fields) > 0 {
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\tFIELD\tPOLICY\tEXPECTED\tTOKEN\t")
		for _, f := range r.Fields {
			suffix := ""
			if f.Reported {
				suffix = "← the server reports this"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", mark(f.OK), cell(f.Field), cell(f.Policy), cell(f.Expected), cell(f.Actual), suffix)
		}
		tw.Flush()
		for _, f := range r.Fields {
			if !f.OK && f.Note != "" {
				fmt.Fprintf(&b, "  %s: %s\n", f.Field, f.Note)
			}
		}
	}
	if len(r.Findings) > 0 {
		if r.Verdict == InvalidPolicy || hasHint(r, "policy-invalid-too") {
			b.WriteString("\nthe policy is invalid:\n")
		} else {
			b.WriteString("\nthe linter reports:\n")
		}
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %s:%d:%d: %s [%s]\n", f.File, f.Line, f.Column, f.Message, f.Rule)
		}
	}
	b.WriteString("\n")
	switch r.Verdict {
	case Allow:
		b.WriteString("verdict:   ALLOW — the server would mint a token\n")
	case Deny:
		fmt.Fprintf(&b, "verdict:   DENY — the server would answer HTTP %d\n", r.Status)
		fmt.Fprintf(&b, "message:   %s\n", r.Message)
	case InvalidPolicy:
		fmt.Fprintf(&b, "verdict:   INVALID POLICY — the server would answer HTTP %d\n", r.Status)
		fmt.Fprintf(&b, "message:   %s\n", r.Message)
	case Unverified:
		b.WriteString("verdict:   COULD NOT VERIFY HERE — the issuer's discovery document is unreachable from this machine\n")
		fmt.Fprintf(&b, "message:   %s\n", r.Message)
		b.WriteString("hint:      run without --verify to evaluate the claims, or give the issuer's keys with --jwks FILE\n")
	case Depends:
		b.WriteString("verdict:   DEPENDS ON THE SERVER'S CONFIGURATION — not a confirmed allow\n")
		fmt.Fprintf(&b, "message:   %s\n", r.Message)
	}
	if r.Differs {
		b.WriteString("\nthe server generations disagree (the verdict above is the worse one):\n")
		for _, s := range r.Servers {
			fmt.Fprintf(&b, "  %-8s %s\n", s.Server+":", serverText(s))
		}
	}
	if len(r.Hints) > 0 {
		b.WriteString("\nhints:\n")
		for _, h := range r.Hints {
			fmt.Fprintf(&b, "  - %s\n", h.Message)
		}
	}
	_, err := io.WriteString(w, trimLines(b.String()))
	return err
}

// trimLines drops the padding tabwriter leaves at line ends, so output diffs cleanly.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// tableValue is the longest value a diagnosis table cell shows: three columns of it fit GitHub's
// content width in the summary's monospace font.
const tableValue = 30

// shorten cuts v to tableValue characters with an ellipsis, reporting whether it did.
func shorten(v string) (string, bool) {
	r := []rune(v)
	if len(r) <= tableValue {
		return v, false
	}
	return string(r[:tableValue-1]) + "…", true
}

// actionsSignatureText is signatureText for a step summary: in Actions the token is the job's own,
// fetched from GitHub's OIDC provider, so there is no flag to suggest.
func actionsSignatureText(s SignatureState) string {
	if !s.Checked {
		return "not checked locally (the token is this job's own, from GitHub's OIDC provider)"
	}
	return signatureText(s)
}

// signatureText is the CLI's signature line: what was checked, and the flag that would check more.
func signatureText(s SignatureState) string {
	switch {
	case !s.Checked && s.fromToken:
		return "NOT CHECKED — claims were decoded without verifying signature, expiry or issuer (add --verify)"
	case !s.Checked:
		return "NOT CHECKED — claims were read without verifying signature, expiry or issuer (pass the token itself: --token JWT --verify)"
	case s.Unreachable:
		return "NOT CHECKED HERE — the issuer's discovery document could not be fetched from this machine (the server may well reach it)"
	case s.OK && s.Offline:
		return "verified against the --jwks key set (signature, exp, nbf)"
	case s.OK:
		return "verified against the issuer's discovery document (signature, exp, nbf, iss)"
	default:
		return "FAILED — " + s.Reason
	}
}

// mdEscape keeps token-controlled text literal in markdown prose: no HTML, links, emphasis or
// table breaks.
func mdEscape(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
		"<", "&lt;", ">", "&gt;", "|", "\\|", "\n", " ", "\r", " ")
	return r.Replace(s)
}

// code shows s as a code span (markdown.Code); an empty value stays a bare "" in check's tables.
func code(s string) string {
	if s == "" {
		return `""`
	}
	return markdown.Code(s)
}

// RenderMarkdown writes the report for a GitHub step summary, designed to be read at GitHub's
// width: the verdict first, then a three-column table (field, expected, got) whose long values
// are shortened with the full text listed under it, and Actions wording (the job's token is
// GitHub's own; no CLI flags).
func RenderMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	switch r.Verdict {
	case Allow:
		b.WriteString("**✅ Verdict: allow** — the policy allows this token.\n\n")
	case Deny:
		fmt.Fprintf(&b, "**❌ Verdict: deny** (HTTP %d): %s\n\n", r.Status, code(r.Message))
	case InvalidPolicy:
		fmt.Fprintf(&b, "**❌ Verdict: invalid policy** (HTTP %d): %s\n\n", r.Status, code(r.Message))
	case Unverified:
		fmt.Fprintf(&b, "**Verdict: could not verify here**: %s\n\n", code(r.Message))
	case Depends:
		fmt.Fprintf(&b, "**Verdict: depends on the server's configuration** (not a confirmed allow): %s\n\n", mdEscape(r.Message))
	}
	if r.Differs {
		b.WriteString("The server generations disagree (the verdict above is the worse one):\n\n")
		for _, s := range r.Servers {
			fmt.Fprintf(&b, "- %s: %s\n", s.Server, mdEscape(serverText(s)))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Policy %s (%s policy, identity %s), domain %s. Signature: %s.\n\n", code(r.PolicyPath), r.Kind, code(r.Identity), code(r.Domain), mdEscape(actionsSignatureText(r.Signature)))
	if r.Covers != nil {
		fmt.Fprintf(&b, "The token would cover: %s.\n\n", mdEscape(coverageText(r.Covers)))
	}
	if len(r.Fields) > 0 {
		var full []string
		b.WriteString("| Field | Expected | Got |\n|---|---|---|\n")
		for _, f := range r.Fields {
			name := f.Field
			if strings.HasPrefix(f.Policy, f.Field) && !strings.ContainsAny(f.Policy, " (") {
				name = f.Policy // the key to edit: subject_pattern rather than subject
			}
			field := mark(f.OK) + " " + code(name)
			if f.Reported {
				field += " **← reported**"
			}
			exp, expCut := shorten(f.Expected)
			got, gotCut := shorten(f.Actual)
			fmt.Fprintf(&b, "| %s | %s | %s |\n", field, code(exp), code(got))
			if (expCut || gotCut) && !f.OK {
				full = append(full, fmt.Sprintf("- %s: expected %s, got %s\n", code(name), code(f.Expected), code(f.Actual)))
			}
		}
		b.WriteString("\n")
		if len(full) > 0 {
			b.WriteString("Shortened values in full:\n\n")
			b.WriteString(strings.Join(full, ""))
			b.WriteString("\n")
		}
		for _, f := range r.Fields {
			if !f.OK && f.Note != "" {
				fmt.Fprintf(&b, "- %s: %s\n", code(f.Field), mdEscape(f.Note))
			}
		}
	}
	if len(r.Findings) > 0 {
		if r.Verdict == InvalidPolicy || hasHint(r, "policy-invalid-too") {
			b.WriteString("\n**The policy is invalid:**\n\n")
		} else {
			b.WriteString("\n**The linter reports:**\n\n")
		}
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "- %s line %d: %s (`%s`)\n", code(f.File), f.Line, mdEscape(f.Message), f.Rule)
		}
	}
	if len(r.Hints) > 0 {
		b.WriteString("\n**Hints**\n\n")
		for _, h := range r.Hints {
			fmt.Fprintf(&b, "- %s\n", mdEscape(h.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func hasHint(r *Report, id string) bool {
	for _, h := range r.Hints {
		if h.ID == id {
			return true
		}
	}
	return false
}

// serverText is one generation's answer on one line.
func serverText(s ServerResult) string {
	switch s.Verdict {
	case Allow:
		return "ALLOW (200)"
	case Depends:
		return "DEPENDS on the server's App configuration"
	}
	return fmt.Sprintf("%s (%d) %s", strings.ToUpper(string(s.Verdict)), s.Status, s.Message)
}

// coverageText says which repositories the minted token would cover.
func coverageText(c *Coverage) string {
	if c.AllRepositories {
		return "every repository the Octo STS App's installation can access (org scope without repositories)"
	}
	return "repositories " + strings.Join(c.Repositories, ", ")
}
