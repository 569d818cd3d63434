package lint

import "github.com/octo-sts/action/internal/policy"

// Rule IDs, as constants so code refers to rules by name and a typo does not compile. IDs never
// change once released; TestRuleIDConstants ties this list to Rules.
const (
	RuleNotRegularFile           = "not-regular-file"
	RuleFileTooLarge             = "file-too-large"
	RuleYamlAliasBomb            = "yaml-alias-bomb"
	RuleExposed                  = "exposed"
	RuleWorkflowIdToken          = "workflow-id-token"
	RuleWorkflowPolicyMissing    = "workflow-policy-missing"
	RuleWorkflowPolicyNotChecked = "workflow-policy-not-checked"
	RuleWorkflowNoToken          = "workflow-no-token"
	RuleWorkflowRunDenied        = "workflow-run-denied"
	RuleWorkflowImmutableSubject = "workflow-immutable-subject"
	RuleWorkflowPolicyUnused     = "workflow-policy-unused"
	RuleWorkflowGenerationSplit  = "workflow-generation-split"
	RuleYamlSyntax               = "yaml-syntax"
	RuleDuplicateKey             = "duplicate-key"
	RuleUnknownKey               = "unknown-key"
	RuleRepositoriesNotAllowed   = "repositories-not-allowed"
	RuleWrongType                = "wrong-type"
	RuleIssuerOneOf              = "issuer-one-of"
	RuleSubjectOneOf             = "subject-one-of"
	RuleAudienceOneOf            = "audience-one-of"
	RuleInvalidRegex             = "invalid-regex"
	RuleAllowlistMode            = "allowlist-mode"
	RuleAllowlistEmpty           = "allowlist-empty"
	RuleAllowlistTooMany         = "allowlist-too-many"
	RuleAllowlistIssuer          = "allowlist-issuer"
	RuleAllowlistPatternTooLong  = "allowlist-pattern-too-long"
	RuleAllowlistPatternSpan     = "allowlist-pattern-span"
	RuleAllowlistPatternInvalid  = "allowlist-pattern-invalid"
	RulePermissionLevel          = "permission-level"
	RulePermissionLevelInvalid   = "permission-level-invalid"
	RulePermissionName           = "permission-name"
	RuleRepositoryName           = "repository-name"
	RuleTooManyRepositories      = "too-many-repositories"
	RuleHalfAnchoredAlternation  = "half-anchored-alternation"
	RuleUnescapedDot             = "unescaped-dot"
	RuleBroadPattern             = "broad-pattern"
	RulePullRequestWrite         = "pull-request-write"
	RuleOrgWriteAllRepositories  = "org-write-all-repositories"
	RuleIssuerInvalidUrl         = "issuer-invalid-url"
	RuleSubjectGlob              = "subject-glob"
	RuleValueNeverMatches        = "value-never-matches"
	RulePatternAnchor            = "pattern-anchor"
	RuleTrailingNewline          = "trailing-newline"
	RuleClaimNotMatchable        = "claim-not-matchable"
	RuleKeyCase                  = "key-case"
	RuleYaml11Scalar             = "yaml11-scalar"
	RuleMultiDocument            = "multi-document"
	RuleFileNotRead              = "file-not-read"
	RuleEmptyValue               = "empty-value"
	RuleSchema                   = "schema"
	RuleAppOneOf                 = "app-one-of"
	RuleServerRefuses            = "server-refuses"
)

// serverRules maps every problem the server model reports (policy.Code) to the rule that reports
// it: the only link between the model and rule IDs (no message or field-name matching).
var serverRules = map[policy.Code]string{
	policy.CodeIssuerBoth:               RuleIssuerOneOf,
	policy.CodeIssuerNeither:            RuleIssuerOneOf,
	policy.CodeIssuerPatternInvalid:     RuleInvalidRegex,
	policy.CodeSubjectBoth:              RuleSubjectOneOf,
	policy.CodeSubjectNeither:           RuleSubjectOneOf,
	policy.CodeSubjectPatternInvalid:    RuleInvalidRegex,
	policy.CodeAudienceBoth:             RuleAudienceOneOf,
	policy.CodeAudiencePatternInvalid:   RuleInvalidRegex,
	policy.CodeClaimPatternInvalid:      RuleInvalidRegex,
	policy.CodeAppBoth:                  RuleAppOneOf,
	policy.CodeAppPatternInvalid:        RuleInvalidRegex,
	policy.CodeAllowlistMode:            RuleAllowlistMode,
	policy.CodeAllowlistEmpty:           RuleAllowlistEmpty,
	policy.CodeAllowlistTooManyIssuers:  RuleAllowlistTooMany,
	policy.CodeAllowlistTooManyPatterns: RuleAllowlistTooMany,
	policy.CodeAllowlistIssuerInvalid:   RuleAllowlistIssuer,
	policy.CodeAllowlistIssuerCase:      RuleAllowlistIssuer,
	policy.CodeAllowlistPatternTooLong:  RuleAllowlistPatternTooLong,
	policy.CodeAllowlistPatternSpan:     RuleAllowlistPatternSpan,
	policy.CodeAllowlistPatternInvalid:  RuleAllowlistPatternInvalid,
}

// ruleForCode is the rule that reports a model problem; an unmapped code (a model change not yet
// ported) still reports as an error under server-refuses rather than panicking.
func ruleForCode(c policy.Code) string {
	if id, ok := serverRules[c]; ok {
		return id
	}
	return RuleServerRefuses
}
