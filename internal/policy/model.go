// Package policy is the Octo STS trust-policy model: it decodes, compiles and evaluates policies with
// the server's exact semantics so the linter, `check` and the action's diagnosis agree with the server.
package policy

import "regexp"

// TrustPolicy has the server's field names, types and tags, because sigs.k8s.io/yaml's scalar
// coercion and strict decoding depend on the exact struct shape.
type TrustPolicy struct {
	Issuer        string         `json:"issuer,omitempty"`
	IssuerPattern string         `json:"issuer_pattern,omitempty"`
	issuerPattern *regexp.Regexp `json:"-"`

	Subject        string         `json:"subject,omitempty"`
	SubjectPattern string         `json:"subject_pattern,omitempty"`
	subjectPattern *regexp.Regexp `json:"-"`

	Audience        string         `json:"audience,omitempty"`
	AudiencePattern string         `json:"audience_pattern,omitempty"`
	audiencePattern *regexp.Regexp `json:"-"`

	ClaimPattern map[string]string         `json:"claim_pattern,omitempty"`
	claimPattern map[string]*regexp.Regexp `json:"-"`

	Permissions Permissions `json:"permissions,omitempty"`

	isCompiled bool `json:"-"`
}

// OrgTrustPolicy embeds TrustPolicy exactly as the server does; the embedding changes how YAML
// scalars are coerced (spec §8.1), so it must not be flattened.
type OrgTrustPolicy struct {
	TrustPolicy `json:",inline"`

	Repositories []string `json:"repositories,omitempty"`
}

// OrgTrustedIssuers is the org allowlist file (trusted-token-issuers.yaml) in the server's shape.
type OrgTrustedIssuers struct {
	Mode           string   `json:"mode,omitempty"`
	Issuers        []string `json:"issuers,omitempty"`
	IssuerPatterns []string `json:"issuer_patterns,omitempty"`
}

// Kind tells which of the three policy file types a document is, since each decodes differently.
type Kind string

// The three file kinds the server reads.
const (
	KindRepo    Kind = "repo"    // .github/chainguard/<id>.sts.yaml in any repository
	KindOrg     Kind = "org"     // .github/chainguard/<id>.sts.yaml in the org policy repository
	KindIssuers Kind = "issuers" // .github/chainguard/trusted-token-issuers.yaml in the org policy repository
)

// DefaultOrgPolicyRepo is the server's default ORG_POLICY_REPO.
const DefaultOrgPolicyRepo = ".github"

// IssuersFileName is the allowlist's fixed file name under .github/chainguard/.
const IssuersFileName = "trusted-token-issuers.yaml"

// PolicyDir is where the server reads every policy file from.
const PolicyDir = ".github/chainguard"
