// Not a mirror of an upstream file: the typed names of every problem and denial the mirror files
// produce, so other packages branch on a Code and never on a server message.

package policy

// Code identifies one server rule or answer. Values are stable identifiers, not messages: the
// message is always the server's, carried next to the Code.
type Code string

// Compile() problems of a trust policy (pkg/octosts/trust_policy.go).
const (
	CodeIssuerBoth             Code = "issuer-both"
	CodeIssuerNeither          Code = "issuer-neither"
	CodeIssuerPatternInvalid   Code = "issuer-pattern-invalid"
	CodeSubjectBoth            Code = "subject-both"
	CodeSubjectNeither         Code = "subject-neither"
	CodeSubjectPatternInvalid  Code = "subject-pattern-invalid"
	CodeAudienceBoth           Code = "audience-both"
	CodeAudiencePatternInvalid Code = "audience-pattern-invalid"
	CodeClaimPatternInvalid    Code = "claim-pattern-invalid"
	CodeAppBoth                Code = "app-both"            // current only
	CodeAppPatternInvalid      Code = "app-pattern-invalid" // current only
)

// Compile() problems of the org allowlist (pkg/octosts/org_trusted_issuers.go).
const (
	CodeAllowlistMode            Code = "allowlist-mode"
	CodeAllowlistEmpty           Code = "allowlist-empty"
	CodeAllowlistTooManyIssuers  Code = "allowlist-too-many-issuers"
	CodeAllowlistTooManyPatterns Code = "allowlist-too-many-patterns"
	CodeAllowlistIssuerInvalid   Code = "allowlist-issuer-invalid"
	CodeAllowlistIssuerCase      Code = "allowlist-issuer-case"
	CodeAllowlistPatternTooLong  Code = "allowlist-pattern-too-long"
	CodeAllowlistPatternSpan     Code = "allowlist-pattern-span"
	CodeAllowlistPatternInvalid  Code = "allowlist-pattern-invalid"
)

// CheckToken() denials (pkg/octosts/trust_policy.go).
const (
	CodeNotCompiled          Code = "not-compiled"
	CodeTokenIssuerInvalid   Code = "token-issuer-invalid"
	CodeTokenSubjectInvalid  Code = "token-subject-invalid"
	CodeTokenAudienceInvalid Code = "token-audience-invalid"
	CodeIssuerMismatch       Code = "issuer-mismatch"
	CodeSubjectMismatch      Code = "subject-mismatch"
	CodeAudienceMismatch     Code = "audience-mismatch"
	CodeClaimMissing         Code = "claim-missing"
	CodeClaimNotString       Code = "claim-not-string"
	CodeClaimMismatch        Code = "claim-mismatch"
)

// Exchange answers outside CheckToken (pkg/octosts/octosts.go, org_trusted_issuers_store.go).
const (
	CodeMultipleScopes       Code = "multiple-scopes"
	CodeAuthHeader           Code = "auth-header"
	CodeBearerInvalid        Code = "bearer-invalid"
	CodeIssuerFormat         Code = "issuer-format"
	CodeProvider             Code = "provider"
	CodeVerify               Code = "verify"
	CodeScopeMissing         Code = "scope-missing"
	CodeIdentityMissing      Code = "identity-missing"
	CodeNoInstallation       Code = "no-installation"
	CodeIssuerNotPermitted   Code = "issuer-not-permitted"
	CodeAllowlistConfig      Code = "allowlist-config-invalid"
	CodeAllowlistRateLimited Code = "allowlist-rate-limited"
	CodeAllowlistUnavailable Code = "allowlist-unavailable"
	CodePolicyRateLimited    Code = "policy-rate-limited"
	CodePolicyNotFound       Code = "policy-not-found"
	CodePolicyUnreadable     Code = "policy-unreadable"
	CodePolicyTransient      Code = "policy-transient" // current only (503)
	CodePolicyForbidden      Code = "policy-forbidden" // current only (403)
	CodePolicyParse          Code = "policy-parse"
	CodePolicyCompile        Code = "policy-compile"
	CodeAppNotConfigured     Code = "app-not-configured"   // current only (400)
	CodeAppPatternNoMatch    Code = "app-pattern-no-match" // current only (400)
	CodeAppNoInstallation    Code = "app-no-installation"  // current only (400)
	CodeTokenExchangeFailure Code = "token-exchange-failure"
	CodeMintFailed           Code = "mint-failed"
)

// ProblemCodes lists every Code a Problem can carry (trust policy and allowlist Compile), so the
// linter can prove by test that each one maps to a rule.
var ProblemCodes = []Code{
	CodeIssuerBoth, CodeIssuerNeither, CodeIssuerPatternInvalid,
	CodeSubjectBoth, CodeSubjectNeither, CodeSubjectPatternInvalid,
	CodeAudienceBoth, CodeAudiencePatternInvalid, CodeClaimPatternInvalid,
	CodeAppBoth, CodeAppPatternInvalid,
	CodeAllowlistMode, CodeAllowlistEmpty, CodeAllowlistTooManyIssuers, CodeAllowlistTooManyPatterns,
	CodeAllowlistIssuerInvalid, CodeAllowlistIssuerCase, CodeAllowlistPatternTooLong,
	CodeAllowlistPatternSpan, CodeAllowlistPatternInvalid,
}
