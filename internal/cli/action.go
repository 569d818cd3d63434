package cli

import (
	"context"
	"fmt"

	"github.com/octo-sts/action/internal/action"
)

func init() {
	register("action", "run as the GitHub Action (main and post step; the container's command)", func(ctx context.Context, args []string, io IO) int {
		if len(args) > 0 {
			if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
				fmt.Fprintln(io.Stdout, "usage: octo-sts action\n\nRuns the GitHub Action: reads INPUT_* and GITHUB_* from the environment. The post step is recognised by the state (STATE_phase, STATE_nonce) and marker file its main step leaves.")
				return ExitOK
			}
			fmt.Fprintf(io.Stderr, "octo-sts action: takes no arguments (got %q); configure it with action inputs\n", args)
			return ExitUsage
		}
		return action.Run(ctx, action.Options{Stdout: io.Stdout, Stderr: io.Stderr, Getenv: io.Getenv})
	})
}
