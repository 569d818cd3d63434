// Command octo-sts exchanges OIDC tokens for short-lived GitHub tokens via Octo STS and lints the
// trust policies that govern the exchange.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/octo-sts-action/octo-sts/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
