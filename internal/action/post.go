package action

import (
	"context"
	"strconv"
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
	token := rt.Getenv("STATE_token")
	if token == "" {
		if rt.Getenv("STATE_revoke") == "false" {
			rt.Action.Infof("revoke: false — the token stays valid until it expires (at most 1 hour)")
		}
		return exitOK // nothing was minted: nothing to say
	}
	if err := sts.ValidateToken(token); err != nil {
		// Only this action's main step writes STATE_token, after the same check: refuse to mask
		// or send whatever else arrived here.
		rt.Action.Warningf("STATE_token is not a token this action wrote (%s); nothing revoked", err)
		return exitOK
	}
	rt.Mask(token)
	hash := secret.Hash(token)
	if at, err := strconv.ParseInt(rt.Getenv("STATE_minted-at"), 10, 64); err == nil && time.Since(time.Unix(at, 0)) > tokenLifetime {
		rt.Action.Infof("The GitHub token (token-hash %s) has already expired; nothing to revoke", hash)
		return exitOK
	}
	opts := revoke.Options{APIURL: rt.Getenv("GITHUB_API_URL"), Token: token, HTTPClient: rt.HTTPClient, Timeout: revoke.DefaultTimeout}
	if rt.opts.Clock != nil {
		opts.Sleep = rt.opts.Clock.Sleep
	}
	out, err := revoke.Revoke(ctx, opts)
	switch out {
	case revoke.Revoked:
		rt.Action.Infof("Revoked the GitHub token (token-hash %s)", hash)
	case revoke.AlreadyInvalid:
		rt.Action.Infof("The GitHub token (token-hash %s) was already invalid (expired or revoked); nothing to revoke", hash)
	default:
		rt.Action.Warningf("Could not revoke the GitHub token (token-hash %s); it stays valid until it expires (at most 1 hour): %s", hash, rt.secrets.Redact(err.Error()))
	}
	return exitOK
}
