// Mirrors pkg/octosts/octosts.go of github.com/octo-sts/app (legacy: commit
// cb87fc17675a32a661268c2deafc8eb32b52dbf6; current: plus #1635, #1682, #1684 as described in
// /work/shared/docs/server-generations.md §2–§3): how Exchange resolves a scope to the repository and
// file it reads (policyRepo, lookupInstallAndTrustPolicy), how lookupTrustPolicy decodes a policy
// (yaml.UnmarshalStrict into TrustPolicy or OrgTrustPolicy), and every answer Exchange gives, in
// its processing order (spec §1.6), per generation.

package policy

import (
	"fmt"
	"net/http"
	"path"
	"reflect"
	"strings"

	"sigs.k8s.io/yaml"
)

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

// MaxPolicyBytes is the largest policy file the server can read: GitHub's contents API returns a
// file over 1 MB without its content, so the server answers 404 for it.
const MaxPolicyBytes = 1 << 20

// PolicyDir is where the server reads every policy file from.
const PolicyDir = ".github/chainguard"

// PolicyPath is the repository path the server reads for identity: ".github/chainguard/%s.sts.yaml"
// with the raw identity, so "team/deploy" reads a sub-directory.
func PolicyPath(identity string) string { return fmt.Sprintf("%s/%s.sts.yaml", PolicyDir, identity) }

// Scope is a scope resolved the way Exchange does (spec §1.11): which repository is read, which
// file kind is decoded, and which repositories the minted token is restricted to.
type Scope struct {
	Owner string // the installation owner (matched case-sensitively)
	Repo  string // the repository the policy is read from
	Kind  Kind   // KindOrg when Repo == ORG_POLICY_REPO (case-sensitive), else KindRepo
	// OwnerOnly is set for a scope without "/": the token is not restricted to one repository.
	OwnerOnly bool
}

// ResolveScope splits scope with path.Dir/path.Base like the server; orgPolicyRepo is the server's
// ORG_POLICY_REPO ("" means ".github"). An empty scope is refused by the server before this step.
func ResolveScope(scope, orgPolicyRepo string) Scope {
	if orgPolicyRepo == "" {
		orgPolicyRepo = DefaultOrgPolicyRepo
	}
	s := Scope{Owner: path.Dir(scope), Repo: path.Base(scope)}
	if s.Owner == "." {
		s.Owner, s.Repo, s.OwnerOnly = scope, orgPolicyRepo, true
	}
	s.Kind = KindRepo
	if s.Repo == orgPolicyRepo {
		s.Kind = KindOrg
	}
	return s
}

// Repository is "owner/repo", the repository whose default branch holds the policy.
func (s Scope) Repository() string { return s.Owner + "/" + s.Repo }

// Covered lists the repositories a token minted for this scope covers under an org policy's
// `repositories` (nil for a repo policy): nil with all=true means every repository the
// installation can see (an org scope without `repositories`, or `repositories: []`).
func (s Scope) Covered(repositories []string) (repos []string, all bool) {
	if s.Kind == KindOrg && len(repositories) > 0 {
		return repositories, false
	}
	if s.OwnerOnly {
		return nil, true
	}
	return []string{s.Repo}, false
}

// Decode parses data as kind k exactly as generation g's lookupTrustPolicy does (UnmarshalStrict).
// For KindRepo the result's Org is nil; for KindOrg both are set (Trust points into Org).
func Decode(g Generation, k Kind, data []byte) (*TrustPolicy, *OrgTrustPolicy, error) {
	switch {
	case k == KindOrg && g == Current:
		var otp OrgTrustPolicy
		if err := yaml.UnmarshalStrict(data, &otp); err != nil {
			return nil, nil, err
		}
		otp.gen = Current
		return &otp.TrustPolicy, &otp, nil
	case k == KindOrg:
		var lotp legacyOrgTrustPolicy
		if err := yaml.UnmarshalStrict(data, &lotp); err != nil {
			return nil, nil, err
		}
		otp := &OrgTrustPolicy{TrustPolicy: lotp.legacyTrustPolicy.upgrade(), Repositories: lotp.Repositories}
		return &otp.TrustPolicy, otp, nil
	case g == Current:
		var tp TrustPolicy
		if err := yaml.UnmarshalStrict(data, &tp); err != nil {
			return nil, nil, err
		}
		tp.gen = Current
		return &tp, nil, nil
	default:
		var ltp legacyTrustPolicy
		if err := yaml.UnmarshalStrict(data, &ltp); err != nil {
			return nil, nil, err
		}
		tp := ltp.upgrade()
		return &tp, nil, nil
	}
}

// DecodeIssuers parses the org allowlist exactly as ParseOrgTrustedIssuers does before compiling.
func DecodeIssuers(data []byte) (*OrgTrustedIssuers, error) {
	var oti OrgTrustedIssuers
	if err := yaml.UnmarshalStrict(data, &oti); err != nil {
		return nil, err
	}
	return &oti, nil
}

// Accepts reports whether generation g would accept the file as kind k (strict decode plus
// Compile), returning the server's own error text when it would not; the linter's parity oracle.
func Accepts(g Generation, k Kind, data []byte) error {
	if k == KindIssuers {
		oti, err := DecodeIssuers(data)
		if err != nil {
			return err
		}
		_, err = oti.Compile()
		return err
	}
	if k != KindRepo && k != KindOrg {
		return fmt.Errorf("unknown policy kind %q", k)
	}
	tp, _, err := Decode(g, k, data)
	if err != nil {
		return err
	}
	return tp.Compile()
}

// legacyTrustPolicy is TrustPolicy's exact shape at cb87fc1 (no app fields), so a legacy decode
// rejects `app:` as an unknown field and coerces scalars as that struct does.
type legacyTrustPolicy struct {
	Issuer          string            `json:"issuer,omitempty"`
	IssuerPattern   string            `json:"issuer_pattern,omitempty"`
	Subject         string            `json:"subject,omitempty"`
	SubjectPattern  string            `json:"subject_pattern,omitempty"`
	Audience        string            `json:"audience,omitempty"`
	AudiencePattern string            `json:"audience_pattern,omitempty"`
	ClaimPattern    map[string]string `json:"claim_pattern,omitempty"`
	Permissions     Permissions       `json:"permissions,omitempty"`
}

// legacyOrgTrustPolicy is OrgTrustPolicy's shape at cb87fc1 (the embedding matters, spec §8.1).
type legacyOrgTrustPolicy struct {
	legacyTrustPolicy `json:",inline"`

	Repositories []string `json:"repositories,omitempty"`
}

func (l legacyTrustPolicy) upgrade() TrustPolicy {
	return TrustPolicy{Issuer: l.Issuer, IssuerPattern: l.IssuerPattern, Subject: l.Subject, SubjectPattern: l.SubjectPattern,
		Audience: l.Audience, AudiencePattern: l.AudiencePattern, ClaimPattern: l.ClaimPattern, Permissions: l.Permissions, gen: Legacy}
}

// Answer is one response of the exchange: its Code, HTTP status and the server's exact message.
type Answer struct {
	Code    Code
	Status  int
	Message string
}

// answerSpec is one row of the exchange's error catalogue; format takes the row's arguments.
type answerSpec struct {
	status int
	format string
}

// answers is the exchange's error catalogue (spec §1.6, generations §2–§3), common to both
// generations unless overridden in currentAnswers / legacyAnswers.
var answers = map[Code]answerSpec{
	CodeMultipleScopes:       {http.StatusBadRequest, "multiple scopes not supported"},
	CodeAuthHeader:           {http.StatusUnauthorized, "expected exactly one authorization header"},
	CodeBearerInvalid:        {http.StatusBadRequest, "invalid bearer token"},
	CodeIssuerFormat:         {http.StatusBadRequest, "invalid issuer format"},
	CodeProvider:             {http.StatusBadRequest, "unable to fetch or create the provider"},
	CodeVerify:               {http.StatusUnauthorized, "unable to verify bearer token"},
	CodeScopeMissing:         {http.StatusBadRequest, "scope must be provided"},
	CodeIdentityMissing:      {http.StatusBadRequest, "identity must be provided"},
	CodeNoInstallation:       {http.StatusNotFound, "no installation found for %q"},
	CodeIssuerNotPermitted:   {http.StatusForbidden, "issuer not permitted by organization policy"},
	CodeAllowlistConfig:      {http.StatusBadRequest, "organization trusted-issuer configuration is invalid"},
	CodeAllowlistRateLimited: {http.StatusTooManyRequests, "organization trusted-issuer lookup rate limited"},
	CodeAllowlistUnavailable: {http.StatusServiceUnavailable, "organization trusted-issuer lookup unavailable"},
	CodePolicyRateLimited:    {http.StatusTooManyRequests, "GitHub API rate limit exceeded for %q"},
	CodePolicyNotFound:       {http.StatusNotFound, "unable to find trust policy for %q"},
	CodePolicyUnreadable:     {http.StatusNotFound, "unable to read trust policy found for %q"},
	CodePolicyParse:          {http.StatusNotFound, "unable to parse trust policy found for %q"},
	CodePolicyCompile:        {http.StatusNotFound, "unable to compile trust policy found for %q"},
	CodeTokenExchangeFailure: {http.StatusForbidden, "token exchange failure (StatusUnprocessableEntity)"},
	CodeMintFailed:           {http.StatusInternalServerError, "failed to get token"},
}

// currentAnswers are the rows only the current generation has (its own messages).
var currentAnswers = map[Code]answerSpec{
	CodePolicyTransient:   {http.StatusServiceUnavailable, "transient error fetching trust policy for %q"},
	CodePolicyForbidden:   {http.StatusForbidden, ""}, // exact text not published (generations §3)
	CodeAppNotConfigured:  {http.StatusBadRequest, "trust policy app %q is not a configured app"},
	CodeAppPatternNoMatch: {http.StatusBadRequest, "trust policy app_pattern %q matches no configured apps"},
	CodeAppNoInstallation: {http.StatusBadRequest, "no installation for %q matches the trust policy app pin"},
}

// legacyFallback is what legacy answers where current has its own row.
var legacyFallback = map[Code]Code{
	CodePolicyTransient: CodePolicyNotFound,    // legacy: 404 unable to find trust policy
	CodePolicyForbidden: CodePolicyRateLimited, // legacy: a bare GitHub 403 counted as a rate limit
}

// ExchangeAnswer is generation g's answer for code c, with the row's arguments (an identity or an
// owner), so no other package writes a server message.
func ExchangeAnswer(g Generation, c Code, args ...any) Answer {
	spec, ok := answers[c]
	if cur, isCur := currentAnswers[c]; isCur {
		if g == Current {
			spec, ok = cur, true
		} else if fb, has := legacyFallback[c]; has {
			c, spec, ok = fb, answers[fb], true
		} else {
			ok = false
		}
	}
	if !ok {
		return Answer{Code: c}
	}
	msg := spec.format
	if strings.Contains(msg, "%") {
		msg = fmt.Sprintf(msg, args...)
	}
	return Answer{Code: c, Status: spec.status, Message: msg}
}

// Classify names the answer a server gave (status and message) with its Code, "" when unknown,
// so the client and the diagnosis branch on codes; CheckToken's 403s classify by prefix.
func Classify(status int, message string) Code {
	for _, table := range []map[Code]answerSpec{answers, currentAnswers} {
		for c, spec := range table {
			if spec.status == status && spec.format != "" && matchesFormat(spec.format, message) {
				return c
			}
		}
	}
	switch {
	case status == http.StatusForbidden && strings.HasPrefix(message, "trust policy: "):
		return classifyCheckToken(message)
	case status == http.StatusBadRequest && message == "invalid subject in token":
		return CodeTokenSubjectInvalid
	case status == http.StatusBadRequest && message == "invalid audience in token":
		return CodeTokenAudienceInvalid
	case status == http.StatusBadRequest && message == "invalid issuer in token":
		return CodeTokenIssuerInvalid
	case status == http.StatusForbidden:
		return CodePolicyForbidden
	}
	return ""
}

func classifyCheckToken(m string) Code {
	switch {
	case strings.HasPrefix(m, "trust policy: issuer "):
		return CodeIssuerMismatch
	case strings.HasPrefix(m, "trust policy: subject "):
		return CodeSubjectMismatch
	case strings.HasPrefix(m, "trust policy: audience"):
		return CodeAudienceMismatch
	case strings.HasPrefix(m, "trust policy: expected claim ") && strings.HasSuffix(m, " not found in token"):
		return CodeClaimMissing
	case strings.HasPrefix(m, "trust policy: expected claim ") && strings.HasSuffix(m, " not a string"):
		return CodeClaimNotString
	case strings.HasPrefix(m, "trust policy: claim "):
		return CodeClaimMismatch
	}
	return ""
}

// matchesFormat reports whether msg is format with its single %q (if any) filled in.
func matchesFormat(format, msg string) bool {
	pre, post, has := strings.Cut(format, "%q")
	if !has {
		return msg == format
	}
	return len(msg) >= len(pre)+len(post)+2 && strings.HasPrefix(msg, pre) && strings.HasSuffix(msg, post)
}

// Fields lists the top-level keys generation g's decoder accepts for kind k, read from the struct
// tags of the shapes it decodes into, so no other package keeps its own list. The slice is shared:
// do not modify it.
func Fields(g Generation, k Kind) []string {
	if g != Current {
		g = Legacy
	}
	return fieldLists[fieldKey{g, k}]
}

type fieldKey struct {
	g Generation
	k Kind
}

// fieldLists is computed once: the linter asks for it on every key.
var fieldLists = func() map[fieldKey][]string {
	m := map[fieldKey][]string{}
	for _, g := range Generations {
		for _, k := range []Kind{KindRepo, KindOrg, KindIssuers} {
			m[fieldKey{g, k}] = fieldsOf(g, k)
		}
	}
	return m
}()

func fieldsOf(g Generation, k Kind) []string {
	var v any
	switch {
	case k == KindIssuers:
		v = OrgTrustedIssuers{}
	case k == KindOrg && g == Current:
		v = OrgTrustPolicy{}
	case k == KindOrg:
		v = legacyOrgTrustPolicy{}
	case g == Current:
		v = TrustPolicy{}
	default:
		v = legacyTrustPolicy{}
	}
	return jsonFields(reflect.TypeOf(v))
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch {
		case sf.Anonymous:
			out = append(out, jsonFields(sf.Type)...)
		case name != "" && name != "-":
			out = append(out, name)
		}
	}
	return out
}
