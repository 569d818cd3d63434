// Mirrors pkg/octosts/org_trusted_issuers.go of github.com/octo-sts/app at commit
// cb87fc17675a32a661268c2deafc8eb32b52dbf6 (unchanged in the current generation): the allowlist's
// shape, caps, Compile() order and messages, the '/'-span check and matching.

package policy

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// OrgTrustedIssuers is the org allowlist file (trusted-token-issuers.yaml) in the server's shape.
type OrgTrustedIssuers struct {
	Mode           string   `json:"mode,omitempty"`
	Issuers        []string `json:"issuers,omitempty"`
	IssuerPatterns []string `json:"issuer_patterns,omitempty"`
}

// Allowlist caps, as the server enforces them.
const (
	MaxIssuers        = 64
	MaxIssuerPatterns = 16
	MaxPatternBytes   = 256
)

// Allowlist is a compiled org trusted-issuers file, for simulating the server's issuer gate.
type Allowlist struct {
	Mode     string
	issuers  []string
	patterns []*regexp.Regexp
}

// Allows reports whether the allowlist permits iss (byte-exact issuers or ^(?:p)$ patterns, a union).
func (a *Allowlist) Allows(iss string) bool {
	if slices.Contains(a.issuers, iss) {
		return true
	}
	for _, re := range a.patterns {
		if re.MatchString(iss) {
			return true
		}
	}
	return false
}

// Problems lists every reason the server's allowlist Compile() would fail, in its order (the server
// stops at the first). Key holds the offending list index.
func (c *OrgTrustedIssuers) Problems() []Problem {
	var out []Problem
	switch c.Mode {
	case "", "enforce", "audit":
	default:
		out = append(out, Problem{Code: CodeAllowlistMode, Field: "mode", Msg: fmt.Sprintf("unknown mode %q (want %q or %q)", c.Mode, "enforce", "audit")})
	}
	if len(c.Issuers) == 0 && len(c.IssuerPatterns) == 0 {
		out = append(out, Problem{Code: CodeAllowlistEmpty, Field: "issuers", Msg: "must list at least one entry in issuers or issuer_patterns"})
	}
	if len(c.Issuers) > MaxIssuers {
		out = append(out, Problem{Code: CodeAllowlistTooManyIssuers, Field: "issuers", Msg: fmt.Sprintf("too many issuers: %d (max %d)", len(c.Issuers), MaxIssuers)})
	}
	if len(c.IssuerPatterns) > MaxIssuerPatterns {
		out = append(out, Problem{Code: CodeAllowlistTooManyPatterns, Field: "issuer_patterns", Msg: fmt.Sprintf("too many issuer_patterns: %d (max %d)", len(c.IssuerPatterns), MaxIssuerPatterns)})
	}
	for i, iss := range c.Issuers {
		idx := strconv.Itoa(i)
		if !IsValidIssuer(iss) {
			out = append(out, Problem{Code: CodeAllowlistIssuerInvalid, Field: "issuers", Key: idx, Msg: fmt.Sprintf("invalid issuer %q", iss)})
			continue
		}
		if !lowercaseSchemeAndHost(iss) {
			out = append(out, Problem{Code: CodeAllowlistIssuerCase, Field: "issuers", Key: idx, Msg: fmt.Sprintf("issuer %q must be lowercase in scheme and host", iss)})
		}
	}
	for i, p := range c.IssuerPatterns {
		idx := strconv.Itoa(i)
		if len(p) > MaxPatternBytes {
			out = append(out, Problem{Code: CodeAllowlistPatternTooLong, Field: "issuer_patterns", Key: idx, Msg: fmt.Sprintf("issuer_patterns[%d] too long: %d chars (max %d)", i, len(p), MaxPatternBytes)})
			continue
		}
		if what := SpanningElement(p); what != "" {
			out = append(out, Problem{Code: CodeAllowlistPatternSpan, Field: "issuer_patterns", Key: idx, Msg: spanMessage(i, what)})
			continue
		}
		if _, err := compileIssuerPattern(p); err != nil {
			out = append(out, Problem{Code: CodeAllowlistPatternInvalid, Field: "issuer_patterns", Key: idx, Msg: fmt.Sprintf("invalid issuer_pattern %q: %v", p, err), Err: err})
		}
	}
	return out
}

// Compile validates the allowlist like the server's ParseOrgTrustedIssuers and returns it ready to match.
func (c *OrgTrustedIssuers) Compile() (*Allowlist, error) {
	if ps := c.Problems(); len(ps) > 0 {
		return nil, ps[0]
	}
	a := &Allowlist{Mode: c.Mode, issuers: slices.Clone(c.Issuers)}
	if a.Mode == "" {
		a.Mode = "enforce"
	}
	for _, p := range c.IssuerPatterns {
		re, _ := compileIssuerPattern(p)
		a.patterns = append(a.patterns, re)
	}
	return a, nil
}

// compileIssuerPattern compiles p alone (so ")(" cannot hide inside the group) and then as ^(?:p)$.
func compileIssuerPattern(p string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(p); err != nil {
		return nil, err
	}
	return regexp.Compile("^(?:" + p + ")$")
}

func spanMessage(i int, what string) string {
	return fmt.Sprintf(`issuer_patterns[%d]: %s, so the pattern can span past the host into an attacker-controlled domain, as "https://.*\.example\.com" also permits "https://totally-evil.com/x.example.com" — escape literal dots as "\." and bound each varying part, e.g. https://[a-z0-9-]+\.example\.com. Keep "/" at a fixed position, writing a path one segment at a time, and give alternatives their own issuer_patterns entries. This is a best-effort check, not a guarantee: write patterns as narrowly as you can`, i, what)
}

// SpanningElement runs the server's '/'-span check on an allowlist pattern using Go's own
// regexp/syntax parser (prefix factoring changes the tree, so nothing else agrees). It returns what
// lets the pattern match "/", or "" when the pattern passes or does not parse.
func SpanningElement(p string) string {
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return ""
	}
	return spanning(re, false)
}

func spanning(re *syntax.Regexp, variable bool) string {
	switch re.Op {
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat, syntax.OpAlternate:
		variable = true
	}
	switch re.Op {
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return `"." can match "/"`
	case syntax.OpCharClass:
		for j := 0; j+1 < len(re.Rune); j += 2 {
			if re.Rune[j] <= '/' && '/' <= re.Rune[j+1] {
				return `a character class can match "/"`
			}
		}
	case syntax.OpLiteral:
		if variable && slices.Contains(re.Rune, '/') {
			return `a literal "/" sits inside a repetition, optional or alternation`
		}
	}
	for _, sub := range re.Sub {
		if what := spanning(sub, variable); what != "" {
			return what
		}
	}
	return ""
}

// lowercaseSchemeAndHost inspects the raw text up to the first "/" after "://", as the server does.
func lowercaseSchemeAndHost(iss string) bool {
	sh := iss
	if i := strings.Index(iss, "://"); i >= 0 {
		if j := strings.Index(iss[i+3:], "/"); j >= 0 {
			sh = iss[:i+3+j]
		}
	}
	return sh == strings.ToLower(sh)
}
