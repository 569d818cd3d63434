// Mirrors pkg/octosts/trust_policy.go of github.com/octo-sts/app:
//   legacy:  commit cb87fc17675a32a661268c2deafc8eb32b52dbf6 (2026-08-21)
//   current: the same file after octo-sts/app#1643 (anchoring) and #1635 (app / app_pattern), as
//            described in /work/shared/docs/server-generations.md §1–§2 (not in the local mirror).
// Types, field order, JSON tags, Compile() order and CheckToken() order follow that file.

// Package policy is the one model of the Octo STS server: it decodes, compiles and evaluates policies,
// resolves scopes and knows every answer of the exchange, for both server generations, so the linter,
// `check`, the action's diagnosis and the exchange client agree with the server. Each file mirrors one
// upstream file and names it; nothing outside this package restates a server rule or message.
package policy

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/octo-sts/action/internal/memo"
)

// TrustPolicy has the server's field names, types and tags, because sigs.k8s.io/yaml's scalar
// coercion and strict decoding depend on the exact struct shape. App and AppPattern exist only in
// the current generation; a legacy decode rejects them as unknown fields (see octosts.go).
type TrustPolicy struct {
	Issuer        string         `json:"issuer,omitempty"`
	IssuerPattern string         `json:"issuer_pattern,omitempty"`
	issuerPattern *regexp.Regexp `json:"-"`

	Subject        string         `json:"subject,omitempty"`
	SubjectPattern string         `json:"subject_pattern,omitempty"`
	subjectPattern *regexp.Regexp `json:"-"`

	Audience        string         `json:"audience,omitempty"`
	AudiencePattern string         `json:"audience_pattern,omitempty"`
	audiencePattern *regexp.Regexp `json:"-"`

	ClaimPattern map[string]string `json:"claim_pattern,omitempty"`
	claimPattern *claimMatchers    `json:"-"` // the server's map[string]*regexp.Regexp, compiled on use

	Permissions Permissions `json:"permissions,omitempty"`

	App        string         `json:"app,omitempty"`
	AppPattern string         `json:"app_pattern,omitempty"`
	appPattern *regexp.Regexp `json:"-"`

	gen        Generation `json:"-"`
	isCompiled bool       `json:"-"`
}

// OrgTrustPolicy embeds TrustPolicy exactly as the server does; the embedding changes how YAML
// scalars are coerced (spec §8.1), so it must not be flattened.
type OrgTrustPolicy struct {
	TrustPolicy `json:",inline"`

	Repositories []string `json:"repositories,omitempty"`
}

// Generation is the server generation whose rules this policy was decoded and is compiled under.
func (tp *TrustPolicy) Generation() Generation {
	if tp.gen == "" {
		return Legacy
	}
	return tp.gen
}

// Problem is one reason the server's Compile() would refuse a policy, tied to the field (and claim
// key) so the linter can point at the right line while keeping the server's exact message.
type Problem struct {
	Code  Code
	Field string // YAML field name, e.g. "issuer_pattern", "claim_pattern", "mode", "issuers"
	Key   string // claim_pattern key, or the list index for allowlist entries ("3"), else ""
	Msg   string // the server's message for this problem
	Err   error  // the underlying RE2 error for pattern problems, else nil
}

func (p Problem) Error() string { return p.Msg }

// CheckPattern reports whether generation g would compile trust-policy pattern p, with the exact
// error, without building a matcher (regexp.Compile's only errors are the parser's). Legacy parses
// "^"+p+"$"; current parses p alone first, then "^(?:"+p+")$".
func CheckPattern(g Generation, p string) error {
	if len(p) <= maxLiteral && regexp.QuoteMeta(p) == p && utf8.ValidString(p) {
		return nil // valid UTF-8 without a metacharacter: parses in both forms, well inside RE2's size limits
	}
	if len(p) > maxMemoPattern {
		return parsePattern(g, p)
	}
	k := memoKey{g, p}
	if r, ok := matchers.Get(k); ok {
		return r.err // compiled already
	}
	if err, ok := checked.Get(k); ok {
		return err
	}
	err := parsePattern(g, p)
	checked.Put(k, err, len(p))
	return err
}

// checked remembers CheckPattern's answer per generation and pattern: one lint run asks it for
// the same pattern several times (each generation's problems, then Compile), and policies in one
// tree share patterns. The answer is a pure function of its key.
var checked = memo.New[memoKey, error](1 << 20)

type memoKey struct {
	g Generation
	p string
}

// maxMemoPattern keeps one huge pattern from flushing checked.
const maxMemoPattern = 4 << 10

// maxLiteral bounds CheckPattern's fast path: a literal this long (the largest policy GitHub's
// contents API serves) is far below the parser's size limits, so it cannot fail to parse.
const maxLiteral = 1 << 20

// Problems lists every reason Compile() would fail, in the server's order; the server stops at the
// first, the linter reports them all.
func (tp *TrustPolicy) Problems() []Problem { return tp.ProblemsFor(tp.Generation()) }

// ProblemsFor is Problems under generation g's Compile(), so one decoded policy can be judged by
// both generations (legacy ignores app and app_pattern: its decoder refuses them first).
func (tp *TrustPolicy) ProblemsFor(g Generation) []Problem {
	var out []Problem
	pattern := func(code Code, field, p string) {
		// Compile builds this matcher next when nothing else is wrong: parse it only once.
		if _, err := CompilePattern(g, p); err != nil {
			msg := err.Error()
			if g == Current {
				msg = fmt.Sprintf("trust policy: invalid %s: %v", field, err)
			}
			out = append(out, Problem{Code: code, Field: field, Msg: msg, Err: err})
		}
	}
	exclusive := func(name, exact, pat string, both, neither, invalid Code) {
		switch {
		case exact != "" && pat != "":
			out = append(out, Problem{Code: both, Field: name + "_pattern", Msg: fmt.Sprintf("trust policy: only one of %s or %s_pattern can be set, got both", name, name)})
		case exact == "" && pat == "" && neither != "":
			out = append(out, Problem{Code: neither, Field: name, Msg: fmt.Sprintf("trust policy: one of %s or %s_pattern must be set, got neither", name, name)})
		case pat != "":
			pattern(invalid, name+"_pattern", pat)
		}
	}
	exclusive("issuer", tp.Issuer, tp.IssuerPattern, CodeIssuerBoth, CodeIssuerNeither, CodeIssuerPatternInvalid)
	exclusive("subject", tp.Subject, tp.SubjectPattern, CodeSubjectBoth, CodeSubjectNeither, CodeSubjectPatternInvalid)
	exclusive("audience", tp.Audience, tp.AudiencePattern, CodeAudienceBoth, "", CodeAudiencePatternInvalid)
	if g == Current {
		exclusive("app", tp.App, tp.AppPattern, CodeAppBoth, "", CodeAppPatternInvalid)
	}
	for _, k := range sortedKeys(tp.ClaimPattern) {
		if err := CheckPattern(g, tp.ClaimPattern[k]); err != nil {
			out = append(out, Problem{Code: CodeClaimPatternInvalid, Field: "claim_pattern", Key: k, Msg: fmt.Sprintf("error compiling claim_pattern[%q]: %v", k, err), Err: err})
		}
	}
	return out
}

// Compile validates the policy like the server's Compile() and prepares it for CheckToken.
func (tp *TrustPolicy) Compile() error {
	if tp.isCompiled {
		return errors.New("trust policy: already compiled")
	}
	if ps := tp.Problems(); len(ps) > 0 {
		return ps[0]
	}
	g := tp.Generation()
	compile := func(p string) *regexp.Regexp {
		if p == "" {
			return nil
		}
		re, _ := CompilePattern(g, p) // Problems above found none: it compiles
		return re
	}
	tp.issuerPattern = compile(tp.IssuerPattern)
	tp.subjectPattern = compile(tp.SubjectPattern)
	tp.audiencePattern = compile(tp.AudiencePattern)
	if g == Current {
		tp.appPattern = compile(tp.AppPattern)
	}
	tp.claimPattern = newClaimMatchers(g, tp.ClaimPattern)
	tp.isCompiled = true
	return nil
}

// Compiled reports whether Compile succeeded, so callers never evaluate a half-valid policy.
func (tp *TrustPolicy) Compiled() bool { return tp.isCompiled }

// Pinned reports whether the policy pins a GitHub App (current generation only): the exchange then
// resolves the pin against the server's App configuration before CheckToken runs.
func (tp *TrustPolicy) Pinned() bool {
	return tp.Generation() == Current && (tp.App != "" || tp.AppPattern != "")
}

// Token is the part of a verified OIDC token the server looks at: the decoded standard claims and
// the raw top-level claims map (claim_pattern reads the raw map, not the decoded struct).
type Token struct {
	Issuer   string
	Subject  string
	Audience []string
	Claims   map[string]any
}

// Denial is the server's answer when a token does not satisfy a policy: the HTTP status it would
// return and its exact message, so local checks print what the real exchange would print.
type Denial struct {
	Code    Code
	Status  int    // 400, 403 or 500
	Message string // the server's message, byte for byte
	Field   string // which policy field decided: issuer, subject, audience, claim_pattern, policy
	Key     string // the claim_pattern key, when Field is claim_pattern
}

func (d *Denial) Error() string { return d.Message }

// CheckToken evaluates tok against the compiled policy in the server's order (spec §3.4) and returns
// nil when the server would mint a token. domain is the server's STS_DOMAIN (the default audience).
// claim_pattern entries are checked in sorted key order; the server's map order is random, so when
// several claims fail it may name a different one.
func (tp *TrustPolicy) CheckToken(tok Token, domain string) *Denial {
	if !tp.isCompiled {
		return &Denial{Code: CodeNotCompiled, Status: http.StatusInternalServerError, Message: "trust policy: not compiled", Field: "policy"}
	}
	if d := validateToken(tok); d != nil {
		return d
	}
	var denial *Denial
	tp.rows(tok, domain, func(r Row) bool {
		denial = r.Denial
		return denial == nil
	})
	return denial
}

// AdmitsIdentity reports whether the compiled policy's issuer and subject rows accept iss and sub.
// When it is false CheckToken denies every token with that issuer and subject whatever its other
// claims, so a caller trying many identities can skip building the rest of a token that cannot
// get in (true promises nothing: the token's validity and the other rows are still to check).
func (tp *TrustPolicy) AdmitsIdentity(iss, sub string) bool {
	if !tp.isCompiled {
		return false
	}
	match := func(want string, re *regexp.Regexp, got string) bool {
		if re != nil {
			return re.MatchString(got)
		}
		return got == want
	}
	return match(tp.Issuer, tp.issuerPattern, iss) && match(tp.Subject, tp.subjectPattern, sub)
}

// validateToken is CheckToken's first step: the oidcvalidate checks on iss, sub and every aud.
func validateToken(tok Token) *Denial {
	if !IsValidIssuer(tok.Issuer) {
		return &Denial{Code: CodeTokenIssuerInvalid, Status: http.StatusBadRequest, Message: InvalidTokenMessage("issuer"), Field: "issuer"}
	}
	if !IsValidSubject(tok.Subject) {
		return &Denial{Code: CodeTokenSubjectInvalid, Status: http.StatusBadRequest, Message: InvalidTokenMessage("subject"), Field: "subject"}
	}
	for _, a := range tok.Audience {
		if !IsValidAudience(a) {
			return &Denial{Code: CodeTokenAudienceInvalid, Status: http.StatusBadRequest, Message: InvalidTokenMessage("audience"), Field: "audience"}
		}
	}
	return nil
}

// Row is one matching step of CheckToken evaluated on its own (issuer, subject, audience, each
// claim_pattern key), so a report can show every step while CheckToken stops at the first.
type Row struct {
	Field    string  // issuer, subject, audience or claim_pattern
	Key      string  // the claim_pattern key
	Policy   string  // the policy key that decides the row, e.g. "subject_pattern"
	Expected string  // the exact value, or the expression the server compiled
	Default  bool    // audience row decided by the default (the domain)
	Denial   *Denial // nil when the row passes
}

// Rows evaluates each matching step of CheckToken independently on a compiled policy, in the
// server's order, with the server's 403 message for each failing row. Token validity (400s) is
// not part of any row: CheckToken checks it first.
func (tp *TrustPolicy) Rows(tok Token, domain string) []Row {
	rows := make([]Row, 0, 3+len(tp.ClaimPattern))
	tp.rows(tok, domain, func(r Row) bool {
		rows = append(rows, r)
		return true
	})
	return rows
}

// rows evaluates the matching steps in order, handing each to yield until it returns false, so
// CheckToken stops at the first failure without building the rest (the linter calls it often).
func (tp *TrustPolicy) rows(tok Token, domain string, yield func(Row) bool) {
	deny := func(field, key string, code Code, format string, args ...any) *Denial {
		return &Denial{Code: code, Status: http.StatusForbidden, Message: fmt.Sprintf(format, args...), Field: field, Key: key}
	}
	exact := func(field, want, pattern string, re *regexp.Regexp, got string, code Code) Row {
		if re != nil {
			r := Row{Field: field, Policy: field + "_pattern", Expected: tp.Generation().Anchored(pattern)}
			if !re.MatchString(got) {
				r.Denial = deny(field, "", code, "trust policy: %s %q did not match pattern %q", field, got, pattern)
			}
			return r
		}
		r := Row{Field: field, Policy: field, Expected: want}
		if got != want {
			r.Denial = deny(field, "", code, "trust policy: %s %q did not match %q", field, got, want)
		}
		return r
	}
	if !yield(exact("issuer", tp.Issuer, tp.IssuerPattern, tp.issuerPattern, tok.Issuer, CodeIssuerMismatch)) ||
		!yield(exact("subject", tp.Subject, tp.SubjectPattern, tp.subjectPattern, tok.Subject, CodeSubjectMismatch)) {
		return
	}

	aud := Row{Field: "audience"}
	switch {
	case tp.audiencePattern != nil:
		aud.Policy, aud.Expected = "audience_pattern", tp.Generation().Anchored(tp.AudiencePattern)
		if !slices.ContainsFunc(tok.Audience, tp.audiencePattern.MatchString) {
			aud.Denial = deny("audience", "", CodeAudienceMismatch, "trust policy: audience_pattern %q did not match any of %q", tp.AudiencePattern, tok.Audience)
		}
	case tp.Audience != "":
		aud.Policy, aud.Expected = "audience", tp.Audience
		if !slices.Contains(tok.Audience, tp.Audience) {
			aud.Denial = deny("audience", "", CodeAudienceMismatch, "trust policy: audience %q did not match any of %q", tp.Audience, tok.Audience)
		}
	default:
		aud.Policy, aud.Expected, aud.Default = "audience", domain, true
		if !slices.Contains(tok.Audience, domain) {
			aud.Denial = deny("audience", "", CodeAudienceMismatch, "trust policy: audience %q did not match any of %q", domain, tok.Audience)
		}
	}
	if !yield(aud) {
		return
	}
	for _, k := range tp.claimPattern.keys {
		expr := tp.claimPattern.expression(k)
		r := Row{Field: "claim_pattern", Key: k, Policy: "claim_pattern", Expected: expr}
		raw, ok := tok.Claims[k]
		val, isStr := ClaimString(raw)
		switch {
		case !ok:
			r.Denial = deny("claim_pattern", k, CodeClaimMissing, "trust policy: expected claim %q not found in token", k)
		case !isStr:
			r.Denial = deny("claim_pattern", k, CodeClaimNotString, "trust policy: expected claim %q not a string", k)
		case !tp.claimPattern.match(k, val):
			r.Denial = deny("claim_pattern", k, CodeClaimMismatch, "trust policy: claim %q did not match %q", k, expr)
		}
		if !yield(r) {
			return
		}
	}
}

// ClaimString converts a raw claim the way the server does before matching: strings as they are,
// booleans to "true"/"false", anything else is not matchable.
func ClaimString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// InvalidTokenMessage is CheckToken's 400 message for a token whose field ("issuer", "subject",
// "audience") fails oidcvalidate.
func InvalidTokenMessage(field string) string { return "invalid " + field + " in token" }

// As returns an uncompiled copy of tp judged by generation g, so one decoded policy can be
// evaluated the way each generation would (legacy ignores app and app_pattern).
func (tp *TrustPolicy) As(g Generation) *TrustPolicy {
	c := *tp
	c.gen, c.isCompiled = g, false
	c.issuerPattern, c.subjectPattern, c.audiencePattern, c.appPattern, c.claimPattern = nil, nil, nil, nil, nil
	if g != Current {
		c.App, c.AppPattern = "", ""
	}
	return &c
}

// SameMatching reports whether both generations compile every pattern of tp to the same language
// (no top-level "|", no top-level (?m)); when they also both compile it, one evaluation answers
// for both, which the linter uses to halve its work.
func (tp *TrustPolicy) SameMatching() bool {
	same := func(p string) bool { return p == "" || (len(SplitTopLevel(p)) == 1 && !MultilineEnd(p)) }
	if !same(tp.IssuerPattern) || !same(tp.SubjectPattern) || !same(tp.AudiencePattern) {
		return false
	}
	for _, p := range tp.ClaimPattern {
		if !same(p) {
			return false
		}
	}
	return true
}
