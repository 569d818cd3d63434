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
var Generations = func() []Generation {
	out := make([]Generation, 0, len(policy.Generations))
	for _, g := range policy.Generations {
		out = append(out, Generation{Name: string(g), Check: checkAs(g)})
	}
	return out
}()

// checkAs decodes, compiles and checks with internal/policy's model of generation g; a policy the
// server cannot read answers 404 like the exchange does (the server hides the reason; we add it).
func checkAs(g policy.Generation) func(policy.Kind, []byte, policy.Token, string) *policy.Denial {
	return func(kind policy.Kind, data []byte, tok policy.Token, domain string) *policy.Denial {
		tp, _, err := policy.Decode(g, kind, data)
		code := policy.CodePolicyParse
		if err == nil {
			code, err = policy.CodePolicyCompile, tp.Compile()
		}
		if err != nil {
			a := policy.ExchangeAnswer(g, code, "")
			return &policy.Denial{Code: code, Status: a.Status, Message: a.Message + ": " + err.Error(), Field: "policy"}
		}
		return tp.CheckToken(tok, domain)
	}
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
