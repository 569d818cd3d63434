package lint

// Class says what kind of problem a finding is, so a reviewer (and code scanning) can tell a
// file the server refuses from a policy that hands tokens to strangers.
type Class string

// The four classes of finding.
const (
	ClassRefused    Class = "refused"    // the server refuses the file: every exchange fails
	ClassUnmintable Class = "unmintable" // the server accepts it, GitHub refuses the token request
	ClassExposed    Class = "exposed"    // identities outside the owner can get a token
	ClassAdvice     Class = "advice"     // works, but fragile or unclear
)

// ruleClasses assigns every rule its class; TestEveryRuleHasClass keeps it complete.
var ruleClasses = map[string]Class{
	"not-regular-file": ClassRefused, "file-too-large": ClassRefused, "yaml-alias-bomb": ClassRefused,
	"yaml-syntax": ClassRefused, "duplicate-key": ClassRefused, "unknown-key": ClassRefused,
	"repositories-not-allowed": ClassRefused, "wrong-type": ClassRefused, "issuer-one-of": ClassRefused,
	"subject-one-of": ClassRefused, "audience-one-of": ClassRefused, "invalid-regex": ClassRefused,
	"allowlist-mode": ClassRefused, "allowlist-empty": ClassRefused, "allowlist-too-many": ClassRefused,
	"allowlist-issuer": ClassRefused, "allowlist-pattern-too-long": ClassRefused,
	"allowlist-pattern-span": ClassRefused, "allowlist-pattern-invalid": ClassRefused,
	"app-one-of": ClassRefused, "server-refuses": ClassRefused,

	"permission-level": ClassUnmintable, "permission-level-invalid": ClassUnmintable, "permission-name": ClassUnmintable,
	"repository-name": ClassUnmintable, "too-many-repositories": ClassUnmintable,

	"exposed": ClassExposed, "broad-pattern": ClassExposed, "pull-request-write": ClassExposed,
	"org-write-all-repositories": ClassExposed, "half-anchored-alternation": ClassExposed,
	"unescaped-dot": ClassExposed,

	"issuer-invalid-url": ClassAdvice, "subject-glob": ClassAdvice, "value-never-matches": ClassAdvice,
	"pattern-anchor": ClassAdvice, "trailing-newline": ClassAdvice, "claim-not-matchable": ClassAdvice,
	"key-case": ClassAdvice, "yaml11-scalar": ClassAdvice, "multi-document": ClassAdvice,
	"file-not-read": ClassAdvice, "empty-value": ClassAdvice, "schema": ClassAdvice,
}
