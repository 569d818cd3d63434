package action

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/octo-sts/action/internal/sts"
)

// pair is one token to mint: the alias names its output ("" for the single scope/identity form).
type pair struct {
	alias, scope, identity string
}

// String names the pair in messages.
func (p pair) String() string {
	if p.alias == "" {
		return p.scope + " " + p.identity
	}
	return fmt.Sprintf("%s (scope %s, identity %s)", p.alias, p.scope, p.identity)
}

// maxPairs bounds the tokens one step mints; each is an exchange and a revocation.
const maxPairs = 10

var aliasRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// reservedOutputs are the action's own outputs, which an alias must not shadow.
var reservedOutputs = map[string]bool{"token": true, "token-hash": true, "expires-at": true, "findings": true}

// parsePairs reads the `tokens` input: one "ALIAS SCOPE IDENTITY" per line.
func parsePairs(lines []string) ([]pair, []string) {
	var out []pair
	var errs []string
	seen := map[string]bool{}
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != 3 {
			errs = append(errs, fmt.Sprintf("input %q line %d: want \"ALIAS SCOPE IDENTITY\", e.g. \"infra octo-org/infra deploy\"", "tokens", i+1))
			continue
		}
		p := pair{alias: f[0], scope: f[1], identity: f[2]}
		switch {
		case !aliasRE.MatchString(p.alias):
			errs = append(errs, fmt.Sprintf("input %q line %d: alias %q must be lower case letters, digits, - or _, starting with a letter (it names the output)", "tokens", i+1, p.alias))
		case reservedOutputs[p.alias] || strings.HasSuffix(p.alias, "-hash") || strings.HasSuffix(p.alias, "-expires-at"):
			errs = append(errs, fmt.Sprintf("input %q line %d: alias %q collides with an output name; pick another", "tokens", i+1, p.alias))
		case seen[p.alias]:
			errs = append(errs, fmt.Sprintf("input %q line %d: alias %q appears twice; give each token its own alias (it names the outputs)", "tokens", i+1, p.alias))
		}
		seen[p.alias] = true
		for _, err := range []error{sts.ValidateScope(p.scope), sts.ValidateIdentity(p.identity)} {
			if err == nil {
				continue
			}
			msg := err.Error()
			if ie := (*sts.InputError)(nil); errors.As(err, &ie) {
				msg = ie.Named(ie.Field) // the field is a column of this line, not an input of its own
			}
			errs = append(errs, fmt.Sprintf("input %q line %d: %s", "tokens", i+1, msg))
		}
		out = append(out, p)
	}
	if len(out) > maxPairs {
		errs = append(errs, fmt.Sprintf("input %q: %d tokens; at most %d per step, so split them across several octo-sts steps", "tokens", len(out), maxPairs))
	}
	return out, errs
}
