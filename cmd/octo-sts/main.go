// Command octo-sts exchanges OIDC tokens for short-lived GitHub tokens via Octo STS and lints the
// trust policies that govern the exchange.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/octo-sts/action/internal/cli"
)

// grace is how long a command may take to wind down after SIGINT/SIGTERM before the process
// ends anyway (not every step can be interrupted, e.g. linting a large tree).
const grace = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		time.Sleep(grace)
		fmt.Fprintln(os.Stderr, "octo-sts: interrupted")
		os.Exit(130)
	}()
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
