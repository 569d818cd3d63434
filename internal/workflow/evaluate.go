package workflow

import (
	"net/http"

	"github.com/octo-sts/action/internal/policy"
)

// Generation is one server behaviour a policy is evaluated under.
type Generation struct {
	Name  string
	Check func(kind policy.Kind, data []byte, tok policy.Token, domain string) *policy.Denial
}

// Generations are the server models internal/policy provides, in the order results are shown.
var Generations = []Generation{{Name: "legacy", Check: checkLegacy}}

// checkLegacy decodes, compiles and checks with internal/policy's model; a policy the server
// cannot read answers 404 like the exchange does.
func checkLegacy(kind policy.Kind, data []byte, tok policy.Token, domain string) *policy.Denial {
	var tp *policy.TrustPolicy
	if kind == policy.KindOrg {
		otp, err := policy.DecodeOrg(data)
		if err != nil {
			return &policy.Denial{Status: http.StatusNotFound, Message: "unable to parse trust policy: " + err.Error(), Field: "policy"}
		}
		tp = &otp.TrustPolicy
	} else {
		t, err := policy.DecodeRepo(data)
		if err != nil {
			return &policy.Denial{Status: http.StatusNotFound, Message: "unable to parse trust policy: " + err.Error(), Field: "policy"}
		}
		tp = t
	}
	if err := tp.Compile(); err != nil {
		return &policy.Denial{Status: http.StatusNotFound, Message: "unable to compile trust policy: " + err.Error(), Field: "policy"}
	}
	return tp.Check(tok, domain)
}

// Evaluate answers, per generation, whether the server would mint a token for these claims.
func Evaluate(kind policy.Kind, data []byte, claims map[string]any, domain string) []Verdict {
	tok := policy.Token{Claims: claims}
	tok.Issuer, _ = claims["iss"].(string)
	tok.Subject, _ = claims["sub"].(string)
	if a, ok := claims["aud"].(string); ok {
		tok.Audience = []string{a}
	}
	out := make([]Verdict, 0, len(Generations))
	for _, g := range Generations {
		d := g.Check(kind, data, tok, domain)
		v := Verdict{Generation: g.Name, Allowed: d == nil, Status: http.StatusOK}
		if d != nil {
			v.Status, v.Message = d.Status, d.Message
		}
		out = append(out, v)
	}
	return out
}
