package action

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/octo-sts/action/internal/idtoken"
	"github.com/octo-sts/action/internal/markdown"
	"github.com/octo-sts/action/internal/policy"
	"github.com/octo-sts/action/internal/secret"
	"github.com/octo-sts/action/internal/sts"
)

func init() { RegisterMode("exchange", runExchange) }

// exchangeInputs are the validated inputs of the exchange mode.
type exchangeInputs struct {
	scope, identity, domain, audience string
	exportEnv, githubToken            string
	orgPolicyRepo                     string
	server                            []policy.Generation
	revoke, debug, configureGit       bool
	timeout                           time.Duration
	pairs                             []pair // the tokens to mint; one unaliased pair for scope/identity
}

func readExchangeInputs(rt *Runtime) (exchangeInputs, []string) {
	var in exchangeInputs
	var errs []string
	get := rt.inputCollector(&errs)
	in.scope, in.identity = get("scope"), get("identity")
	in.domain, in.audience = get("domain"), get("audience")
	in.exportEnv, in.githubToken = get("export-env"), get("github-token")
	in.orgPolicyRepo = get("org-policy-repo")
	server := get("server")
	timeout := get("timeout")
	if in.domain == "" {
		in.domain = "octo-sts.dev"
	}
	if len(errs) > 0 {
		return in, errs
	}
	var err error
	if in.server, err = policy.ParseGenerations(server); err != nil {
		errs = append(errs, fmt.Sprintf("input %q: %v", "server", err))
	}
	if e := orgPolicyRepoError(in.orgPolicyRepo); e != "" {
		errs = append(errs, e)
	}
	if in.revoke, err = rt.BoolInput("revoke", true); err != nil {
		errs = append(errs, err.Error())
	}
	if in.debug, err = rt.BoolInput("debug", false); err != nil {
		errs = append(errs, err.Error())
	}
	in.timeout = sts.DefaultTimeout
	if timeout != "" {
		d, err := sts.ParseTimeout(timeout)
		if err != nil {
			errs = append(errs, err.Error())
		} else {
			in.timeout = d
		}
	}
	if in.configureGit, err = rt.BoolInput("configure-git", false); err != nil {
		errs = append(errs, err.Error())
	}
	checks := []error{sts.ValidateDomain(in.domain)}
	if list := rt.InputList("tokens"); len(list) > 0 {
		if in.scope != "" || in.identity != "" {
			errs = append(errs, fmt.Sprintf("inputs %q and %q cannot be combined with %q; put every token in %q", "scope", "identity", "tokens", "tokens"))
		}
		var perrs []string
		in.pairs, perrs = parsePairs(list)
		errs = append(errs, perrs...)
	} else {
		checks = append(checks, sts.ValidateScope(in.scope), sts.ValidateIdentity(in.identity))
		in.pairs = []pair{{scope: in.scope, identity: in.identity}}
	}
	if in.audience != "" {
		checks = append(checks, sts.ValidateAudience(in.audience))
	} else {
		in.audience = in.domain
	}
	if in.exportEnv != "" {
		checks = append(checks, ValidateEnvName(in.exportEnv))
	}
	for _, err := range checks {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	return in, errs
}

var envNameRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,127}$`)

// tokenEnvNames are the names tools read a GitHub token from (gh and most SDKs: GH_TOKEN,
// GITHUB_TOKEN; gh on GHES: GH_ENTERPRISE_TOKEN, GITHUB_ENTERPRISE_TOKEN). They are allowed even
// though GITHUB_* is otherwise the runner's.
var tokenEnvNames = []string{"GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"}

// deniedEnvNames change how every later process starts, loads code, finds files or connects; a
// token in one of them breaks later steps or prints itself on every process's stderr.
var deniedEnvNames = []string{
	"PATH", "HOME", "SHELL", "ENV", "BASH_ENV", "TMPDIR", "TMP", "TEMP", "TEMPDIR", "CI", "IFS", "PS4", "PROMPT_COMMAND",
	"SHELLOPTS", "BASHOPTS", "CDPATH", "GLOBIGNORE", "LANG", "LANGUAGE", "TZ", "TERM", "USER", "LOGNAME", "PWD", "OLDPWD",
	"EDITOR", "VISUAL", "PAGER", "BROWSER", "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE",
	"NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH",
	"CC", "CXX", "CPP", "LD", "AR", "KUBECONFIG", "RUSTC_WRAPPER", "SUDO_ASKPASS",
}

// deniedEnvPrefixes are families of such variables (loader, toolchains, interpreters, git, ssh,
// docker, proxies' siblings) and the namespaces the runner owns.
var deniedEnvPrefixes = []string{
	"GITHUB_", "RUNNER_", "ACTIONS_", "INPUT_", "STATE_", "LD_", "DYLD_", "GIT_", "SSH_", "GPG_", "GNUPG",
	"DOCKER_", "CGO_", "PYTHON", "PIP_", "PERL", "RUBY", "GEM_", "BUNDLE_", "NODE_", "NPM_CONFIG_", "YARN_",
	"DOTNET_", "COMPLUS_", "CORECLR_", "NUGET_", "CARGO_", "RUSTUP_", "XDG_", "LC_", "MAVEN_", "GRADLE_",
}

// deniedEnvSuffixes catch option, flag, search-path, home and config variables of any tool
// (JAVA_OPTS, RUSTFLAGS, NODE_PATH, JAVA_HOME, DOCKER_CONFIG) and every proxy variable.
var deniedEnvSuffixes = []string{"_PROXY", "_OPTS", "_OPTIONS", "FLAGS", "PATH", "HOME", "CONFIG", "_PRELOAD"}

// goToolchainEnv matches the Go toolchain's variables (GOFLAGS, GOPROXY, GOTOOLCHAIN, GODEBUG, …):
// GO followed by letters and digits only, so GOOGLE_… style names stay available.
var goToolchainEnv = regexp.MustCompile(`^GO[A-Z0-9]*$`)

// ValidateEnvName checks an `export-env` name: upper-case letters, digits and _ (not starting
// with a digit), and none of the names that change how later processes run (see docs/security.md).
func ValidateEnvName(name string) error {
	if !envNameRE.MatchString(name) {
		return fmt.Errorf("input %q: %q is not an upper-case environment variable name (A-Z, 0-9 and _, not starting with a digit, at most 128 characters); use e.g. GH_TOKEN", "export-env", name)
	}
	if slices.Contains(tokenEnvNames, name) {
		return nil
	}
	refuse := func(why string) error {
		return fmt.Errorf("input %q: %q %s, so a token in it would change how every later step runs (or print it on their stderr); use a name such as GH_TOKEN or GITHUB_TOKEN", "export-env", name, why)
	}
	switch {
	case slices.Contains(deniedEnvNames, name):
		return refuse("is a variable that processes read at start-up")
	case goToolchainEnv.MatchString(name):
		return refuse("is a Go toolchain variable (GO*)")
	}
	for _, p := range deniedEnvPrefixes {
		if strings.HasPrefix(name, p) {
			return refuse("is in the " + p + "* family")
		}
	}
	for _, sfx := range deniedEnvSuffixes {
		if strings.HasSuffix(name, sfx) {
			return refuse("ends in " + sfx)
		}
	}
	return nil
}

func runExchange(ctx context.Context, rt *Runtime) int {
	in, errs := readExchangeInputs(rt)
	// The github-token is a secret even though the runner masks it: scrub it locally too.
	rt.secrets.Add(in.githubToken)
	if len(errs) > 0 {
		return rt.Fail("octo-sts: invalid input", strings.Join(errs, "\n"), exitUsage)
	}
	if !in.debug && rt.Getenv("GITHUB_OUTPUT") == "" {
		return rt.Fail("octo-sts: not running in GitHub Actions", "GITHUB_OUTPUT is not set, so the token could not be handed to later steps; outside GitHub Actions use `octo-sts exchange`", exitUsage)
	}
	for _, p := range in.pairs {
		rt.noteSubdirectory(p.identity)
	}
	src := &idtoken.Actions{Getenv: rt.Getenv, HTTPClient: rt.HTTPClient, Audience: in.audience}
	if in.debug {
		return runDebug(ctx, rt, in, sts.Request{Scope: in.pairs[0].scope, Identity: in.pairs[0].identity}, src)
	}
	var minted []minted
	for _, p := range in.pairs {
		m, code := rt.mintOne(ctx, in, p, src, len(in.pairs) > 1 || p.alias != "")
		if code != exitOK {
			rt.keepForPost(rt.revokeNow(ctx, minted, p))
			return code
		}
		minted = append(minted, m)
	}
	return rt.handOver(in, minted)
}

// minted is one token the step obtained.
type minted struct {
	pair
	token, hash string
	expires     time.Time
	summary     string
}

// mintOne exchanges the OIDC token for one pair; on failure it reports like a single exchange,
// naming the pair when there are several.
func (rt *Runtime) mintOne(ctx context.Context, in exchangeInputs, p pair, src *idtoken.Actions, named bool) (minted, int) {
	req := sts.Request{Scope: p.scope, Identity: p.identity}
	var claims map[string]any
	client := &sts.Client{
		Domain:     in.domain,
		HTTPClient: rt.HTTPClient,
		Timeout:    in.timeout,
		Clock:      rt.opts.Clock,
		Backoff:    rt.opts.Backoff,
		UserAgent:  "octo-sts/action",
		OnIDToken: func(jwt string) {
			rt.Mask(jwt)
			c, err := idtoken.ParseClaims(jwt)
			if err != nil {
				return
			}
			if claims == nil {
				rt.printClaims(c)
				rt.warnSubject(c)
			}
			claims = c
		},
		OnAttempt: func(a sts.Attempt) {
			rt.Untrusted(fmt.Sprintf("attempt %d failed at %s: %v; retrying in %.1fs", a.N, a.Endpoint, a.Err, a.Wait.Seconds()))
		},
	}
	fmt.Fprintf(rt.Stdout, "Exchanging an OIDC token (audience %s) at %s for scope %s, identity %s\n", in.audience, in.domain, p.scope, p.identity)
	res, err := client.Exchange(ctx, req, src.Token)
	if err != nil {
		var se *sts.Error
		if !errors.As(err, &se) {
			se = &sts.Error{Class: sts.ClassNetwork, Message: err.Error()}
		}
		if named {
			se.Message = "token " + p.String() + ": " + se.Message
		}
		pin := in
		pin.scope, pin.identity = p.scope, p.identity
		return minted{}, rt.failExchange(ctx, pin, req, claims, se)
	}
	// Checked before it is masked or written (sts.ParseToken already did; this guards every
	// path): a hostile STS must not choose what the runner masks.
	if err := sts.ValidateToken(res.Token); err != nil {
		return minted{}, rt.Fail("octo-sts: unusable token from the STS", "the STS answered 200 but its "+err.Error()+"; nothing was masked, written or exported", exitFailure)
	}
	rt.Mask(res.Token)
	now := rt.now()
	exp := now.Add(tokenLifetime) // GitHub's fixed lifetime, an upper bound: the token was minted before now
	if sts.PlausibleExpiry(res.Expiry, now) {
		exp = res.Expiry
	}
	// The official v1 action's line, kept verbatim for runbooks that grep for it: hex SHA-256,
	// the form Octo STS itself logs. token-hash (base64) is the audit log's hashed_token form.
	fmt.Fprintf(rt.Stdout, "Token hash: %x\n", sha256.Sum256([]byte(res.Token)))
	return minted{pair: p, token: res.Token, hash: secret.Hash(res.Token), expires: exp, summary: res.Summary}, exitOK
}

func (rt *Runtime) now() time.Time {
	if rt.opts.Clock != nil {
		return rt.opts.Clock.Now()
	}
	return time.Now()
}

// revokeNow revokes tokens already minted when a later pair fails, so a failed step leaves no
// live token behind; it returns the ones it could not revoke.
func (rt *Runtime) revokeNow(ctx context.Context, ms []minted, failed pair) (left []string) {
	for _, m := range ms {
		if rt.revokeToken(ctx, m.token, m.hash) {
			rt.Action.Infof("Revoked the token %s minted before %s failed", m.pair, failed.alias)
		} else {
			left = append(left, m.token)
		}
	}
	return left
}

// keepForPost saves tokens a failed step could not revoke, so the post step (which runs after a
// failed main step too) tries again instead of leaving them live for up to an hour.
func (rt *Runtime) keepForPost(tokens []string) {
	if len(tokens) == 0 {
		return
	}
	if err := rt.saveForPost("tokens", tokens); err != nil {
		rt.Action.Warningf("the post step will not revoke the tokens left live: %v", err)
	}
}

// saveForPost hands tokens to the post step under the state name it reads ("token" for the one
// unaliased token, else "tokens"), with the time they were minted so it can skip expired ones.
func (rt *Runtime) saveForPost(name string, tokens []string) error {
	if err := rt.saveState(name, strings.Join(tokens, " ")); err != nil {
		return err
	}
	_ = rt.saveState("minted-at", fmt.Sprint(time.Now().Unix()))
	return nil
}

// handOver writes outputs, state, the exported variable and git configuration for the minted tokens.
func (rt *Runtime) handOver(in exchangeInputs, ms []minted) int {
	if in.revoke {
		tokens := make([]string, 0, len(ms))
		for _, m := range ms {
			tokens = append(tokens, m.token)
		}
		name := "token"
		if ms[0].alias != "" {
			name = "tokens"
		}
		if err := rt.saveForPost(name, tokens); err != nil {
			rt.Action.Warningf("the post step will not revoke the token: %v", err)
		}
	} else {
		_ = rt.saveState("revoke", "false")
	}
	first := ms[0]
	expires := first.expires
	var outs [][2]string
	for _, m := range ms {
		if m.expires.Before(expires) {
			expires = m.expires
		}
		if m.alias == "" {
			outs = append(outs, [2]string{"token", m.token}, [2]string{"token-hash", m.hash})
			continue
		}
		outs = append(outs, [2]string{m.alias, m.token}, [2]string{m.alias + "-hash", m.hash},
			[2]string{m.alias + "-expires-at", m.expires.UTC().Format(time.RFC3339)})
	}
	outs = append(outs, [2]string{"expires-at", expires.UTC().Format(time.RFC3339)})
	for _, o := range outs {
		if err := rt.SetOutput(o[0], o[1]); err != nil {
			return rt.Fail("octo-sts: could not write outputs", err.Error(), exitFailure)
		}
	}
	if in.exportEnv != "" {
		if err := rt.setEnv(in.exportEnv, first.token); err != nil {
			return rt.Fail("octo-sts: could not export the token", err.Error(), exitFailure)
		}
	}
	var server string
	if in.configureGit {
		var err error
		if server, err = rt.configureGit(first.token); err != nil {
			return rt.Fail("octo-sts: could not configure git", err.Error(), exitFailure)
		}
	}
	revokeNote := "revoked in the post step"
	if !in.revoke {
		revokeNote = "not revoked (revoke: false); valid for up to 1 hour"
	}
	for _, m := range ms {
		fmt.Fprintf(rt.Stdout, "Got a GitHub token for %s (identity %s); token-hash %s; expires by %s\n", m.scope, m.identity, m.hash, m.expires.UTC().Format(time.RFC3339))
		fmt.Fprintln(rt.Stdout, m.summary)
		title := "token for " + markdown.Code(m.scope)
		if m.alias != "" {
			title = "token " + markdown.Code(m.alias) + " for " + markdown.Code(m.scope)
		}
		rt.Summary(fmt.Sprintf("### ✅ octo-sts: %s\n\n| | |\n|---|---|\n| identity | %s |\n| domain | %s |\n| token-hash | %s |\n| attempts | %s |\n| expires by | %s |\n| lifetime | %s |\n",
			title, markdown.Code(m.identity), markdown.Code(in.domain), markdown.Code(m.hash), mdEscape(m.summary), m.expires.UTC().Format(time.RFC3339), revokeNote))
	}
	if in.exportEnv != "" {
		fmt.Fprintf(rt.Stdout, "Exported it to later steps as $%s\n", in.exportEnv)
	}
	if server != "" {
		fmt.Fprintf(rt.Stdout, "Later steps' git authenticates to %s with the token (until the post step)\n", server)
	}
	return exitOK
}

// relevantClaims are the claims trust policies usually match on, shown after a denial.
var relevantClaims = []string{"iss", "sub", "aud", "repository", "repository_owner", "ref", "ref_type", "event_name", "environment", "workflow_ref", "job_workflow_ref", "actor"}

var claimInMessage = regexp.MustCompile(`claim "([^"]{1,64})"`)

func (rt *Runtime) failExchange(ctx context.Context, in exchangeInputs, req sts.Request, claims map[string]any, se *sts.Error) int {
	var lines []string
	if se.Status != 0 && se.Endpoint == "sts" {
		lines = append(lines, fmt.Sprintf("Octo STS answered %d: %s", se.Status, se.Message))
	}
	if se.Class == sts.ClassDenied && claims != nil {
		keys := slices.Clone(relevantClaims)
		for _, m := range claimInMessage.FindAllStringSubmatch(se.Message, -1) {
			if !slices.Contains(keys, m[1]) {
				keys = append(keys, m[1])
			}
		}
		lines = append(lines, "Token claims the policy is matched against:")
		for _, k := range keys {
			if v, ok := claims[k]; ok {
				lines = append(lines, fmt.Sprintf("  %s: %s", k, claimString(v)))
			}
		}
	}
	if h := se.Hint(req, in.orgPolicyRepo, sts.Actions); h != "" {
		lines = append(lines, h)
	}
	if se.Attempts > 0 {
		lines = append(lines, se.Summary())
	}
	rt.Untrusted(lines...)
	var diag string
	if se.Class == sts.ClassDenied || se.Class == sts.ClassNotFound || se.Class == sts.ClassBadRequest {
		diag = callHook(ctx, Diagnose, DiagnoseInput{
			Claims: claims, Scope: in.scope, Identity: in.identity, Domain: in.domain, Status: se.Status,
			Message: se.Message, GitHubToken: in.githubToken, Workspace: rt.Workspace,
			OrgPolicyRepo: in.orgPolicyRepo, Server: in.server,
		})
		if diag != "" {
			rt.Action.Group("Diagnosis")
			rt.Untrusted(strings.Split(strings.TrimRight(diag, "\n"), "\n")...)
			rt.Action.EndGroup()
		}
	}
	msg := se.Message
	if h := se.Hint(req, in.orgPolicyRepo, sts.Actions); h != "" {
		msg += "\n" + h
	}
	if se.Attempts > 1 {
		msg += "\n" + se.Summary()
	}
	if diag == "" {
		return rt.Fail(se.Title(), msg, exitFailure)
	}
	// The summary reads top down: the headline, the server's answer, then the diagnosis, which
	// shows the claims that matter itself (the log's hint points at claims printed in the log).
	return rt.FailWithDetail(se.Title(), msg, se.Message, "#### Diagnosis\n\n"+diag+"\n", exitFailure)
}

func runDebug(ctx context.Context, rt *Runtime, in exchangeInputs, req sts.Request, src *idtoken.Actions) int {
	tctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	jwt, err := src.Token(tctx)
	if err != nil {
		return rt.Fail("octo-sts: "+string(sts.ClassIDToken), err.Error(), exitFailure)
	}
	rt.Mask(jwt)
	claims, err := idtoken.ParseClaims(jwt)
	if err != nil {
		return rt.Fail("octo-sts: "+string(sts.ClassIDToken), err.Error(), exitFailure)
	}
	rt.printClaims(claims)
	rt.warnSubject(claims)
	c := &sts.Client{Domain: in.domain}
	fmt.Fprintf(rt.Stdout, "debug: true — not exchanging. The exchange would be: GET %s\n", c.ExchangeURL(req))
	md := callHook(ctx, DebugEvaluate, DiagnoseInput{
		Claims: claims, Scope: in.scope, Identity: in.identity, Domain: in.domain,
		GitHubToken: in.githubToken, Workspace: rt.Workspace, OrgPolicyRepo: in.orgPolicyRepo, Server: in.server,
	})
	if md != "" {
		rt.Action.Group("Policy evaluation")
		rt.Untrusted(strings.Split(strings.TrimRight(md, "\n"), "\n")...)
		rt.Action.EndGroup()
	} else {
		fmt.Fprintln(rt.Stdout, "No local policy evaluator is available; compare the claims above with the trust policy.")
	}
	// The verdict is what debug is for: it leads, the full claims follow folded.
	rt.Summary(fmt.Sprintf("### octo-sts debug for %s / %s\n\nNo token was requested (debug: true).\n\n%s\n<details><summary>Token claims</summary>\n\n%s\n</details>\n",
		markdown.Code(in.scope), markdown.Code(in.identity), md, claimsTable(claims)))
	return exitOK
}

// printClaims shows the decoded claims in a collapsed group, as pretty-printed JSON like the
// official v1 action: they are what policies match against, and the lines between the group
// markers, pasted into a file, are what `octo-sts check --claims` reads.
func (rt *Runtime) printClaims(claims map[string]any) {
	title := "OIDC Token Claims"
	if sub, ok := claims["sub"].(string); ok {
		title += " (sub " + strings.ReplaceAll(sub, "\n", " ") + ")"
	}
	rt.Action.Group(title)
	rt.Untrusted(strings.Split(claimsJSON(claims), "\n")...)
	rt.Action.EndGroup()
}

// claimsJSON renders claims as indented JSON with sorted keys and without HTML escaping, so
// the log shows the values exactly as the token carries them.
func claimsJSON(claims map[string]any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(claims); err != nil {
		return "{}" // decoded from JSON, so re-encoding cannot fail
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// warnSubject flags a `sub` Octo STS refuses outright, so the user learns it from the claims
// rather than from a bare 400 "invalid subject in token".
func (rt *Runtime) warnSubject(claims map[string]any) {
	sub, _ := claims["sub"].(string)
	if p := sts.SubjectProblem(sub); p != "" {
		rt.Action.WithFieldsMap(map[string]string{"title": "octo-sts: unusable subject"}).Warningf("Octo STS will refuse this token's sub (400 %s): %s. Rename the environment or branch.", policy.InvalidTokenMessage("subject"), p)
	}
}

func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case float64:
		if v == float64(int64(v)) {
			return fmt.Sprint(int64(v))
		}
	}
	return fmt.Sprintf("%v", v)
}

func claimsTable(claims map[string]any) string {
	var b strings.Builder
	b.WriteString("| claim | value |\n|---|---|\n")
	for _, k := range slices.Sorted(maps.Keys(claims)) {
		fmt.Fprintf(&b, "| %s | %s |\n", mdEscape(k), mdEscape(claimString(claims[k])))
	}
	return b.String()
}

// noteSubdirectory says that an identity with "/" reads a policy in a sub-directory, which the
// server reads but its "Trust Policy Validation" check run never validates (spec §3.1).
func (rt *Runtime) noteSubdirectory(identity string) {
	if !strings.Contains(identity, "/") {
		return
	}
	rt.Action.WithFieldsMap(map[string]string{"title": "octo-sts: policy in a sub-directory"}).Noticef(
		"identity %q reads %s; the Octo STS server reads such files, but its \"Trust Policy Validation\" check run does not validate them, so lint them (mode: lint) before relying on them",
		identity, policy.PolicyPath(identity))
}
