package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"path/filepath"
	"strings"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/policy"
)

// DefaultDomain is the hosted service's STS_DOMAIN, the default audience a policy without
// audience/audience_pattern requires.
const DefaultDomain = "octo-sts.dev"

// Verdict is the overall answer, stable for scripts (--format json).
type Verdict string

// The three verdicts.
const (
	Allow         Verdict = "allow"          // the server would mint a token
	Deny          Verdict = "deny"           // the server would refuse this token
	InvalidPolicy Verdict = "invalid-policy" // the server cannot even read the policy (404)
	Unverified    Verdict = "unverified"     // --verify could not reach the issuer from here: no verdict
	// Depends: the token satisfies the policy, but the policy pins an App (current servers) and
	// whether the pin resolves depends on the server's configuration, which no client can see.
	Depends Verdict = "depends-on-server-configuration"
)

// worse orders verdicts for "the worse of two generations": allow < depends < deny < invalid-policy
// < unverified (no verdict at all).
func (v Verdict) worse(than Verdict) bool {
	rank := map[Verdict]int{Allow: 0, Depends: 1, Deny: 2, InvalidPolicy: 3, Unverified: 4}
	return rank[v] > rank[than]
}

// Coverage is the minted token's repository scope: the listed repositories, or all of them.
type Coverage struct {
	AllRepositories bool     `json:"all_repositories"` // every repository the App's installation can see
	Repositories    []string `json:"repositories,omitempty"`
}

// ServerResult is one generation's answer, carried in every report so scripts see both.
type ServerResult struct {
	Server  policy.Generation `json:"server"`
	Verdict Verdict           `json:"verdict"`
	Status  int               `json:"status"`
	Message string            `json:"message"`
}

// Input is everything one evaluation needs, as plain values so the CLI and the action share it.
type Input struct {
	PolicyPath string      // shown in output and used for lint positions; also yields the identity
	Policy     []byte      // the policy file's contents
	Kind       policy.Kind // policy.KindRepo (default) or policy.KindOrg
	Identity   string      // the exchange's identity; "" derives it from PolicyPath
	Repository string      // owner/name holding the policy, for the linter (optional)
	Scope      string      // the exchange scope, for hints (optional)
	// OrgPolicyRepo is the server's ORG_POLICY_REPO ("" is ".github"), for scope resolution.
	OrgPolicyRepo string
	Domain        string  // the server's STS_DOMAIN; "" is DefaultDomain
	Claims        *Claims // the token's decoded claims
	// Server lists the generations to evaluate under (--server); nil means all of them.
	Server []policy.Generation
	// Allowlist is the org's trusted-token-issuers.yaml (nil: none, every issuer allowed), checked
	// after the token and before the policy, as the exchange does; AllowlistPath names it.
	Allowlist     []byte
	AllowlistPath string
	// Verification is the signature check result; nil means the signature was not checked.
	Verification *Verification
	// FromToken: the claims came from the signed token itself (--token), so an unchecked
	// signature's advice is just "add --verify" rather than "pass the token".
	FromToken bool
}

// Field is one row of the evaluation table: what the policy expects, what the token has, and
// whether the server would accept it; Reported marks the row the server's message is about.
type Field struct {
	Field    string `json:"field"`    // issuer, subject, audience or claim_pattern[<key>]
	Policy   string `json:"policy"`   // the policy key that decides this row
	Expected string `json:"expected"` // exact value or the anchored regexp the server compiles
	Actual   string `json:"actual"`   // the token's value
	OK       bool   `json:"ok"`
	Reported bool   `json:"reported"`          // the server stops at and reports this row
	Status   int    `json:"status,omitempty"`  // HTTP status if this row fails
	Message  string `json:"message,omitempty"` // the server's message if this row fails
	Note     string `json:"note,omitempty"`    // why, in plain words
}

// Hint is advice beyond what the server says: the likely cause and the fix.
type Hint struct {
	ID      string `json:"id"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Report is the result of one evaluation; Render* turn it into text, markdown or JSON.
type Report struct {
	Verdict    Verdict        `json:"verdict"`
	Status     int            `json:"status"`
	Message    string         `json:"message"`
	PolicyPath string         `json:"policy"`
	Kind       policy.Kind    `json:"kind"`
	Identity   string         `json:"identity"`
	Domain     string         `json:"domain"`
	Signature  SignatureState `json:"signature"`
	Fields     []Field        `json:"fields"`
	Findings   []lint.Finding `json:"findings,omitempty"`
	Hints      []Hint         `json:"hints,omitempty"`
	// Servers has one entry per evaluated generation; when they disagree the report's own
	// verdict, status and message are the worse one's and Differs is set.
	Servers []ServerResult `json:"servers"`
	Differs bool           `json:"differs,omitempty"`
	// Covers says which repositories a token minted for this scope would cover (nil when the
	// scope is unknown).
	Covers *Coverage `json:"covers,omitempty"`

	claims map[string]any // the evaluated claims, for renderers that show context
}

// SignatureState says whether and how the token's signature was checked, so output never implies
// a verification that did not happen.
type SignatureState struct {
	Checked bool   `json:"checked"`
	Offline bool   `json:"offline,omitempty"`
	OK      bool   `json:"ok"`
	Reason  string `json:"reason,omitempty"`
	// Unreachable: the issuer's discovery document could not be fetched from this machine, so
	// the signature was not judged at all (the verdict is Unverified).
	Unreachable bool `json:"unreachable,omitempty"`
	// fromToken is Input.FromToken, for the text advice only (scripts know what they passed).
	fromToken bool
}

// signatureState is the report's view of in's verification.
func signatureState(in Input) SignatureState {
	s := SignatureState{fromToken: in.FromToken}
	if v := in.Verification; v != nil {
		s.Checked, s.Offline, s.OK, s.Reason, s.Unreachable = v.Checked, v.Offline, v.OK(), v.Reason, v.Unreachable
	}
	return s
}

// IdentityFromPath derives the exchange identity from a policy file name (<identity>.sts.yaml).
func IdentityFromPath(p string) string {
	base := path.Base(filepath.ToSlash(p))
	if _, rest, ok := strings.Cut(filepath.ToSlash(p), policy.PolicyDir+"/"); ok && strings.HasSuffix(rest, ".sts.yaml") {
		return strings.TrimSuffix(rest, ".sts.yaml") // the server reads sub-directories: team/deploy
	}
	for _, suf := range []string{".sts.yaml", ".sts.yml", ".yaml", ".yml"} {
		if s, ok := strings.CutSuffix(base, suf); ok {
			return s
		}
	}
	return base
}

// Evaluate runs the server's processing order on in under each selected generation and joins the
// answers: one report when they agree, the worse one (with both in Servers) when they differ.
func Evaluate(in Input) (*Report, error) {
	gens := in.Server
	if len(gens) == 0 {
		gens = policy.Generations
	}
	shared := sharedFindings(in, gens)
	reports := make([]*Report, 0, len(gens))
	results := make([]ServerResult, 0, len(gens))
	out := (*Report)(nil)
	for _, g := range gens {
		r, err := evaluateAs(in, g, shared)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
		results = append(results, ServerResult{Server: g, Verdict: r.Verdict, Status: r.Status, Message: r.Message})
		if out == nil || r.Verdict.worse(out.Verdict) {
			out = r
		}
	}
	for _, r := range reports {
		if r.Verdict != out.Verdict || r.Status != out.Status || r.Message != out.Message {
			out.Differs = true
		}
	}
	if out.Differs {
		out.Hints = mergeHints(out, reports, gens)
	}
	out.Servers = results
	return out, nil
}

// mergeHints keeps the worse report's hints and adds the other generations' own hints, labelled,
// after one hint that says how the generations differ.
func mergeHints(out *Report, reports []*Report, gens []policy.Generation) []Hint {
	var b strings.Builder
	for i, r := range reports {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "a %s server answers %s", gens[i], answerText(r))
	}
	hs := []Hint{{ID: "servers-differ", Message: b.String() + ". Which one you get depends on the server's deployment; a policy written for both (e.g. alternations wrapped as (?:a|b)) gets the same answer from each"}}
	hs = append(hs, out.Hints...)
	seen := map[string]bool{}
	for _, h := range out.Hints {
		seen[h.ID+"\x00"+h.Message] = true
	}
	for i, r := range reports {
		if r == out {
			continue
		}
		for _, h := range r.Hints {
			if !seen[h.ID+"\x00"+h.Message] {
				seen[h.ID+"\x00"+h.Message] = true
				h.Message = string(gens[i]) + " server: " + h.Message
				hs = append(hs, h)
			}
		}
	}
	return hs
}

// answerText is a verdict in one phrase: "200 (allow)" or "403 \"message\"".
func answerText(r *Report) string {
	switch {
	case r.Verdict == Allow:
		return "200 (allow)"
	case r.Verdict == Depends:
		return "allow or 400, depending on its App configuration"
	}
	return fmt.Sprintf("%d %q", r.Status, r.Message)
}

// evaluateAs runs generation g's processing order on in: token decoding and issuer format,
// signature (when checked), policy parse and compile, the App pin, then CheckToken.
func evaluateAs(in Input, g policy.Generation, shared []lint.Finding) (*Report, error) {
	if in.Claims == nil {
		return nil, errors.New("check: no claims to evaluate")
	}
	if in.Domain == "" {
		in.Domain = DefaultDomain
	}
	if in.Kind == "" {
		in.Kind = policy.KindRepo
	}
	if in.Kind != policy.KindRepo && in.Kind != policy.KindOrg {
		return nil, fmt.Errorf("check: cannot evaluate a %s file as a trust policy", in.Kind)
	}
	if in.Identity == "" {
		in.Identity = IdentityFromPath(in.PolicyPath)
	}
	r := &Report{
		PolicyPath: in.PolicyPath, Kind: in.Kind, Identity: in.Identity, Domain: in.Domain,
		Fields: []Field{}, Signature: signatureState(in),
	}

	// Steps 4–7 of the exchange happen before the policy is read.
	var pre *Field
	switch v := in.Verification; {
	case v != nil && v.Checked && !v.OK():
		pre = &Field{Status: v.Status, Message: v.Message, Note: v.Reason}
		if v.Unreachable {
			pre.Note = "" // the verdict's message already carries the reason
		}
	case !policy.IsValidIssuer(NormalizeIssuer(in.Claims.Issuer)):
		pre = &Field{Status: http.StatusBadRequest, Message: policy.ExchangeAnswer(g, policy.CodeIssuerFormat).Message,
			Note: fmt.Sprintf("the token's iss %q is not a valid issuer URL, so the server refuses it before reading any policy", in.Claims.Issuer)}
	}

	// Step 13: the org allowlist, after the token and before the policy.
	if pre == nil {
		pre = allowlistStep(in, g, r)
	}

	// Steps 15–17: read, parse and compile the policy, sharing the linter's model.
	tp, perr := decodePolicy(g, in.Kind, in.Policy)
	r.Covers = coverage(in, g)
	all := shared
	if all == nil {
		all = lintBytes(displayPath(in.PolicyPath), in.Policy, lint.Options{Kind: in.Kind, Repository: in.Repository, OrgPolicyRepo: in.OrgPolicyRepo, Server: []policy.Generation{g}})
	}
	r.Findings = findingsWhere(all, lint.Finding.Refuses)
	unmintable := findingsWhere(all, lint.Finding.Unmintable) // requests GitHub certainly refuses at mint time
	if perr != nil && len(r.Findings) == 0 {
		// The linter should always explain a refused policy; never leave the user without a reason.
		r.Findings = append(r.Findings, lint.Finding{File: displayPath(in.PolicyPath), Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
			Rule: lint.RuleServerRefuses, Severity: lint.SevError, Class: lint.ClassRefused, Message: perr.Error()})
	}
	switch {
	case pre != nil:
		r.Verdict, r.Status, r.Message = Deny, pre.Status, pre.Message
		if pre.Note != "" {
			r.Hints = append(r.Hints, Hint{ID: "token-refused", Message: pre.Note})
		}
		if perr != nil {
			r.Hints = append(r.Hints, Hint{ID: "policy-invalid-too", Message: "the policy is invalid as well (see the findings); fix both"})
			return r, nil //nolint:nilerr // an invalid policy is part of the report, not a failure of the evaluation
		}
	case perr != nil:
		r.Verdict, r.Status = InvalidPolicy, http.StatusNotFound
		code := policy.CodePolicyCompile
		var pe *parseError
		if errors.As(perr, &pe) {
			code = policy.CodePolicyParse
		}
		r.Message = policy.ExchangeAnswer(g, code, in.Identity).Message
		return r, nil
	}
	if len(r.Findings) > 0 {
		// Linter errors the server's decode and Compile accept: evaluate (the server will), but say so.
		r.Hints = append(r.Hints, Hint{ID: "linter-errors", Message: "the linter reports errors in this policy that the server's own checks accept; fix them, but they are not what decides this verdict"})
	}

	tok := policy.Token{Issuer: in.Claims.Issuer, Subject: in.Claims.Subject, Audience: in.Claims.Audience, Claims: in.Claims.Raw}
	r.Fields = fieldsFor(tp, tok, in.Domain)
	denial := tp.CheckToken(tok, in.Domain)
	if pre == nil {
		switch {
		case denial != nil:
			r.Verdict, r.Status, r.Message = Deny, denial.Status, denial.Message
			markReported(r.Fields, denial)
		case len(unmintable) > 0:
			// The server mints only after the policy allows: GitHub then refuses the request (422).
			a := policy.ExchangeAnswer(g, policy.CodeTokenExchangeFailure)
			r.Verdict, r.Status, r.Message = Deny, a.Status, a.Message
			r.Findings = append(r.Findings, unmintable...)
			r.Hints = append(r.Hints, Hint{ID: "token-exchange-failure", Message: "the token satisfies the policy, but GitHub refuses to mint what it asks for (see the findings): every exchange ends with this 403; fix the permissions or repositories"})
		case tp.Pinned():
			r.Verdict, r.Status = Depends, 0
			r.Message = "depends on the server's configuration: " + pinText(tp)
		default:
			r.Verdict, r.Status = Allow, http.StatusOK
		}
		if tp.Pinned() {
			r.Hints = append(r.Hints, Hint{ID: "app-pin", Field: pinField(tp), Message: pinHint(g, tp, in)})
		}
	}
	r.Hints = append(r.Hints, hintsFor(in, tp, tok, r)...)
	settle(in, r, g)
	return r, nil
}

// settle makes the verdict say what the exit code will: a signature that could not be checked
// from this machine is no verdict at all, and a scope whose owner differs in case from the
// token's repository_owner is answered 404 by the server however well the claims match.
func settle(in Input, r *Report, g policy.Generation) {
	if v := in.Verification; v != nil && v.Unreachable {
		r.Verdict, r.Status = Unverified, 0
		r.Message = "could not verify here: " + v.Reason
		return
	}
	if r.Verdict == Allow && hasHint(r, "scope-owner-case") {
		owner, _, _ := strings.Cut(in.Scope, "/")
		a := policy.ExchangeAnswer(g, policy.CodeNoInstallation, owner)
		r.Verdict, r.Status, r.Message = Deny, a.Status, a.Message
	}
}

// lintBytes is the linter entry point, a variable so tests can simulate a linter that disagrees.
var lintBytes = lint.Bytes

// parseError marks a strict-decoding failure (404 "unable to parse…") as opposed to a compile failure.
type parseError struct{ err error }

func (e *parseError) Error() string { return e.err.Error() }
func (e *parseError) Unwrap() error { return e.err }

func decodePolicy(g policy.Generation, k policy.Kind, data []byte) (*policy.TrustPolicy, error) {
	tp, _, err := policy.Decode(g, k, data)
	if err != nil {
		return nil, &parseError{err}
	}
	if err := tp.Compile(); err != nil {
		return nil, err
	}
	return tp, nil
}

func displayPath(p string) string {
	if p == "" {
		return "policy.sts.yaml"
	}
	return filepath.ToSlash(p)
}

// findingsWhere keeps the findings keep selects (nil when none, as the report has always had).
func findingsWhere(fs []lint.Finding, keep func(lint.Finding) bool) []lint.Finding {
	var out []lint.Finding
	for _, f := range fs {
		if keep(f) {
			out = append(out, f)
		}
	}
	return out
}

// fieldsFor shows every CheckToken row (the server stops at the first failure; the table shows
// them all), from the model's own rows, plus the 400s for token values the server refuses.
func fieldsFor(tp *policy.TrustPolicy, tok policy.Token, domain string) []Field {
	rows := tp.Rows(tok, domain)
	out := make([]Field, 0, len(rows))
	for _, row := range rows {
		f := Field{Field: row.Field, Policy: row.Policy, Expected: row.Expected, OK: row.Denial == nil}
		if d := row.Denial; d != nil {
			f.Status, f.Message = d.Status, d.Message
		}
		switch row.Field {
		case "issuer":
			f.Actual = tok.Issuer
		case "subject":
			f.Actual = tok.Subject
		case "audience":
			f.Actual = listText(tok.Audience)
			f.Expected = audienceExpected(row)
			if row.Default {
				f.Policy = "(default: the domain)"
				f.Note = "the policy sets neither audience nor audience_pattern, so the token's aud must contain the server's domain"
			}
		case "claim_pattern":
			f.Field = "claim_pattern[" + row.Key + "]"
			raw, ok := tok.Claims[row.Key]
			f.Actual = "(absent)"
			if ok {
				f.Actual = ClaimText(raw)
			}
			f.Note = claimNote(row, raw)
		}
		out = append(out, f)
	}
	markInvalidToken(out, tok)
	return out
}

func audienceExpected(row policy.Row) string {
	if row.Policy == "audience_pattern" {
		return "any of aud matches " + row.Expected
	}
	return row.Expected + " in aud"
}

func claimNote(row policy.Row, raw any) string {
	if row.Denial == nil {
		return ""
	}
	switch row.Denial.Code {
	case policy.CodeClaimMissing:
		return "only top-level claims are looked up, by exact (case-sensitive) name"
	case policy.CodeClaimNotString:
		return fmt.Sprintf("the claim is a JSON %s; only strings and booleans can be matched", jsonKind(raw))
	}
	return ""
}

// markInvalidToken overrides rows whose token value the server refuses before matching (400).
func markInvalidToken(fs []Field, tok policy.Token) {
	for i := range fs {
		f := &fs[i]
		switch f.Field {
		case "issuer":
			if !policy.IsValidIssuer(tok.Issuer) {
				f.OK, f.Status, f.Message = false, http.StatusBadRequest, policy.InvalidTokenMessage("issuer")
				f.Note = "the server refuses this iss before matching: it is not a valid issuer URL"
			}
		case "subject":
			if !policy.IsValidSubject(tok.Subject) {
				f.OK, f.Status, f.Message = false, http.StatusBadRequest, policy.InvalidTokenMessage("subject")
				f.Note = "the server refuses this sub before matching: " + policy.InvalidSubjectReason(tok.Subject)
			}
		case "audience":
			for _, a := range tok.Audience {
				if !policy.IsValidAudience(a) {
					f.OK, f.Status, f.Message = false, http.StatusBadRequest, policy.InvalidTokenMessage("audience")
					f.Note = fmt.Sprintf("the server refuses the token before matching: audience %q is invalid: %s", a, policy.InvalidAudienceReason(a))
					break
				}
			}
		}
	}
}

// markReported flags the row the server's denial is about (Denial.Field/Key), and makes sure the
// row agrees with the authoritative policy.CheckToken result.
func markReported(fs []Field, d *policy.Denial) {
	for i := range fs {
		name := d.Field
		if d.Field == "claim_pattern" {
			name = "claim_pattern[" + d.Key + "]"
		}
		if fs[i].Field == name {
			fs[i].Reported = true
			fs[i].OK = false
			fs[i].Status, fs[i].Message = d.Status, d.Message
			return
		}
	}
}

func listText(l []string) string {
	if l == nil {
		l = []string{}
	}
	return strings.TrimSuffix(string(marshal(l, false)), "\n")
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case float64, json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case string:
		return "string"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

// Refused reports a token the server turns away before any policy is read (e.g. 400 "invalid
// bearer token" for an undecodable payload), with the reason as a hint.
func Refused(in Input, status int, message, reason string) *Report {
	if in.Domain == "" {
		in.Domain = DefaultDomain
	}
	if in.Kind == "" {
		in.Kind = policy.KindRepo
	}
	if in.Identity == "" {
		in.Identity = IdentityFromPath(in.PolicyPath)
	}
	r := &Report{Verdict: Deny, Status: status, Message: message, PolicyPath: in.PolicyPath, Kind: in.Kind,
		Identity: in.Identity, Domain: in.Domain, Fields: []Field{}, Signature: signatureState(in)}
	if reason != "" {
		r.Hints = []Hint{{ID: "token-refused", Message: reason}}
	}
	return r
}

// allowlistStep runs the org trusted-issuers check on the token's issuer: 400 for an allowlist
// the server cannot compile, 403 for an issuer it does not permit in enforce mode; audit mode
// lets the token through with a hint.
func allowlistStep(in Input, g policy.Generation, r *Report) *Field {
	if in.Allowlist == nil {
		return nil
	}
	name := in.AllowlistPath
	if name == "" {
		name = policy.IssuersFileName
	}
	oti, err := policy.DecodeIssuers(in.Allowlist)
	var al *policy.Allowlist
	if err == nil {
		al, err = oti.Compile()
	}
	if err != nil {
		a := policy.ExchangeAnswer(g, policy.CodeAllowlistConfig)
		return &Field{Status: a.Status, Message: a.Message,
			Note: fmt.Sprintf("the org allowlist %s is invalid (%s); the server refuses every exchange for this owner until it is fixed (lint it with octo-sts lint --kind issuers)", name, err)}
	}
	if al.Allows(NormalizeIssuer(in.Claims.Issuer)) {
		return nil
	}
	if al.Mode == "audit" {
		r.Hints = append(r.Hints, Hint{ID: "allowlist-audit", Message: fmt.Sprintf("the org allowlist %s does not permit issuer %q; it is in audit mode, so the server only records this — in enforce mode the exchange would fail with 403", name, in.Claims.Issuer)})
		return nil
	}
	a := policy.ExchangeAnswer(g, policy.CodeIssuerNotPermitted)
	return &Field{Status: a.Status, Message: a.Message,
		Note: fmt.Sprintf("the org allowlist %s (enforce mode) does not permit issuer %q; add it to issuers or issuer_patterns there — the trust policy is not consulted", name, in.Claims.Issuer)}
}

// coverage is which repositories the minted token covers, from the scope and an org policy's
// repositories (spec §1.8).
func coverage(in Input, g policy.Generation) *Coverage {
	if in.Scope == "" {
		return nil
	}
	sc := policy.ResolveScope(in.Scope, in.OrgPolicyRepo)
	var repos []string
	if sc.Kind == policy.KindOrg && in.Kind == policy.KindOrg {
		if _, otp, err := policy.Decode(g, policy.KindOrg, in.Policy); err == nil && otp != nil {
			repos = otp.Repositories
		}
	}
	list, all := sc.Covered(repos)
	return &Coverage{AllRepositories: all, Repositories: list}
}

// sharedFindings lints once for every generation when they cannot differ on this policy: both
// decode and compile it, no pattern reads differently (SameMatching) and it pins no App. nil
// means each generation is linted on its own.
func sharedFindings(in Input, gens []policy.Generation) []lint.Finding {
	if len(gens) < 2 || (in.Kind != policy.KindRepo && in.Kind != policy.KindOrg && in.Kind != "") {
		return nil
	}
	kind := in.Kind
	if kind == "" {
		kind = policy.KindRepo
	}
	for _, g := range gens {
		tp, _, err := policy.Decode(g, kind, in.Policy)
		if err != nil || len(tp.Problems()) > 0 || !tp.SameMatching() || tp.Pinned() {
			return nil
		}
	}
	fs := lintBytes(displayPath(in.PolicyPath), in.Policy, lint.Options{Kind: kind, Repository: in.Repository, OrgPolicyRepo: in.OrgPolicyRepo, Server: gens})
	if fs == nil {
		fs = []lint.Finding{}
	}
	return fs
}
