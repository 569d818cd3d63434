package cli

import (
	"context"

	"github.com/octo-sts/action/internal/action"
)

const actionUsage = `usage: octo-sts action

Runs the GitHub Action: reads INPUT_* and GITHUB_* from the environment. The post step is
recognised by the state (STATE_phase, STATE_nonce) and the marker file its main step
leaves. Configure it with action inputs, not flags.
`

// runAction is `octo-sts action`, the container's command.
func runAction(ctx context.Context, args []string, sio IO) int {
	rest, err := parseFlags(sio, "action", flagSet("action", nil), args)
	if err == nil && len(rest) > 0 {
		err = usagef("takes no arguments (got %q); configure it with action inputs", rest)
	}
	if err != nil {
		return failUsage(sio, "action", err)
	}
	return action.Run(ctx, action.Options{Stdout: sio.Stdout, Stderr: sio.Stderr, Getenv: sio.Getenv})
}
