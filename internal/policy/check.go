package policy

import (
	"fmt"
	"net/http"
	"slices"
)

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
	Status  int    // 400, 403 or 500
	Message string // the server's message, byte for byte
	Field   string // which policy field decided: issuer, subject, audience, claim_pattern, token
	Key     string // the claim_pattern key, when Field is claim_pattern
}

func (d *Denial) Error() string { return d.Message }

// Check evaluates tok against the compiled policy in the server's order (spec §3.4) and returns nil
// when the server would mint a token. domain is the server's STS_DOMAIN (the default audience).
// claim_pattern entries are checked in sorted key order; the server's map order is random, so when
// several claims fail it may name a different one.
func (tp *TrustPolicy) Check(tok Token, domain string) *Denial {
	if !tp.isCompiled {
		return &Denial{Status: http.StatusInternalServerError, Message: "trust policy: not compiled", Field: "policy"}
	}
	if !IsValidIssuer(tok.Issuer) {
		return &Denial{Status: http.StatusBadRequest, Message: "invalid issuer in token", Field: "issuer"}
	}
	if !IsValidSubject(tok.Subject) {
		return &Denial{Status: http.StatusBadRequest, Message: "invalid subject in token", Field: "subject"}
	}
	for _, a := range tok.Audience {
		if !IsValidAudience(a) {
			return &Denial{Status: http.StatusBadRequest, Message: "invalid audience in token", Field: "audience"}
		}
	}
	deny := func(field, format string, args ...any) *Denial {
		return &Denial{Status: http.StatusForbidden, Message: fmt.Sprintf(format, args...), Field: field}
	}
	switch {
	case tp.issuerPattern != nil:
		if !tp.issuerPattern.MatchString(tok.Issuer) {
			return deny("issuer", "trust policy: issuer %q did not match pattern %q", tok.Issuer, tp.IssuerPattern)
		}
	case tok.Issuer != tp.Issuer:
		return deny("issuer", "trust policy: issuer %q did not match %q", tok.Issuer, tp.Issuer)
	}
	switch {
	case tp.subjectPattern != nil:
		if !tp.subjectPattern.MatchString(tok.Subject) {
			return deny("subject", "trust policy: subject %q did not match pattern %q", tok.Subject, tp.SubjectPattern)
		}
	case tok.Subject != tp.Subject:
		return deny("subject", "trust policy: subject %q did not match %q", tok.Subject, tp.Subject)
	}
	switch {
	case tp.audiencePattern != nil:
		if !slices.ContainsFunc(tok.Audience, tp.audiencePattern.MatchString) {
			return deny("audience", "trust policy: audience_pattern %q did not match any of %q", tp.AudiencePattern, tok.Audience)
		}
	case tp.Audience != "":
		if !slices.Contains(tok.Audience, tp.Audience) {
			return deny("audience", "trust policy: audience %q did not match any of %q", tp.Audience, tok.Audience)
		}
	default:
		if !slices.Contains(tok.Audience, domain) {
			return deny("audience", "trust policy: audience %q did not match any of %q", domain, tok.Audience)
		}
	}
	keys := make([]string, 0, len(tp.claimPattern))
	for k := range tp.claimPattern {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		re := tp.claimPattern[k]
		raw, ok := tok.Claims[k]
		if !ok {
			d := deny("claim_pattern", "trust policy: expected claim %q not found in token", k)
			d.Key = k
			return d
		}
		val, ok := ClaimString(raw)
		if !ok {
			d := deny("claim_pattern", "trust policy: expected claim %q not a string", k)
			d.Key = k
			return d
		}
		if !re.MatchString(val) {
			d := deny("claim_pattern", "trust policy: claim %q did not match %q", k, re)
			d.Key = k
			return d
		}
	}
	return nil
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
