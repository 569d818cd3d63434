// Mirrors pkg/oidcvalidate/validate.go of github.com/octo-sts/app at commit
// cb87fc17675a32a661268c2deafc8eb32b52dbf6 (unchanged in the current generation): IsValidIssuer,
// IsValidSubject, IsValidAudience. The Invalid*Reason helpers are ours: they name the offending
// character for a message, and refuse exactly what the validators refuse (tested).

package policy

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsValidIssuer reproduces the server's oidcvalidate.IsValidIssuer (spec §3.8): a token whose iss
// fails it is refused before any policy is read, so a policy naming such an issuer can never match.
func IsValidIssuer(iss string) bool {
	if iss == "" || utf8.RuneCountInString(iss) > 255 {
		return false
	}
	u, err := url.Parse(iss)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "https":
	case "http":
		switch u.Hostname() {
		case "localhost", "127.0.0.1", "::1":
		default:
			return false
		}
	default:
		return false
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.ContainsAny(iss, "?#") {
		return false
	}
	if u.Host == "" || u.User != nil {
		return false
	}
	for _, r := range u.Hostname() {
		if r > 127 || r <= ' ' || r == 0x7f {
			return false
		}
	}
	if p := u.Path; p != "" {
		if strings.Contains(p, "..") || !strings.HasPrefix(p, "/") || strings.Contains(p, "//") ||
			strings.Contains(p, "~~") || strings.HasSuffix(p, "~") {
			return false
		}
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~/", r)) {
				return false
			}
		}
		segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
		for i, s := range segs {
			if s == "" && i == len(segs)-1 {
				continue // trailing slash is allowed
			}
			if s == "." || s == ".." || s == "~" || len(s) > 150 {
				return false
			}
		}
	}
	return true
}

// subjectForbidden are the characters IsValidSubject refuses besides whitespace and control characters.
const subjectForbidden = "\"'`\\<>;&$(){}[]"

// audienceForbidden are the characters IsValidAudience refuses besides whitespace and control
// characters: the subject's, plus "|" and "@".
const audienceForbidden = subjectForbidden + "|@"

// AudienceRule states IsValidAudience's rule for a user-facing message, so a package that checks
// an audience before a round trip names the rule without restating it.
const AudienceRule = "no whitespace, control or invisible characters, none of " + audienceForbidden + ", at most 255 characters"

// IsValidSubject reproduces the server's oidcvalidate.IsValidSubject (spec §3.8).
func IsValidSubject(sub string) bool {
	return validToken(sub, subjectForbidden)
}

// IsValidAudience reproduces the server's oidcvalidate.IsValidAudience: as subjects, plus no "|" or "@".
func IsValidAudience(aud string) bool {
	return validToken(aud, audienceForbidden)
}

func validToken(s, forbidden string) bool {
	if s == "" || utf8.RuneCountInString(s) > 255 {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == ' ' || r == 0x7f || strings.ContainsRune(forbidden, r) || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// InvalidSubjectReason says why IsValidSubject refuses s, so a message can name the offending character.
func InvalidSubjectReason(s string) string { return invalidReason(s, subjectForbidden) }

// InvalidAudienceReason says why IsValidAudience refuses s.
func InvalidAudienceReason(s string) string { return invalidReason(s, audienceForbidden) }

func invalidReason(s, forbidden string) string {
	switch {
	case s == "":
		return "it is empty"
	case utf8.RuneCountInString(s) > 255:
		return "it is longer than 255 characters"
	}
	for _, r := range s {
		switch {
		case r == ' ':
			return "it contains a space"
		case r < 0x20 || r == 0x7f:
			return "it contains a control character"
		case strings.ContainsRune(forbidden, r):
			return "it contains the character " + strconv.QuoteRune(r)
		case !unicode.IsPrint(r):
			return "it contains the non-printing character " + strconv.QuoteRune(r)
		}
	}
	return ""
}
