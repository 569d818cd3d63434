package policy

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
)

// Problem is one reason the server's Compile() would refuse a policy, tied to the field (and claim
// key) so the linter can point at the right line while keeping the server's exact message.
type Problem struct {
	Field string // YAML field name, e.g. "issuer_pattern", "claim_pattern", "mode", "issuers"
	Key   string // claim_pattern key, or the list index for allowlist entries ("3"), else ""
	Msg   string // the server's message for this problem
	Err   error  // the underlying RE2 error for pattern problems, else nil
}

func (p Problem) Error() string { return p.Msg }

// CompileAnchored compiles a trust-policy pattern the way the server does: "^" + p + "$" by string
// concatenation, without a group (so a top-level "|" is only half-anchored).
func CompileAnchored(p string) (*regexp.Regexp, error) {
	return regexp.Compile("^" + p + "$")
}

// Problems lists every reason Compile() would fail, in the server's order; the server stops at the
// first, the linter reports them all.
func (tp *TrustPolicy) Problems() []Problem { return tp.ProblemsWith(CheckAnchored) }

// CheckAnchored reports whether "^" + p + "$" compiles, with regexp.Compile's exact error, without
// building a matcher: regexp.Compile's only errors are the parser's.
func CheckAnchored(p string) error {
	_, err := syntax.Parse("^"+p+"$", syntax.Perl)
	return err
}

// ProblemsWith is Problems with the pattern check supplied, so a caller can share compiled
// patterns; check must fail exactly when CompileAnchored fails.
func (tp *TrustPolicy) ProblemsWith(check func(string) error) []Problem {
	var out []Problem
	pattern := func(field, p string) {
		if err := check(p); err != nil {
			out = append(out, Problem{Field: field, Msg: err.Error(), Err: err})
		}
	}
	switch {
	case tp.Issuer != "" && tp.IssuerPattern != "":
		out = append(out, Problem{Field: "issuer_pattern", Msg: "trust policy: only one of issuer or issuer_pattern can be set, got both"})
	case tp.Issuer == "" && tp.IssuerPattern == "":
		out = append(out, Problem{Field: "issuer", Msg: "trust policy: one of issuer or issuer_pattern must be set, got neither"})
	case tp.IssuerPattern != "":
		pattern("issuer_pattern", tp.IssuerPattern)
	}
	switch {
	case tp.Subject != "" && tp.SubjectPattern != "":
		out = append(out, Problem{Field: "subject_pattern", Msg: "trust policy: only one of subject or subject_pattern can be set, got both"})
	case tp.Subject == "" && tp.SubjectPattern == "":
		out = append(out, Problem{Field: "subject", Msg: "trust policy: one of subject or subject_pattern must be set, got neither"})
	case tp.SubjectPattern != "":
		pattern("subject_pattern", tp.SubjectPattern)
	}
	switch {
	case tp.Audience != "" && tp.AudiencePattern != "":
		out = append(out, Problem{Field: "audience_pattern", Msg: "trust policy: only one of audience or audience_pattern can be set, got both"})
	case tp.AudiencePattern != "":
		pattern("audience_pattern", tp.AudiencePattern)
	}
	keys := make([]string, 0, len(tp.ClaimPattern))
	for k := range tp.ClaimPattern {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := check(tp.ClaimPattern[k]); err != nil {
			out = append(out, Problem{Field: "claim_pattern", Key: k, Msg: fmt.Sprintf("error compiling claim_pattern[%q]: %v", k, err), Err: err})
		}
	}
	return out
}

// Compile validates the policy like the server's Compile() and prepares it for Check.
func (tp *TrustPolicy) Compile() error {
	if tp.isCompiled {
		return errors.New("trust policy: already compiled")
	}
	if ps := tp.Problems(); len(ps) > 0 {
		return ps[0]
	}
	if tp.IssuerPattern != "" {
		tp.issuerPattern, _ = CompileAnchored(tp.IssuerPattern)
	}
	if tp.SubjectPattern != "" {
		tp.subjectPattern, _ = CompileAnchored(tp.SubjectPattern)
	}
	if tp.AudiencePattern != "" {
		tp.audiencePattern, _ = CompileAnchored(tp.AudiencePattern)
	}
	tp.claimPattern = make(map[string]*regexp.Regexp, len(tp.ClaimPattern))
	for k, v := range tp.ClaimPattern {
		tp.claimPattern[k], _ = CompileAnchored(v)
	}
	tp.isCompiled = true
	return nil
}

// Compiled reports whether Compile succeeded, so callers never evaluate a half-valid policy.
func (tp *TrustPolicy) Compiled() bool { return tp.isCompiled }
