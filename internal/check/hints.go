package check

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/octo-sts/action/internal/policy"
)

// immutableSub matches GitHub's immutable subject prefix repo:OWNER@OWNER_ID/REPO@REPO_ID (spec §6.3).
var immutableSub = regexp.MustCompile(`^repo:([^/@:]+)@([0-9]+)/([^/@:]+)@([0-9]+)(:.*)?$`)

// mutableSub matches the classic repo:OWNER/REPO prefix.
var mutableSub = regexp.MustCompile(`^repo:([^/@:]+)/([^/@:]+)(:.*)?$`)

// hintsFor explains the likely cause of each failing row (and of suspicious successes) beyond the
// server's one-line message.
func hintsFor(in Input, tp *policy.TrustPolicy, tok policy.Token, r *Report) []Hint {
	var hs []Hint
	add := func(id, field, format string, args ...any) {
		hs = append(hs, Hint{ID: id, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	row := func(name string) *Field {
		for i := range r.Fields {
			if r.Fields[i].Field == name {
				return &r.Fields[i]
			}
		}
		return nil
	}
	sub, aud := row("subject"), row("audience")

	// Values the server refuses before matching: name the character and where it comes from.
	if !policy.IsValidSubject(tok.Subject) {
		add("invalid-subject", "subject", "the server refuses any token whose sub %q is invalid (%s)%s; no policy can allow it — rename it or use a custom subject template without that part",
			tok.Subject, policy.InvalidSubjectReason(tok.Subject), subjectOrigin(tok.Subject))
	}
	for _, a := range tok.Audience {
		if !policy.IsValidAudience(a) {
			add("invalid-audience", "audience", "the server refuses any token with the audience %q (%s); request the ID token with a plain audience such as %q",
				a, policy.InvalidAudienceReason(a), in.Domain)
		}
	}

	// subject written as a glob.
	if tp.SubjectPattern == "" && strings.Contains(tp.Subject, "*") {
		suggestion := globToPattern(tp.Subject)
		verdict := "it would not match this token either"
		if matchesAs(tp.Generation(), suggestion, tok.Subject) {
			verdict = "it matches this token"
		}
		add("subject-glob", "subject", "subject is compared byte for byte, so %q only matches a sub containing a literal \"*\"; for a wildcard use subject_pattern: %q (%s)", tp.Subject, suggestion, verdict)
	}
	if tp.AudiencePattern == "" && strings.Contains(tp.Audience, "*") {
		add("audience-glob", "audience", "audience is compared byte for byte, so %q only matches a literal \"*\"; for a wildcard use audience_pattern: %q", tp.Audience, globToPattern(tp.Audience))
	}

	// GitHub's default audience where the domain was needed.
	if aud != nil && !aud.OK && aud.Status == 403 {
		for _, a := range tok.Audience {
			if strings.HasPrefix(a, "https://github.com/") {
				want := in.Domain
				if tp.Audience != "" {
					want = tp.Audience
				}
				add("github-default-audience", "audience", "%q is GitHub Actions' default audience; request the ID token with audience %q (octo-sts actions do this; with actions/github-script use core.getIDToken(%q)) or set audience in the policy", a, want, want)
				break
			}
		}
	}

	// Subject shape mismatches.
	if sub != nil && !sub.OK && sub.Status == 403 {
		hs = append(hs, subjectShapeHints(tp, tok.Subject)...)
	}

	// Case-only differences.
	for _, f := range r.Fields {
		if f.OK || f.Status != 403 {
			continue
		}
		if ci := caseOnly(tp, f, tok); ci != "" {
			add("case-mismatch", f.Field, "%s", ci)
		}
	}
	if owner, _, ok := strings.Cut(in.Scope, "/"); ok || (in.Scope != "" && !strings.Contains(in.Scope, "/")) {
		if !ok {
			owner = in.Scope
		}
		if tokOwner, isStr := tok.Claims["repository_owner"].(string); isStr && tokOwner != owner && strings.EqualFold(tokOwner, owner) {
			add("scope-owner-case", "scope", "scope owner %q differs in case from %q (the token's repository_owner); the server looks installations up case-sensitively and answers 404 %s — use %q", owner, tokOwner, policy.ExchangeAnswer(policy.Legacy, policy.CodeNoInstallation, owner).Message, tokOwner)
		}
	}

	// Claims: absent, nested, differently cased, several failing.
	failingClaims := 0
	for _, f := range r.Fields {
		if !strings.HasPrefix(f.Field, "claim_pattern[") || f.OK {
			continue
		}
		failingClaims++
		k := strings.TrimSuffix(strings.TrimPrefix(f.Field, "claim_pattern["), "]")
		if _, ok := tok.Claims[k]; ok {
			continue
		}
		for name := range tok.Claims {
			if name != k && strings.EqualFold(name, k) {
				add("claim-name-case", f.Field, "the token has %q, not %q; claim names are case-sensitive", name, k)
			}
		}
		if top, rest, ok := splitNested(k); ok {
			if m, isMap := tok.Claims[top].(map[string]any); isMap {
				if _, has := m[rest]; has {
					add("nested-claim", f.Field, "%q is nested inside the %q claim; claim_pattern only looks at top-level claims, so it can never match — match on sub or another top-level claim instead", rest, top)
				}
			}
		}
	}
	if failingClaims > 1 {
		add("claim-order", "claim_pattern", "%d claim_pattern entries fail; the server walks a Go map, so its message may name any of them from one request to the next", failingClaims)
	}

	// Matches that only succeeded through a half-anchored top-level alternation.
	for _, f := range r.Fields {
		if !f.OK {
			continue
		}
		var p string
		var values []string
		switch {
		case f.Field == "issuer" && tp.IssuerPattern != "":
			p, values = tp.IssuerPattern, []string{tok.Issuer}
		case f.Field == "subject" && tp.SubjectPattern != "":
			p, values = tp.SubjectPattern, []string{tok.Subject}
		case f.Field == "audience" && tp.AudiencePattern != "":
			p, values = tp.AudiencePattern, tok.Audience
		case strings.HasPrefix(f.Field, "claim_pattern["):
			k := strings.TrimSuffix(strings.TrimPrefix(f.Field, "claim_pattern["), "]")
			p = tp.ClaimPattern[k]
			if s, ok := policy.ClaimString(tok.Claims[k]); ok {
				values = []string{s}
			}
		default:
			continue
		}
		if msg := halfAnchored(tp.Generation(), f.Policy, p, values); msg != "" {
			add("half-anchored-alternation", f.Field, "%s", msg)
		}
	}
	return hs
}

// subjectOrigin names the GitHub context part that usually carries a forbidden character.
func subjectOrigin(sub string) string {
	switch {
	case strings.Contains(sub, ":environment:"):
		return " — it comes from the environment name"
	case strings.Contains(sub, ":ref:refs/heads/"):
		return " — it comes from the branch name"
	case strings.Contains(sub, ":ref:refs/tags/"):
		return " — it comes from the tag name"
	}
	return ""
}

// subjectShapeHints recognises the common GitHub subject mix-ups: immutable vs classic prefixes,
// pull_request and environment subjects where a branch ref was expected.
func subjectShapeHints(tp *policy.TrustPolicy, sub string) []Hint {
	var hs []Hint
	want := tp.Subject
	if want == "" {
		want = tp.SubjectPattern
	}
	if m := immutableSub.FindStringSubmatch(sub); m != nil {
		owner, ownerID, repo, repoID := m[1], m[2], m[3], m[4]
		classic := "repo:" + owner + "/" + repo
		if strings.Contains(strings.ToLower(want), strings.ToLower(classic)) || strings.Contains(strings.ToLower(want), strings.ToLower(regexp.QuoteMeta(classic))) {
			immutable := "repo:" + owner + "@" + ownerID + "/" + repo + "@" + repoID
			msg := fmt.Sprintf("the token uses GitHub's immutable subject (%s:…) but the policy is written for %s:…; repositories created, renamed or transferred after mid-2026 get the immutable form. Write the policy with %q", immutable, classic, immutable)
			if tp.Subject != "" {
				fixed := replaceFold(tp.Subject, classic, immutable)
				msg += fmt.Sprintf(", e.g. subject: %q", fixed)
				if fixed == sub {
					msg += " (matches this token)"
				}
			} else {
				fixed := replaceFold(tp.SubjectPattern, regexp.QuoteMeta(classic), regexp.QuoteMeta(immutable))
				fixed = replaceFold(fixed, classic, immutable)
				msg += fmt.Sprintf(", e.g. subject_pattern: %q", fixed)
				if matchesAs(tp.Generation(), fixed, sub) {
					msg += " (matches this token)"
				}
			}
			hs = append(hs, Hint{ID: "immutable-subject", Field: "subject", Message: msg})
		}
	} else if m := mutableSub.FindStringSubmatch(sub); m != nil && strings.Contains(want, "@") && strings.Contains(want, "repo:"+m[1]+"@") {
		hs = append(hs, Hint{ID: "immutable-subject", Field: "subject", Message: fmt.Sprintf("the policy expects GitHub's immutable subject (repo:%s@<id>/…) but this token has the classic form repo:%s/%s:…; the repository has not switched to immutable subject claims", m[1], m[1], m[2])})
	}
	wantsRef := strings.Contains(want, ":ref:")
	switch {
	case strings.HasSuffix(sub, ":pull_request") && wantsRef:
		hs = append(hs, Hint{ID: "pull-request-subject", Field: "subject", Message: "pull_request runs get sub \"…:pull_request\", not the branch ref; allow it explicitly (and check claims like base_ref or event_name) if pull requests should get a token"})
	case strings.Contains(sub, ":environment:") && wantsRef:
		hs = append(hs, Hint{ID: "environment-subject", Field: "subject", Message: "a job that references an environment gets sub \"…:environment:<name>\" instead of the branch ref; match the environment in subject and the branch with claim_pattern ref"})
	}
	return hs
}

// caseOnly reports a failing row that would pass if the comparison ignored case.
func caseOnly(tp *policy.TrustPolicy, f Field, tok policy.Token) string {
	var exp, got string
	pattern := false
	switch {
	case f.Field == "issuer":
		exp, got, pattern = tp.Issuer, tok.Issuer, tp.IssuerPattern != ""
		if pattern {
			exp = tp.IssuerPattern
		}
	case f.Field == "subject":
		exp, got, pattern = tp.Subject, tok.Subject, tp.SubjectPattern != ""
		if pattern {
			exp = tp.SubjectPattern
		}
	case strings.HasPrefix(f.Field, "claim_pattern["):
		k := strings.TrimSuffix(strings.TrimPrefix(f.Field, "claim_pattern["), "]")
		s, ok := policy.ClaimString(tok.Claims[k])
		if !ok {
			return ""
		}
		exp, got, pattern = tp.ClaimPattern[k], s, true
	default:
		return ""
	}
	if pattern {
		if matchesAs(tp.Generation(), "(?i)(?:"+exp+")", got) || matchesAs(tp.Generation(), "(?i)"+exp, got) {
			return fmt.Sprintf("%s %q matches only when letter case is ignored; the server matches case-sensitively — GitHub writes owner and repository names in their canonical case, so copy them from the token (or prefix the pattern with (?i))", f.Field, got)
		}
		return ""
	}
	if exp != got && strings.EqualFold(exp, got) {
		return fmt.Sprintf("%s %q differs from the policy's %q only in letter case; the server compares byte for byte — GitHub writes owner and repository names in their canonical case, so copy them from the token", f.Field, got, exp)
	}
	return ""
}

// halfAnchored explains a match that relied on the server's ungrouped ^p$ wrapping: the value
// matched ^a|b$ but would not match ^(?:a|b)$.
func halfAnchored(g policy.Generation, field, p string, values []string) string {
	branches := policy.SplitTopLevel(p)
	if len(branches) < 2 {
		return ""
	}
	for _, v := range values {
		if !matchesAs(g, p, v) || matchesAs(g, "(?:"+p+")", v) {
			continue
		}
		for i, b := range branches {
			var rx string
			var how string
			switch i {
			case 0:
				rx, how = "^(?:"+b+")", "anchored only at the start, so anything may follow it"
			case len(branches) - 1:
				rx, how = "(?:"+b+")$", "anchored only at the end, so anything may precede it"
			default:
				rx, how = "(?:"+b+")", "not anchored at all"
			}
			if re, err := regexp.Compile(rx); err == nil && re.MatchString(v) {
				return fmt.Sprintf("%s matched %q only through the top-level alternative %q, which the server's ^…$ wrapping leaves %s; wrap the whole pattern in a group: %q", field, v, b, how, "("+p+")")
			}
		}
		return fmt.Sprintf("%s matched %q only because the top-level | leaves the alternatives half-anchored; wrap the whole pattern in a group: %q", field, v, "("+p+")")
	}
	return ""
}

// globToPattern turns a shell-style "*" glob into the equivalent subject_pattern.
func globToPattern(g string) string {
	parts := strings.Split(g, "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return strings.Join(parts, ".*")
}

// splitNested guesses how a claim_pattern key such as "kubernetes.io/namespace" was meant as a path.
func splitNested(k string) (string, string, bool) {
	if top, rest, ok := strings.Cut(k, "/"); ok {
		return top, rest, true
	}
	if i := strings.LastIndex(k, "."); i > 0 {
		return k[:i], k[i+1:], true
	}
	return "", "", false
}

// replaceFold replaces every case-insensitive occurrence of old in s.
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(old))
	return re.ReplaceAllLiteralString(s, repl)
}

// matchesAs reports whether generation g's compiled pattern p matches s.
func matchesAs(g policy.Generation, p, s string) bool {
	re, err := policy.CompilePattern(g, p)
	return err == nil && re.MatchString(s)
}
