package lint

import (
	"regexp"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/octo-sts/action/internal/policy"
)

// pattern is one regular expression in a trust policy with where it came from.
type pattern struct {
	field string // issuer_pattern, subject_pattern, audience_pattern, claim_pattern
	key   string // claim key
	src   string
	n     *node
}

func (p pattern) name() string {
	if p.field == "claim_pattern" {
		return "claim_pattern[" + p.key + "]"
	}
	return p.field
}

// semantics runs the advisory checks on a policy the server accepts.
func (f *file) semantics() {
	tp := f.tp
	var pats []pattern
	add := func(field, src string) {
		if src != "" {
			_, n := f.field(field)
			pats = append(pats, pattern{field: field, src: src, n: n})
		}
	}
	add("issuer_pattern", tp.IssuerPattern)
	add("subject_pattern", tp.SubjectPattern)
	add("audience_pattern", tp.AudiencePattern)
	keys := make([]string, 0, len(tp.ClaimPattern))
	for k := range tp.ClaimPattern {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		pats = append(pats, pattern{field: "claim_pattern", key: k, src: tp.ClaimPattern[k], n: f.claimNode(k)})
		f.claimName(k)
	}
	for _, p := range pats {
		f.patternChecks(p)
	}
	f.literalChecks()
	f.permissionChecks()
	f.checkExposure()
}

func (f *file) patternChecks(p pattern) {
	if strings.HasSuffix(p.src, "\n") {
		f.add("trailing-newline", p.n, "%s ends with a newline (block scalar), so it can never match a token; use |- or a quoted string", p.name())
	}
	f.generationDifferences(p)
	switch {
	case strings.HasPrefix(p.src, "*"), strings.HasPrefix(p.src, "+"), strings.HasPrefix(p.src, "?"), strings.HasPrefix(p.src, "{"):
		f.add("pattern-anchor", p.n, "%s starts with %q, which the server applies to its added ^; %s matches far more than intended. Start with what the value begins with, or .* for anything", p.name(), p.src[:1], p.name())
	case endsWithEscape(p.src):
		f.add("pattern-anchor", p.n, "%s ends with a backslash (or \\Q), which escapes the server's added $; remove it", p.name())
	}
	if p.field == "issuer_pattern" || p.field == "audience_pattern" {
		if host := unescapedHostDot(p.src); host != "" {
			f.add("unescaped-dot", p.n, "%s: the . in %q matches any character; escape it as \\.", p.name(), host)
		}
	}
	switch {
	case p.field == "subject_pattern" || p.field == "claim_pattern" && p.key == "sub":
		if what := breadth(f, p); what != "" && !f.identityPinned() {
			f.add("broad-pattern", p.n, "%s %s; name the repository and ref, or pin job_workflow_ref to a reviewed workflow", p.name(), what)
		}
	case p.field == "claim_pattern" && slices.Contains([]string{"repository", "job_workflow_ref", "workflow_ref", "ref"}, p.key):
		// claim_pattern entries only ever narrow the subject: a pattern that accepts every
		// value narrows nothing, which is worth saying, but it lets no one extra in.
		if f.acceptsAnything(p.src) {
			f.add("broad-pattern", p.n, "%s accepts every value, so it restricts nothing; name the %s it should require, or remove it", p.name(), strings.ReplaceAll(p.key, "_", " "))
		}
	}
}

func endsWithEscape(p string) bool {
	if strings.Contains(p, `\Q`) && !strings.Contains(p[strings.LastIndex(p, `\Q`):], `\E`) {
		return true
	}
	n := 0
	for i := len(p) - 1; i >= 0 && p[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

var hostDotRE = regexp.MustCompile(`[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`)

// unescapedHostDot returns the first host-like run ("githubusercontent.com") containing an
// unescaped dot between name characters; "\." and ".*" are left alone.
func unescapedHostDot(p string) string {
	for _, loc := range hostDotRE.FindAllStringIndex(p, -1) {
		s, e := loc[0], loc[1]
		if s > 0 && p[s-1] == '\\' {
			continue
		}
		if strings.Contains(p[:s], "[") && strings.LastIndex(p[:s], "[") > strings.LastIndex(p[:s], "]") {
			continue // inside a character class
		}
		return p[s:e]
	}
	return ""
}

const probe = "octo-sts-lint-probe"

// breadth says what an accepted subject-like pattern lets in, by matching probes built from its
// literal prefix: anything, any repository of an owner, any ref of a repository.
// maxProbedPattern bounds the advisory probes: matching costs text × program size, and a 1 MB
// pattern made each probe take seconds. Real patterns are well under a kilobyte.
const maxProbedPattern = 16 << 10

// acceptsAnything reports whether a claim pattern matches arbitrary values.
func (f *file) acceptsAnything(src string) bool {
	re, err := anchored(src)
	return err == nil && len(src) <= maxProbedPattern && re.MatchString(probe) && re.MatchString("repo:"+probe+"/"+probe+":ref:refs/heads/"+probe)
}

// identityPinned reports whether a claim_pattern entry other than the subject ties the token to
// one owner's repository or workflow (job_workflow_ref, repository, repository_owner, or their
// ids) without itself accepting anything: then a broad subject is the intended set-up.
func (f *file) identityPinned() bool {
	for _, k := range []string{"job_workflow_ref", "workflow_ref", "repository", "repository_id", "repository_owner", "repository_owner_id"} {
		if src, ok := f.tp.ClaimPattern[k]; ok && !f.acceptsAnything(src) {
			return true
		}
	}
	return false
}

func breadth(f *file, p pattern) string {
	if len(p.src) > maxProbedPattern {
		return ""
	}
	re, err := anchored(p.src)
	if err != nil {
		return ""
	}
	if re.MatchString(probe) || re.MatchString("repo:"+probe+"/"+probe+":ref:refs/heads/"+probe) {
		return "matches any subject from any repository"
	}
	prefix := literalPrefix(p.src)
	if i := strings.Index(prefix, "/"); strings.HasPrefix(prefix, "repo:") && i > 0 {
		owner := prefix[:i+1]
		if re.MatchString(owner + probe + ":ref:refs/heads/main") {
			return "matches every repository of " + strings.TrimSuffix(strings.TrimPrefix(owner, "repo:"), "/")
		}
		if j := strings.Index(prefix[i:], ":"); j > 0 {
			repo := prefix[:i+j+1]
			if re.MatchString(repo+"ref:refs/heads/"+probe) && re.MatchString(repo+"pull_request") {
				return "matches every branch and pull request of " + strings.TrimSuffix(strings.TrimPrefix(repo, "repo:"), ":")
			}
		}
	}
	return ""
}

// literalPrefix is the fixed text every match of the pattern starts with: the leading run of
// plain or escaped literal characters, minus a last character that a quantifier makes optional.
// Top-level alternations and inline flags have none.
func literalPrefix(p string) string {
	if len(policy.SplitTopLevel(p)) > 1 {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p) && strings.IndexByte(`.-/:@_+*?()[]{}|^$\\`, p[i+1]) >= 0:
			i++
			c = p[i]
		case strings.IndexByte(`.+*?()[]{}|^$\\`, c) >= 0:
			return trimOptional(b.String(), p[i:])
		}
		b.WriteByte(c)
	}
	return b.String()
}

// trimOptional drops the last prefix character when the next token quantifies it.
func trimOptional(prefix, rest string) string {
	if prefix != "" && rest != "" && strings.IndexByte("*?{", rest[0]) >= 0 {
		return prefix[:len(prefix)-1]
	}
	return prefix
}

// literalChecks looks at exact issuer/subject/audience values.
func (f *file) literalChecks() {
	tp := f.tp
	if tp.Issuer != "" && !policy.IsValidIssuer(tp.Issuer) {
		_, n := f.field("issuer")
		f.add("issuer-invalid-url", n, "issuer %q is not a valid issuer URL (https://host[/path], no query, fragment or credentials); the server refuses such tokens, so this policy can never match", tp.Issuer)
	}
	for _, fld := range []struct{ name, val string }{{"issuer", tp.Issuer}, {"subject", tp.Subject}, {"audience", tp.Audience}} {
		if strings.HasSuffix(fld.val, "\n") {
			_, n := f.field(fld.name)
			f.add("trailing-newline", n, "%s ends with a newline (block scalar), so it can never match a token; use |- or a quoted string", fld.name)
		}
	}
	if s := tp.Subject; s != "" {
		_, n := f.field("subject")
		if strings.ContainsAny(s, "*") {
			f.add("subject-glob", n, "subject %q is compared byte for byte, so * is literal; use subject_pattern with a regular expression (e.g. .+ or [a-z0-9-]+)", s)
		} else if !strings.HasSuffix(s, "\n") && !policy.IsValidSubject(s) {
			f.add("value-never-matches", n, "subject %q can never match, because the server refuses a token whose subject is not valid: %s", s, policy.InvalidSubjectReason(s))
		}
	}
	if a := tp.Audience; a != "" && !strings.HasSuffix(a, "\n") && !policy.IsValidAudience(a) {
		_, n := f.field("audience")
		f.add("value-never-matches", n, "audience %q can never match, because the server refuses a token with an audience that is not valid: %s", a, policy.InvalidAudienceReason(a))
	}
}

// claimName warns about claim keys that can never match.
func (f *file) claimName(k string) {
	n := f.claimKeyNode(k)
	switch {
	case k == "exp" || k == "iat" || k == "nbf" || k == "auth_time":
		f.add("claim-not-matchable", n, "claim %q is a number in every token, and the server only matches string and boolean claims; remove it", k)
	case strings.ContainsAny(k, "/") || strings.Count(k, ".") > 0 && !strings.Contains(k, "://"):
		f.add("claim-not-matchable", n, "claim %q looks like a path into a nested claim; the server only reads top-level claims, so this key matches only a top-level claim with exactly this name", k)
	}
}

func (f *file) claimKeyNode(key string) *node {
	idx := f.claimIndex()
	if idx.field == nil {
		return nil
	}
	if n, ok := idx.byRaw[key]; ok {
		return n
	}
	return idx.field
}

// permissionChecks covers write grants to risky subjects and GitHub-level permission names.
func (f *file) permissionChecks() {
	writes := writePermissions(f)
	if len(writes) > 0 && f.admitsPullRequest() {
		k, _ := f.field("permissions")
		f.add("pull-request-write", k, "a pull_request subject gets %s; code from any pull request can use that token. Grant pull_request subjects read access only", strings.Join(writes, ", "))
	}
	// A policy pinned to one reviewed workflow (an org-wide Renovate, say) is meant for every repository.
	if f.kind == policy.KindOrg && len(writes) > 0 && len(f.org.Repositories) == 0 && !f.identityPinned() {
		k, _ := f.field("permissions")
		f.add("org-write-all-repositories", k, "this org policy grants %s without `repositories`, so the token covers every repository the App can access; list the repositories it needs", strings.Join(writes, ", "))
	}
	for _, name := range []string{"emails", "keys", "team_discussions"} {
		if v := f.perms()[name]; v != "" {
			f.add("permission-name", f.permKey(name), "permission %q parses, but GitHub's token API does not know it (it answers 422, the exchange fails with 403); remove it", name)
		}
	}
	_ = yaml.ScalarNode
}

// admitsPullRequest reports whether the subject (exact or pattern) accepts a pull_request subject.
func (f *file) admitsPullRequest() bool {
	tp := f.tp
	if owner, name := f.ownerRepo(); owner != "" && f.compiled() && longestPattern(tp) <= maxProbedPattern {
		// Ask the server's evaluation: does a pull_request run of the owner's repository get in?
		if name == "" || f.kind == policy.KindOrg {
			name = f.sampleRepo(owner, "app")
		}
		if !f.mayAdmit(githubIssuer, "repo:"+owner+"/"+name+":pull_request") {
			return false // refused on issuer or subject: the other claims cannot matter
		}
		pr := f.actionsToken(owner, name, "pull_request", f.sample("repository_owner_id", "1"), f.sample("repository_id", "2"), false)
		return f.admits(pr)
	}
	if tp.Subject != "" {
		return strings.HasSuffix(tp.Subject, ":pull_request")
	}
	re, err := anchored(tp.SubjectPattern)
	if err != nil {
		return false
	}
	prefix := literalPrefix(tp.SubjectPattern)
	cands := []string{"repo:" + probe + "/" + probe + ":pull_request"}
	if i := strings.Index(prefix, ":"); strings.HasPrefix(prefix, "repo:") {
		rest := prefix[5:]
		if j := strings.Index(rest, ":"); j > 0 {
			cands = append(cands, prefix[:5+j+1]+"pull_request")
		} else if i >= 0 {
			cands = append(cands, prefix+probe+":pull_request", prefix+":pull_request")
		}
	}
	return slices.ContainsFunc(cands, re.MatchString)
}

// generationDifferences reports constructs the two server generations read differently, once,
// explaining both and the spelling that means the same on each. Only legacy's ^p$ is affected.
func (f *file) generationDifferences(p pattern) {
	gens := f.opts.gens()
	if !slices.Contains(gens, policy.Legacy) || p.field == "app_pattern" {
		return
	}
	both := slices.Contains(gens, policy.Current)
	if len(policy.SplitTopLevel(p.src)) > 1 {
		if both {
			f.add(RuleHalfAnchoredAlternation, p.n, "%s has a top-level | : a legacy server (2026-08-21) builds ^%s$, which accepts anything that starts with the first alternative or ends with the last, while a current server builds ^(?:%s)$ and anchors every alternative; write (?:%s) to mean the same on both", p.name(), p.src, p.src, p.src)
		} else {
			f.add(RuleHalfAnchoredAlternation, p.n, "%s has a top-level | : the server builds ^%s$, which accepts anything that starts with the first alternative or ends with the last; wrap it: (?:%s)", p.name(), p.src, p.src)
		}
	}
	if policy.MultilineEnd(p.src) {
		current := ""
		if both {
			current = ", while a current server keeps the flag inside ^(?:…)$ where $ is the end of the value"
		}
		f.add(RulePatternAnchor, p.n, "%s sets (?m) at the top level: a legacy server's added $ then matches at any line end, so a value with a newline after a match gets in%s; scope the flag as (?m:…) or drop it to mean the same on both", p.name(), current)
	}
}
