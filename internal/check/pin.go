package check

import (
	"fmt"

	"github.com/octo-sts/action/internal/policy"
)

// pinField is the policy key that pins the App.
func pinField(tp *policy.TrustPolicy) string {
	if tp.App != "" {
		return "app"
	}
	return "app_pattern"
}

// pinText describes the pin step a current server runs before CheckToken.
func pinText(tp *policy.TrustPolicy) string {
	if tp.App != "" {
		return fmt.Sprintf("the policy pins app %q, which the server resolves against its App configuration before it checks the token; the token satisfies the policy, so the exchange succeeds if the pin resolves", tp.App)
	}
	return fmt.Sprintf("the policy pins app_pattern %q, which the server resolves against its App configuration before it checks the token; the token satisfies the policy, so the exchange succeeds if the pin resolves", tp.AppPattern)
}

// pinHint lists the 400s a current server answers when the pin does not resolve, in its words.
func pinHint(g policy.Generation, tp *policy.TrustPolicy, in Input) string {
	owner := policy.ResolveScope(in.Scope, in.OrgPolicyRepo).Owner
	first := policy.ExchangeAnswer(g, policy.CodeAppNotConfigured, tp.App)
	if tp.App == "" {
		first = policy.ExchangeAnswer(g, policy.CodeAppPatternNoMatch, tp.AppPattern)
	}
	inst := policy.ExchangeAnswer(g, policy.CodeAppNoInstallation, owner)
	return fmt.Sprintf("this step happens before the token is checked and depends on the server's configuration (APP_CONFIG_FILE), which no client can see: if it fails the server answers %d %q, or %d %q when no installation of a matching App exists for the owner",
		first.Status, first.Message, inst.Status, inst.Message)
}
