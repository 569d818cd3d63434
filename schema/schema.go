// Package schema embeds the published JSON schemas for Octo STS policy files so the binary, the
// linter and editors all use the same definitions.
package schema

import _ "embed"

// The schemas, draft-07 so editors' YAML language servers validate with them as published.
var (
	//go:embed trust-policy.schema.json
	TrustPolicy []byte
	//go:embed org-trust-policy.schema.json
	OrgTrustPolicy []byte
	//go:embed trusted-token-issuers.schema.json
	TrustedTokenIssuers []byte
)
