package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/octo-sts/action/internal/idtoken"
	"github.com/octo-sts/action/internal/logsafe"
	"github.com/octo-sts/action/internal/secret"
	"github.com/octo-sts/action/internal/sts"
)

// httpClient is replaced by tests to trust the fake STS's CA.
var httpClient = sts.NewHTTPClient

// testClock lets tests make retries instant; nil means real time.
var testClock sts.Clock

const exchangeUsage = `usage: octo-sts exchange --scope S --identity I [--domain D] [--timeout 60s] (--token-file F | --token-env VAR | --token-stdin)

Exchanges an OIDC token for a GitHub token through Octo STS. Prints only the GitHub token on
stdout; diagnostics go to stderr.
`

// exchangeFlags are the flags of `octo-sts exchange`.
type exchangeFlags struct {
	scope, identity, domain, audience, orgRepo string
	timeout                                    time.Duration
	tokenFile, tokenEnv                        string // where the OIDC token comes from
	tokenStdin                                 bool
}

// define registers exchange's flags on fs, for its parser and the command list alike.
func (f *exchangeFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.scope, "scope", "", "target `owner/repo`, or owner for an organization policy (required)")
	fs.StringVar(&f.identity, "identity", "", "trust policy `name`: .github/chainguard/<name>.sts.yaml (required)")
	fs.StringVar(&f.domain, "domain", "octo-sts.dev", "Octo STS `host[:port]`")
	fs.StringVar(&f.audience, "audience", "", "`audience` the token was minted for, checked locally (default: the domain)")
	fs.DurationVar(&f.timeout, "timeout", sts.DefaultTimeout, "overall deadline including retries, a `duration` such as 60s")
	fs.StringVar(&f.tokenFile, "token-file", "", "read the OIDC token from `path` (re-read on each attempt, e.g. a projected service-account token)")
	fs.StringVar(&f.tokenEnv, "token-env", "", "read the OIDC token from environment variable `NAME`")
	fs.BoolVar(&f.tokenStdin, "token-stdin", false, "read the OIDC token from stdin")
	fs.StringVar(&f.orgRepo, "org-policy-repo", "", "the server's ORG_POLICY_REPO `NAME`, named in hints for an owner scope (default .github)")
}

func runExchangeCmd(ctx context.Context, args []string, io IO) int {
	// stderr carries server messages and token claims: never let them command the runner.
	safe := logsafe.NewWriter(io.Stderr)
	defer safe.Flush()
	io.Stderr = safe
	var f exchangeFlags
	fs := flagSet("octo-sts exchange", f.define)
	if rest, err := parseFlags(io, "exchange", fs, args); err != nil || len(rest) > 0 {
		if err == nil {
			err = usagef("unexpected arguments %q; every input is a flag", rest)
		}
		return failUsage(io, "exchange", err)
	}
	checks := []error{sts.ValidateScope(f.scope), sts.ValidateIdentity(f.identity), sts.ValidateDomain(f.domain), sts.ValidateTimeout(f.timeout),
		sts.ValidateOrgPolicyRepo(f.orgRepo)}
	if f.audience != "" {
		checks = append(checks, sts.ValidateAudience(f.audience))
	}
	if err := validated(checks...); err != nil {
		return failUsage(io, "exchange", err)
	}
	src, err := tokenSource(io, f.tokenFile, f.tokenEnv, f.tokenStdin)
	if err != nil {
		return failUsage(io, "exchange", err)
	}

	secrets := &secret.Set{}
	stderr := secrets.Writer(io.Stderr)
	var claims map[string]any
	client := &sts.Client{
		Domain:     f.domain,
		HTTPClient: httpClient(),
		Timeout:    f.timeout,
		Clock:      testClock,
		UserAgent:  "octo-sts-cli",
		OnIDToken: func(jwt string) {
			secrets.Add(jwt)
			if c, err := idtoken.ParseClaims(jwt); err == nil {
				claims = c
				if f.audience != "" && !audienceContains(c["aud"], f.audience) {
					fmt.Fprintf(stderr, "warning: the token's aud %s does not contain --audience %q\n", oneLine(c["aud"]), f.audience)
				}
			}
		},
		OnAttempt: func(a sts.Attempt) {
			fmt.Fprintf(stderr, "attempt %d failed at %s: %v; retrying in %.1fs\n", a.N, a.Endpoint, a.Err, a.Wait.Seconds())
		},
	}
	req := sts.Request{Scope: f.scope, Identity: f.identity}
	res, err := client.Exchange(ctx, req, src)
	if err != nil {
		var se *sts.Error
		if !errors.As(err, &se) {
			fmt.Fprintf(stderr, "octo-sts exchange: %v\n", err)
			return ExitFindings
		}
		fmt.Fprintf(stderr, "octo-sts exchange: %s: %s\n", se.Headline(), se.Message)
		if se.Class == sts.ClassDenied && claims != nil {
			for _, k := range []string{"iss", "sub", "aud"} {
				if v, ok := claims[k]; ok {
					fmt.Fprintf(stderr, "  token %s: %s\n", k, oneLine(v))
				}
			}
		}
		if h := se.Hint(req, f.orgRepo, sts.CLI); h != "" {
			fmt.Fprintln(stderr, h)
		}
		if se.Attempts > 1 { // one attempt is already the whole story
			fmt.Fprintln(stderr, se.Summary())
		}
		if se.Class == sts.ClassInput {
			return ExitUsage
		}
		return ExitFindings
	}
	fmt.Fprintf(stderr, "token-hash %s (%s)\n", secret.Hash(res.Token), res.Summary)
	fmt.Fprintln(io.Stdout, res.Token)
	return ExitOK
}

// oneLine renders a claim for stderr on a single line: the runner scans stderr for workflow
// commands too, so a claim holding a line break (quoted here) could otherwise start a "::" line.
func oneLine(v any) string {
	s := fmt.Sprint(v)
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		return strconv.Quote(s)
	}
	return s
}

// tokenSource is the one OIDC token source the flags name. An empty --token-env is refused here,
// before any request, since nothing can fill it later (a --token-file is re-read on each attempt).
func tokenSource(io IO, file, env string, stdin bool) (sts.TokenSource, error) {
	n := 0
	for _, set := range []bool{file != "", env != "", stdin} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return nil, usagef("give exactly one of --token-file FILE, --token-env NAME or --token-stdin for the OIDC token")
	case file != "":
		return idtoken.File(file), nil
	case stdin && interactive(io.Stdin):
		return nil, usagef("--token-stdin: stdin is a terminal; pipe the OIDC token in (… | octo-sts exchange --token-stdin …) or use --token-file FILE")
	case stdin:
		return idtoken.Reader(io.Stdin, "--token-stdin"), nil
	case io.Getenv(env) == "":
		return nil, usagef("--token-env %s: the environment variable is empty or unset; export the OIDC token in it", env)
	}
	return idtoken.Env(env, io.Getenv), nil
}

func audienceContains(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, v := range a {
			if v == want {
				return true
			}
		}
	}
	return false
}
