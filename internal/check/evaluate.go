package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"path/filepath"
	"slices"
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
)

// Input is everything one evaluation needs, as plain values so the CLI and the action share it.
type Input struct {
	PolicyPath string      // shown in output and used for lint positions; also yields the identity
	Policy     []byte      // the policy file's contents
	Kind       policy.Kind // policy.KindRepo (default) or policy.KindOrg
	Identity   string      // the exchange's identity; "" derives it from PolicyPath
	Repository string      // owner/name holding the policy, for the linter (optional)
	Scope      string      // the exchange scope, for hints (optional)
	Domain     string      // the server's STS_DOMAIN; "" is DefaultDomain
	Claims     *Claims     // the token's decoded claims
	// Verification is the signature check result; nil means the signature was not checked.
	Verification *Verification
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

	claims map[string]any // the evaluated claims, for renderers that show context
}

// SignatureState says whether and how the token's signature was checked, so output never implies
// a verification that did not happen.
type SignatureState struct {
	Checked bool   `json:"checked"`
	Offline bool   `json:"offline,omitempty"`
	OK      bool   `json:"ok"`
	Reason  string `json:"reason,omitempty"`
}

// IdentityFromPath derives the exchange identity from a policy file name (<identity>.sts.yaml).
func IdentityFromPath(p string) string {
	base := path.Base(filepath.ToSlash(p))
	for _, suf := range []string{".sts.yaml", ".sts.yml", ".yaml", ".yml"} {
		if s, ok := strings.CutSuffix(base, suf); ok {
			return s
		}
	}
	return base
}

// KindForScope reproduces the server's scope parsing (spec §1.11): an owner alone or
// owner/<ORG_POLICY_REPO> (case-sensitive) reads an org policy, anything else a repo policy.
func KindForScope(scope string) policy.Kind {
	if scope == "" {
		return policy.KindRepo
	}
	if !strings.Contains(scope, "/") {
		return policy.KindOrg
	}
	if path.Base(scope) == policy.DefaultOrgPolicyRepo {
		return policy.KindOrg
	}
	return policy.KindRepo
}

// Evaluate runs the server's processing order on in: token decoding and issuer format, signature
// (when checked), policy parse and compile, then CheckToken, and explains every field.
func Evaluate(in Input) (*Report, error) {
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
		Fields: []Field{},
	}
	if v := in.Verification; v != nil {
		r.Signature = SignatureState{Checked: v.Checked, Offline: v.Offline, OK: v.OK(), Reason: v.Reason}
	}

	// Steps 4–7 of the exchange happen before the policy is read.
	var pre *Field
	switch v := in.Verification; {
	case v != nil && v.Checked && !v.OK():
		pre = &Field{Status: v.Status, Message: v.Message, Note: v.Reason}
	case !policy.IsValidIssuer(NormalizeIssuer(in.Claims.Issuer)):
		pre = &Field{Status: http.StatusBadRequest, Message: MsgIssuerFormat,
			Note: fmt.Sprintf("the token's iss %q is not a valid issuer URL, so the server refuses it before reading any policy", in.Claims.Issuer)}
	}

	// Steps 15–17: read, parse and compile the policy, sharing the linter's model.
	tp, perr := decodePolicy(in.Kind, in.Policy)
	r.Findings = errorFindings(lintBytes(displayPath(in.PolicyPath), in.Policy, lint.Options{Kind: in.Kind, Repository: in.Repository}))
	if perr != nil && len(r.Findings) == 0 {
		// The linter should always explain a refused policy; never leave the user without a reason.
		r.Findings = append(r.Findings, lint.Finding{File: displayPath(in.PolicyPath), Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
			Rule: "server", Severity: lint.SevError, Message: perr.Error()})
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
		r.Message = fmt.Sprintf("unable to compile trust policy found for %q", in.Identity)
		var pe *parseError
		if errors.As(perr, &pe) {
			r.Message = fmt.Sprintf("unable to parse trust policy found for %q", in.Identity)
		}
		return r, nil
	}
	if len(r.Findings) > 0 {
		// Linter errors the server's decode and Compile accept: evaluate (the server will), but say so.
		r.Hints = append(r.Hints, Hint{ID: "linter-errors", Message: "the linter reports errors in this policy that the server's own checks accept; fix them, but they are not what decides this verdict"})
	}

	tok := policy.Token{Issuer: in.Claims.Issuer, Subject: in.Claims.Subject, Audience: in.Claims.Audience, Claims: in.Claims.Raw}
	r.Fields = fieldsFor(tp, tok, in.Domain)
	denial := tp.Check(tok, in.Domain)
	if pre == nil {
		if denial == nil {
			r.Verdict, r.Status = Allow, http.StatusOK
		} else {
			r.Verdict, r.Status, r.Message = Deny, denial.Status, denial.Message
			markReported(r.Fields, denial)
		}
	}
	r.Hints = append(r.Hints, hintsFor(in, tp, tok, r)...)
	return r, nil
}

// lintBytes is the linter entry point, a variable so tests can simulate a linter that disagrees.
var lintBytes = lint.Bytes

// parseError marks a strict-decoding failure (404 "unable to parse…") as opposed to a compile failure.
type parseError struct{ err error }

func (e *parseError) Error() string { return e.err.Error() }
func (e *parseError) Unwrap() error { return e.err }

func decodePolicy(k policy.Kind, data []byte) (*policy.TrustPolicy, error) {
	var tp *policy.TrustPolicy
	switch k {
	case policy.KindOrg:
		otp, err := policy.DecodeOrg(data)
		if err != nil {
			return nil, &parseError{err}
		}
		tp = &otp.TrustPolicy
	default:
		t, err := policy.DecodeRepo(data)
		if err != nil {
			return nil, &parseError{err}
		}
		tp = t
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

func errorFindings(fs []lint.Finding) []lint.Finding {
	var out []lint.Finding
	for _, f := range fs {
		if f.Refuses() {
			out = append(out, f)
		}
	}
	return out
}

// fieldsFor evaluates every row independently (the server stops at the first failure; the table
// shows them all), with the server's per-row status and message.
func fieldsFor(tp *policy.TrustPolicy, tok policy.Token, domain string) []Field {
	var out []Field

	iss := exactOrPattern("issuer", tp.Issuer, tp.IssuerPattern, tok.Issuer)
	if !policy.IsValidIssuer(tok.Issuer) {
		iss.OK, iss.Status, iss.Message = false, http.StatusBadRequest, "invalid issuer in token"
		iss.Note = "the server refuses this iss before matching: it is not a valid issuer URL"
	}
	out = append(out, iss)

	sub := exactOrPattern("subject", tp.Subject, tp.SubjectPattern, tok.Subject)
	if !policy.IsValidSubject(tok.Subject) {
		sub.OK, sub.Status, sub.Message = false, http.StatusBadRequest, "invalid subject in token"
		sub.Note = "the server refuses this sub before matching: " + policy.InvalidSubjectReason(tok.Subject)
	}
	out = append(out, sub)

	aud := Field{Field: "audience", Actual: listText(tok.Audience), OK: true}
	switch {
	case tp.AudiencePattern != "":
		aud.Policy, aud.Expected = "audience_pattern", "any of aud matches "+anchored(tp.AudiencePattern)
		if !slices.ContainsFunc(tok.Audience, func(a string) bool { return matches(tp.AudiencePattern, a) }) {
			aud.OK, aud.Status = false, http.StatusForbidden
			aud.Message = fmt.Sprintf("trust policy: audience_pattern %q did not match any of %q", tp.AudiencePattern, tok.Audience)
		}
	case tp.Audience != "":
		aud.Policy, aud.Expected = "audience", tp.Audience+" in aud"
		if !slices.Contains(tok.Audience, tp.Audience) {
			aud.OK, aud.Status = false, http.StatusForbidden
			aud.Message = fmt.Sprintf("trust policy: audience %q did not match any of %q", tp.Audience, tok.Audience)
		}
	default:
		aud.Policy, aud.Expected = "(default: the domain)", domain+" in aud"
		aud.Note = "the policy sets neither audience nor audience_pattern, so the token's aud must contain the server's domain"
		if !slices.Contains(tok.Audience, domain) {
			aud.OK, aud.Status = false, http.StatusForbidden
			aud.Message = fmt.Sprintf("trust policy: audience %q did not match any of %q", domain, tok.Audience)
		}
	}
	for _, a := range tok.Audience {
		if !policy.IsValidAudience(a) {
			aud.OK, aud.Status, aud.Message = false, http.StatusBadRequest, "invalid audience in token"
			aud.Note = fmt.Sprintf("the server refuses the token before matching: audience %q is invalid: %s", a, policy.InvalidAudienceReason(a))
			break
		}
	}
	out = append(out, aud)

	keys := make([]string, 0, len(tp.ClaimPattern))
	for k := range tp.ClaimPattern {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p := tp.ClaimPattern[k]
		f := Field{Field: "claim_pattern[" + k + "]", Policy: "claim_pattern", Expected: anchored(p), OK: true}
		raw, ok := tok.Claims[k]
		switch {
		case !ok:
			f.Actual = "(absent)"
			f.OK, f.Status = false, http.StatusForbidden
			f.Message = fmt.Sprintf("trust policy: expected claim %q not found in token", k)
			f.Note = "only top-level claims are looked up, by exact (case-sensitive) name"
		default:
			f.Actual = ClaimText(raw)
			val, isStr := policy.ClaimString(raw)
			switch {
			case !isStr:
				f.OK, f.Status = false, http.StatusForbidden
				f.Message = fmt.Sprintf("trust policy: expected claim %q not a string", k)
				f.Note = fmt.Sprintf("the claim is a JSON %s; only strings and booleans can be matched", jsonKind(raw))
			case !matches(p, val):
				f.OK, f.Status = false, http.StatusForbidden
				f.Message = fmt.Sprintf("trust policy: claim %q did not match %q", k, anchored(p))
			}
		}
		out = append(out, f)
	}
	return out
}

// exactOrPattern evaluates an issuer or subject row: the pattern form when set, else byte-exact
// equality, with the server's 403 message for each.
func exactOrPattern(name, exact, pattern, actual string) Field {
	f := Field{Field: name, Actual: actual, OK: true}
	if pattern != "" {
		f.Policy, f.Expected = name+"_pattern", anchored(pattern)
		if !matches(pattern, actual) {
			f.OK, f.Status = false, http.StatusForbidden
			f.Message = fmt.Sprintf("trust policy: %s %q did not match pattern %q", name, actual, pattern)
		}
		return f
	}
	f.Policy, f.Expected = name, exact
	if actual != exact {
		f.OK, f.Status = false, http.StatusForbidden
		f.Message = fmt.Sprintf("trust policy: %s %q did not match %q", name, actual, exact)
	}
	return f
}

// markReported flags the row the server's denial is about (Denial.Field/Key), and makes sure the
// row agrees with the authoritative policy.Check result.
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

func anchored(p string) string { return "^" + p + "$" }

func matches(p, s string) bool {
	re, err := policy.CompileAnchored(p)
	return err == nil && re.MatchString(s)
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
		Identity: in.Identity, Domain: in.Domain, Fields: []Field{}}
	if v := in.Verification; v != nil {
		r.Signature = SignatureState{Checked: v.Checked, Offline: v.Offline, OK: v.OK(), Reason: v.Reason}
	}
	if reason != "" {
		r.Hints = []Hint{{ID: "token-refused", Message: reason}}
	}
	return r
}
