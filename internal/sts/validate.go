package sts

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/octo-sts/action/internal/policy"
)

// Input validation happens before any network request so a typo fails in milliseconds with the
// field name and the fix, instead of as a puzzling 404 from the server after an ID token was minted.

// InputError is a bad value of one field, named by its action input (Field, e.g. "scope"): each
// front end names the field its own way (the CLI's --scope, a column of the tokens input) through
// Named, never by rewriting the message.
type InputError struct {
	Field  string
	Detail string // the message after the field's name, e.g. ` is empty: ...` or `: "x" is not ...`
}

// Error names the field as the action input it is: `input "scope": ...`.
func (e *InputError) Error() string { return e.Named(fmt.Sprintf("input %q", e.Field)) }

// Named is the message with the field called name.
func (e *InputError) Named(name string) string { return name + e.Detail }

// inputError builds an InputError whose detail is format filled with args.
func inputError(field, format string, args ...any) error {
	return &InputError{Field: field, Detail: fmt.Sprintf(format, args...)}
}

const ownerRule = "owner: letters, digits and single hyphens, not starting or ending with a hyphen, at most 39 characters"
const repoRule = "repo: letters, digits, '.', '-' and '_', at most 100 characters, not '.' or '..'"

// ValidateScope checks that scope is a GitHub `owner` or `owner/repo`, the only forms Octo STS
// resolves (it splits on the last '/', so anything else silently targets the wrong owner).
func ValidateScope(scope string) error {
	if scope == "" {
		return inputError("scope", ` is empty: set it to the target "owner/repo", or "owner" for an organization policy`)
	}
	owner, repo, hasRepo := strings.Cut(scope, "/")
	if err := validOwner(owner); err != nil {
		return inputError("scope", ": %q is not a GitHub owner or owner/repo (%s; %s)", scope, ownerRule, repoRule)
	}
	if hasRepo {
		if err := validRepo(repo); err != nil {
			return inputError("scope", ": %q is not a GitHub owner or owner/repo (%s; %s)", scope, ownerRule, repoRule)
		}
	}
	return nil
}

// ValidateOrgPolicyRepo is the one wording of a bad org-policy-repo (action input, CLI
// --org-policy-repo through InputError.Named): empty for the default, else a bare repository
// name, since the server reads <owner>/<name> and a "/" or a space would point every hint elsewhere.
func ValidateOrgPolicyRepo(name string) error {
	if name == "" || validRepo(name) == nil {
		return nil
	}
	return inputError("org-policy-repo", ": %q must be a bare repository name such as .github, not owner/name (%s)", name, repoRule)
}

func validOwner(s string) error {
	if s == "" || len(s) > 39 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return errBad
	}
	for _, r := range s {
		if !isAlnum(r) && r != '-' {
			return errBad
		}
	}
	return nil
}

func validRepo(s string) error {
	if s == "" || len(s) > 100 || s == "." || s == ".." {
		return errBad
	}
	for _, r := range s {
		if !isAlnum(r) && r != '-' && r != '.' && r != '_' {
			return errBad
		}
	}
	return nil
}

func isAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

type validationError string

func (e validationError) Error() string { return string(e) }

const errBad = validationError("invalid")

// ValidateIdentity checks that identity names a policy file the server can read: it reads
// `.github/chainguard/<identity>.sts.yaml` with the raw identity, so "team/deploy" reads a
// sub-directory, while a `..` segment (refused by go-github), an empty segment, a backslash or
// whitespace can only point at a file that is not a trust policy.
func ValidateIdentity(id string) error {
	const rule = "a policy name such as \"deploy\" for .github/chainguard/deploy.sts.yaml, or \"team/deploy\" for a sub-directory: no '\\', '.' or '..' segments, empty segments, whitespace or control characters"
	switch {
	case id == "":
		return inputError("identity", ` is empty: set it to the policy name, e.g. "deploy" for .github/chainguard/deploy.sts.yaml`)
	case strings.HasSuffix(id, ".sts.yaml"):
		return inputError("identity", ": %q includes the file suffix; use %q (the server appends .sts.yaml)", id, strings.TrimSuffix(id, ".sts.yaml"))
	case len(id) > 255:
		return inputError("identity", " is %d bytes long; it must be %s", len(id), rule)
	case strings.Contains(id, `\`):
		return inputError("identity", ": %q is not %s", id, rule)
	}
	for seg := range strings.SplitSeq(id, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return inputError("identity", ": %q is not %s", id, rule)
		}
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f || isUnicodeSpaceOrControl(r) {
			return inputError("identity", ": %q is not %s", id, rule)
		}
	}
	return nil
}

func isUnicodeSpaceOrControl(r rune) bool {
	switch r {
	case 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF, 0xFFFD:
		return true
	}
	return (r >= 0x80 && r <= 0x9f) || (r >= 0x2000 && r <= 0x200b)
}

// ValidateDomain checks that domain is a bare host[:port]: it is both the STS host and the
// default token audience, and the server compares the audience to the bare domain, so a scheme or
// path would make every exchange fail with an audience mismatch.
func ValidateDomain(domain string) error {
	const rule = "a bare host name with optional :port, e.g. octo-sts.dev (no https://, path, query or spaces)"
	if domain == "" {
		return inputError("domain", ` is empty: set it to %s`, rule)
	}
	if strings.Contains(domain, "://") {
		return inputError("domain", ": %q has a scheme; use %s", domain, rule)
	}
	if strings.ContainsAny(domain, "/?#@ \t\r\n\\%") {
		return inputError("domain", ": %q is not %s", domain, rule)
	}
	host, port := domain, ""
	if strings.HasPrefix(domain, "[") {
		end := strings.IndexByte(domain, ']')
		if end < 0 {
			return inputError("domain", ": %q is not %s", domain, rule)
		}
		host, port = domain[1:end], domain[end+1:]
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil {
			return inputError("domain", ": %q is not %s", domain, rule)
		}
		if port != "" {
			if !strings.HasPrefix(port, ":") {
				return inputError("domain", ": %q is not %s", domain, rule)
			}
			port = port[1:]
		}
	} else if h, p, ok := strings.Cut(domain, ":"); ok {
		host, port = h, p
		if !validHostname(host) {
			return inputError("domain", ": %q is not %s", domain, rule)
		}
	} else if !validHostname(host) {
		return inputError("domain", ": %q is not %s", domain, rule)
	}
	if port != "" || strings.HasSuffix(domain, ":") {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+' {
			return inputError("domain", ": %q has an invalid port; use %s", domain, rule)
		}
	}
	return nil
}

func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !isAlnum(r) && r != '-' {
				return false
			}
		}
	}
	return true
}

// ValidateAudience checks an explicit audience against the rules Octo STS applies to every `aud`
// in a token (policy.IsValidAudience: one bad entry rejects the token with a 400), so the mistake
// is reported here instead of after a round trip.
func ValidateAudience(aud string) error {
	if aud == "" {
		return inputError("audience", ` is empty: leave it unset to use the domain, or set a plain string such as octo-sts.dev`)
	}
	if !policy.IsValidAudience(aud) {
		return inputError("audience", ": %q cannot be an audience, because %s; the server refuses any token with such an audience (%s)", aud, policy.InvalidAudienceReason(aud), policy.AudienceRule)
	}
	return nil
}

// MaxTimeout bounds the exchange deadline (action input "timeout", CLI --timeout): a typo like
// "60m" must not pin a runner for an hour.
const MaxTimeout = 15 * time.Minute

// ParseTimeout reads an exchange deadline (action input "timeout", CLI --timeout) and checks it
// with ValidateTimeout, so both front ends word every mistake the same way.
func ParseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, DurationError("timeout", s)
	}
	return d, ValidateTimeout(d)
}

// DurationError words a value that is not a Go duration, for the input (or flag) name; a bare
// number gets the unit it most likely meant.
func DurationError(name, value string) error {
	if bareNumber.MatchString(value) {
		return inputError(name, ": %q has no unit; write %ss (a Go duration such as 60s or 2m)", value, value)
	}
	return inputError(name, ": %q is not a Go duration such as 60s or 2m", value)
}

var bareNumber = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,9})?$`)

// ValidateTimeout checks an exchange deadline against (0, MaxTimeout], worded like the other
// input checks so the action and the CLI (which names it --timeout through InputError.Named) agree.
func ValidateTimeout(d time.Duration) error {
	if d <= 0 || d > MaxTimeout {
		return inputError("timeout", ": %s is out of range; use a duration between 1s and %s", ShortDuration(d), ShortDuration(MaxTimeout))
	}
	return nil
}

// ShortDuration writes d the way people type it (15m, 1h30m, 2h) rather than as Go does (15m0s).
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// SubjectProblem reports why Octo STS would refuse a token's `sub` before looking at any policy
// (policy.IsValidSubject): whitespace, control or invisible characters or shell metacharacters,
// as produced by environment or branch names with spaces or quotes. "" means the subject is fine.
func SubjectProblem(sub string) string {
	if policy.IsValidSubject(sub) {
		return ""
	}
	return policy.InvalidSubjectReason(sub)
}
