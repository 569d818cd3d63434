package action

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/octo-sts/action/internal/revoke"
	"github.com/octo-sts/action/internal/secret"
	"github.com/octo-sts/action/internal/sts"
)

// tokenLifetime is how long GitHub installation tokens live; past it revocation is moot.
const tokenLifetime = time.Hour

// runPost revokes the token minted by the main step. It never fails the job: the work the job
// did is already done, and a revocation problem deserves a warning, not a red build.
func runPost(ctx context.Context, rt *Runtime) int {
	// Git first: later post steps must not send a credential that is about to be revoked.
	if err := rt.unconfigureGit(); err != nil {
		rt.Action.Warningf("Could not remove the git credential from later steps: %v", err)
	}
	tokens := strings.Fields(rt.Getenv("STATE_tokens"))
	if t := rt.Getenv("STATE_token"); t != "" {
		tokens = append([]string{t}, tokens...)
	}
	if len(tokens) == 0 {
		if rt.Getenv("STATE_revoke") == "false" {
			rt.Action.Infof("revoke: false — the token stays valid until it expires (at most 1 hour)")
		}
		return exitOK // nothing was minted: nothing to say
	}
	valid := tokens[:0]
	for _, t := range tokens {
		if err := sts.ValidateToken(t); err != nil {
			// Only this action's main step writes the state, after the same check: refuse to
			// mask or send whatever else arrived here.
			rt.Action.Warningf("the saved state holds something that is not a token this action wrote (%s); not revoked", err)
			continue
		}
		valid = append(valid, t)
	}
	tokens = valid
	for _, t := range tokens {
		rt.Mask(t)
	}
	expired := false
	if at, err := strconv.ParseInt(rt.Getenv("STATE_minted-at"), 10, 64); err == nil && time.Since(time.Unix(at, 0)) > tokenLifetime {
		expired = true
	}
	for _, token := range tokens {
		hash := secret.Hash(token)
		if expired {
			rt.Action.Infof("The GitHub token (token-hash %s) has already expired; nothing to revoke", hash)
			continue
		}
		rt.revokeToken(ctx, token, hash)
	}
	return exitOK
}

// revokeToken revokes one token and reports the outcome; it reports true when the token is no
// longer valid. Problems are warnings: the job's work is done.
func (rt *Runtime) revokeToken(ctx context.Context, token, hash string) bool {
	opts := revoke.Options{APIURL: rt.Getenv("GITHUB_API_URL"), Token: token, HTTPClient: rt.HTTPClient, Timeout: revoke.DefaultTimeout}
	if rt.opts.Clock != nil {
		opts.Sleep = rt.opts.Clock.Sleep
	}
	out, err := revoke.Revoke(ctx, opts)
	switch out {
	case revoke.Revoked:
		rt.Action.Infof("Revoked the GitHub token (token-hash %s)", hash)
		return true
	case revoke.AlreadyInvalid:
		rt.Action.Infof("The GitHub token (token-hash %s) was already invalid (expired or revoked); nothing to revoke", hash)
		return true
	default:
		rt.Action.Warningf("Could not revoke the GitHub token (token-hash %s); it stays valid until it expires (at most 1 hour): %s", hash, rt.secrets.Redact(err.Error()))
		return false
	}
}
