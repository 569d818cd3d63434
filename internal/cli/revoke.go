package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/octo-sts/action/internal/logsafe"
	"github.com/octo-sts/action/internal/revoke"
	"github.com/octo-sts/action/internal/secret"
)

const revokeUsage = `usage: octo-sts revoke [--api-url URL] [--timeout 10s] < token-file

Reads one token from stdin and revokes it (DELETE /installation/token).
`

// revokeFlags are the flags of `octo-sts revoke`.
type revokeFlags struct {
	apiURL  string
	timeout time.Duration
}

// define registers revoke's flags on fs, for its parser and the command list alike; the default
// --api-url $GITHUB_API_URL is applied after parsing, as the command list has no environment.
func (f *revokeFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.apiURL, "api-url", revoke.DefaultAPIURL, "GitHub REST API `URL` (GHES: https://HOST/api/v3) (default $GITHUB_API_URL, else https://api.github.com)")
	fs.DurationVar(&f.timeout, "timeout", revoke.DefaultTimeout, "give up after this long")
}

func runRevokeCmd(ctx context.Context, args []string, iox IO) int {
	// stderr carries GitHub's error message: never let it command the runner.
	safe := logsafe.NewWriter(iox.Stderr)
	defer safe.Flush()
	iox.Stderr = safe
	var f revokeFlags
	fs := flagSet("octo-sts revoke", f.define)
	rest, err := parseFlags(iox, "revoke", fs, args)
	if err == nil {
		if env := iox.Getenv("GITHUB_API_URL"); env != "" && !flagsGiven(fs)["api-url"] {
			f.apiURL = env
		}
		err = revokeArgs(rest, f.apiURL, f.timeout)
	}
	if err != nil {
		return failUsage(iox, "revoke", err)
	}
	if interactive(iox.Stdin) {
		fmt.Fprintln(iox.Stderr, "octo-sts revoke: stdin is a terminal; pipe the token in: octo-sts revoke < token-file")
		return ExitUsage
	}
	b, err := io.ReadAll(io.LimitReader(iox.Stdin, 64<<10))
	if err != nil {
		fmt.Fprintf(iox.Stderr, "octo-sts revoke: reading stdin: %v\n", err)
		return ExitFindings
	}
	token := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		fmt.Fprintln(iox.Stderr, "octo-sts revoke: stdin must hold exactly one token on one line")
		return ExitUsage
	}
	secrets := &secret.Set{}
	secrets.Add(token)
	stderr := secrets.Writer(iox.Stderr)
	hash := secret.Hash(token)
	out, err := revoke.Revoke(ctx, revoke.Options{APIURL: f.apiURL, Token: token, HTTPClient: httpClient(), Timeout: f.timeout})
	switch out {
	case revoke.Revoked:
		fmt.Fprintf(stderr, "revoked token-hash %s\n", hash)
		return ExitOK
	case revoke.AlreadyInvalid:
		fmt.Fprintf(stderr, "token-hash %s was already invalid (expired or revoked)\n", hash)
		return ExitOK
	}
	fmt.Fprintf(stderr, "octo-sts revoke: %v\n", err)
	return ExitFindings
}

// revokeArgs checks revoke's command line before anything is read or sent.
func revokeArgs(rest []string, apiURL string, timeout time.Duration) error {
	if len(rest) > 0 {
		return usagef("unexpected arguments %q; the token is read from stdin", rest)
	}
	if timeout <= 0 {
		return usagef("--timeout must be positive, e.g. 10s")
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return usagef("--api-url %q is not an http(s) URL; give e.g. https://api.github.com or https://HOST/api/v3", apiURL)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return usagef("--api-url %q is plain http, which would send the token unencrypted; use https:// (http is only for localhost)", apiURL)
	}
	return nil
}

// loopback reports whether host is this machine, the only place a token may travel over http.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
