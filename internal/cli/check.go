package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/octo-sts/action/internal/check"
	"github.com/octo-sts/action/internal/logsafe"
	"github.com/octo-sts/action/internal/policy"
	"github.com/octo-sts/action/internal/sts"
)

// ExitInvalidPolicy is check's answer when the policy itself cannot be read by the server (404).
const ExitInvalidPolicy = 4

const checkUsage = `usage: octo-sts check --policy FILE (--claims FILE.json | --token JWT|@file|@-) [flags]
       octo-sts check --policy FILE --repo owner/repo --simulate [--workflow FILE] [flags]
       octo-sts check --workflow FILE [--job ID] [--policy FILE] [--repo owner/repo] [flags]

Evaluates the token against the trust policy in the Octo STS server's order and prints every
field's result, the verdict and the exact message the server would return.

--workflow simulates every trigger of that workflow (each push branch and tag filter, pull
requests, dispatch, schedule, environments, reusable-workflow callers) for each octo-sts/action
step, against the policy each step names (or --policy), and shows whether it gets a token.
--simulate without --workflow assumes a typical workflow (push, tag, pull_request, environment,
reusable workflow) and says so.

With --server all (the default) the policy is evaluated as both server generations would; when
they disagree both answers are printed and the exit code is the worse one's.

Exit codes: 0 allowed, 1 denied (with --simulate or --workflow: no simulated run gets a token;
a verdict that depends on the server's App configuration also exits 1),
2 usage, 3 internal error or --verify could not reach the issuer from here, 4 the policy itself
is invalid.
`

// checkFlags are the flags of `octo-sts check`.
type checkFlags struct {
	policyPath, allowlist, identity, scope, domain, orgRepo, server, format string // what is evaluated, and how it is shown
	claimsPath, tokenArg, jwks                                              string // the token (--claims or --token)
	verify, simulate                                                        bool
	repo, defBranch, env, ownerID, repoID, jobRef                           string // --simulate's runs
	wfFile, jobID, template                                                 string // --workflow's runs
}

// define registers check's flags on fs, for its parser and the command list alike.
func (f *checkFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.policyPath, "policy", "", "trust policy `FILE` (.github/chainguard/<identity>.sts.yaml)")
	fs.StringVar(&f.claimsPath, "claims", "", "decoded token claims, a JSON object in `FILE.json` (- for stdin)")
	fs.StringVar(&f.tokenArg, "token", "", "the `JWT` itself, @file, or @- for stdin (never printed)")
	fs.StringVar(&f.domain, "domain", check.DefaultDomain, "the Octo STS domain, `host[:port]`: the server's STS_DOMAIN, the audience a policy without one requires (default "+check.DefaultDomain+")")
	fs.StringVar(&f.scope, "scope", "", "exchange scope: `owner/repo`, or owner (or owner/.github) for an org policy")
	fs.StringVar(&f.identity, "identity", "", "exchange identity, the policy `name` (default: from the policy file name)")
	fs.StringVar(&f.format, "format", "text", "output format: `text|json`")
	fs.BoolVar(&f.verify, "verify", false, "verify the JWT's signature, exp and nbf like the server (needs --token)")
	fs.StringVar(&f.jwks, "jwks", "", "verify offline against this JWK Set JSON `FILE` instead of the issuer's discovery document")
	fs.BoolVar(&f.simulate, "simulate", false, "evaluate typical GitHub Actions contexts of --repo instead of a token")
	fs.StringVar(&f.repo, "repo", "", "`owner/repo` whose GitHub Actions runs --simulate builds tokens for")
	fs.StringVar(&f.defBranch, "default-branch", "main", "the repository's default `BRANCH`, for --simulate (default main)")
	fs.StringVar(&f.env, "environment", "production", "environment `NAME` for --simulate")
	fs.StringVar(&f.ownerID, "owner-id", "", "the owner's numeric `ID`; with --repo-id: simulate GitHub's immutable subjects (repo:owner@id/repo@id)")
	fs.StringVar(&f.repoID, "repo-id", "", "the repository's numeric `ID` (see --owner-id)")
	fs.StringVar(&f.jobRef, "job-workflow-ref", "", "`job_workflow_ref` of the simulated reusable workflow")
	fs.StringVar(&f.allowlist, "allowlist", "", "the org allowlist `FILE` (trusted-token-issuers.yaml; default: the one next to an org policy, if any)")
	fs.StringVar(&f.server, "server", "all", "server generation: `legacy|current|all` (legacy: 2026-08-21, current: after 2026-09-21)")
	fs.StringVar(&f.wfFile, "workflow", "", "simulate the runs of this workflow `FILE`'s octo-sts/action steps")
	fs.StringVar(&f.jobID, "job", "", "with --workflow: only this job `ID`")
	fs.StringVar(&f.template, "subject-template", "", "with --workflow: the repository's custom subject claim `KEYS`, e.g. repo,context,job_workflow_ref")
	fs.StringVar(&f.orgRepo, "org-policy-repo", "", "the server's ORG_POLICY_REPO `NAME`, the repository an owner-only scope reads (default .github)")
}

func runCheck(ctx context.Context, args []string, sio IO) int {
	// Reports quote the policy and the token's claims: never let them command the runner.
	stderr := logsafe.NewWriter(sio.Stderr)
	defer stderr.Flush()
	sio.Stderr = stderr
	var f checkFlags
	fs := flagSet("check", f.define)
	// usage reports one line, never the whole help: the mistake is what the user needs to see.
	usage := func(msg string) int { return failUsage(sio, "check", usagef("%s", msg)) }
	rest, err := parseFlags(sio, "check", fs, args)
	if err != nil {
		return failUsage(sio, "check", err)
	}
	if len(rest) > 0 {
		return usage(fmt.Sprintf("unexpected argument %q; every input is a flag", rest[0]))
	}
	if f.jobID != "" && f.wfFile == "" {
		return usage("--job needs --workflow FILE")
	}
	if f.template != "" && f.wfFile == "" {
		return usage("--subject-template needs --workflow FILE")
	}
	if err := orgPolicyRepoError(f.orgRepo); err != nil {
		return failUsage(sio, "check", err)
	}
	if f.wfFile != "" {
		if f.claimsPath != "" || f.tokenArg != "" || f.verify {
			return usage("--workflow builds its own tokens; drop --claims, --token and --verify")
		}
		if f.format != "text" && f.format != "json" {
			return usage(fmt.Sprintf("--format %q: use text or json", f.format))
		}
		if f.format == "text" {
			stdout := logsafe.NewWriter(sio.Stdout)
			defer stdout.Flush()
			sio.Stdout = stdout
		}
		return runWorkflowCheck(ctx, workflowCheck{file: f.wfFile, job: f.jobID, repo: f.repo, policyPath: f.policyPath,
			ownerID: f.ownerID, repoID: f.repoID, template: f.template, format: f.format, orgPolicyRepo: f.orgRepo}, sio)
	}
	if f.policyPath == "" {
		return usage("--policy is required: the trust policy file to check against")
	}
	if f.format != "text" && f.format != "json" {
		return usage(fmt.Sprintf("--format %q: use text or json", f.format))
	}
	if f.format == "text" {
		stdout := logsafe.NewWriter(sio.Stdout) // JSON is neutralised by its encoder instead
		defer stdout.Flush()
		sio.Stdout = stdout
	}
	// The same checks, worded the same, as exchange and the action: a scope or identity they
	// refuse never reaches the server, so no verdict about it would be true.
	checks := []error{sts.ValidateDomain(f.domain)}
	if f.scope != "" {
		checks = append(checks, sts.ValidateScope(f.scope))
	}
	if f.identity != "" {
		checks = append(checks, sts.ValidateIdentity(f.identity))
	}
	if err := validated(checks...); err != nil {
		return failUsage(sio, "check", err)
	}
	gens, err := policy.ParseGenerations(f.server)
	if err != nil {
		return usage("--server: " + err.Error())
	}
	if f.simulate {
		if f.claimsPath != "" || f.tokenArg != "" || f.verify {
			return usage("--simulate builds its own tokens; drop --claims, --token and --verify")
		}
		if f.repo == "" {
			return usage("--simulate needs --repo owner/repo")
		}
	} else {
		switch {
		case f.claimsPath == "" && f.tokenArg == "":
			return usage("give the token: --claims FILE.json or --token JWT|@file")
		case f.claimsPath != "" && f.tokenArg != "":
			return usage("give either --claims or --token, not both")
		case f.verify && f.tokenArg == "":
			return usage("--verify needs the signed token: use --token instead of --claims")
		case f.jwks != "" && !f.verify:
			return usage("--jwks only makes sense with --verify")
		}
	}

	data, err := os.ReadFile(f.policyPath)
	if err != nil {
		fmt.Fprintf(sio.Stderr, "octo-sts check: --policy: %v\n", err)
		return ExitUsage
	}
	sc := f.scope
	if sc == "" && f.simulate {
		sc = f.repo
	}
	kind := policy.KindRepo
	if sc != "" {
		kind = policy.ResolveScope(sc, f.orgRepo).Kind
	}
	in := check.Input{
		PolicyPath: f.policyPath, Policy: data, Kind: kind, Identity: f.identity,
		Scope: sc, OrgPolicyRepo: f.orgRepo, Domain: f.domain, Repository: repoForLint(sc, f.orgRepo), Server: gens,
	}

	if err := loadAllowlist(&in, f.allowlist); err != nil {
		return usage(err.Error())
	}
	if f.simulate {
		rs, err := check.Simulate(in, check.SimulateOptions{
			Repository: f.repo, DefaultBranch: f.defBranch, Environment: f.env, Domain: f.domain,
			OwnerID: f.ownerID, RepoID: f.repoID, JobWorkflowRef: f.jobRef,
		})
		if err != nil {
			return usage(err.Error())
		}
		if len(rs) > 0 && rs[0].Verdict == check.InvalidPolicy {
			return emit(sio, f.format, rs[0].Report)
		}
		if f.format == "json" {
			if err := check.RenderSimulationJSON(sio.Stdout, rs); err != nil {
				return ExitInternal
			}
		} else if err := check.RenderSimulation(sio.Stdout, f.policyPath, rs); err != nil {
			return ExitInternal
		}
		for _, r := range rs {
			if r.Verdict == check.Allow {
				return ExitOK
			}
		}
		return ExitFindings
	}

	var raw string
	if f.tokenArg != "" {
		in.FromToken = true
		raw, err = check.TokenArg(f.tokenArg, sio.Stdin)
		if err != nil {
			return usage(err.Error())
		}
		in.Claims, err = check.ParseJWT(raw)
		if err != nil {
			// The server answers an undecodable payload with 400 before anything else.
			return emit(sio, f.format, check.Refused(in, http.StatusBadRequest, check.MsgInvalidBearer,
				"the token's payload cannot be decoded: "+strings.TrimPrefix(err.Error(), check.MsgInvalidBearer+": ")))
		}
	} else {
		in.Claims, err = check.ReadClaimsFile(f.claimsPath, sio.Stdin)
		if errors.Is(err, check.ErrUndecodable) {
			// A malformed token is a verdict (the server's 400), not a usage error.
			return emit(sio, f.format, check.Refused(in, http.StatusBadRequest, check.MsgInvalidBearer,
				"the token's claims cannot be decoded: "+strings.TrimPrefix(err.Error(), "--claims "+f.claimsPath+": "+check.MsgInvalidBearer+": ")))
		}
		if err != nil {
			return usage(err.Error())
		}
	}
	if f.verify {
		opts := check.VerifyOptions{}
		if f.jwks != "" {
			opts.JWKS, err = check.ReadJWKS(f.jwks)
			if err != nil {
				return usage(err.Error())
			}
		}
		in.Verification = check.Verify(ctx, raw, opts)
	}
	r, err := check.Evaluate(in)
	if err != nil {
		fmt.Fprintf(sio.Stderr, "octo-sts check: %v\n", err)
		return ExitInternal
	}
	return emit(sio, f.format, r)
}

// emit prints the report and maps the verdict to the exit code.
func emit(sio IO, format string, r *check.Report) int {
	var err error
	if format == "json" {
		err = check.RenderJSON(sio.Stdout, r)
	} else {
		err = check.RenderText(sio.Stdout, r)
	}
	if err != nil {
		fmt.Fprintf(sio.Stderr, "octo-sts check: writing the report: %v\n", err)
		return ExitInternal
	}
	switch r.Verdict {
	case check.Allow:
		return ExitOK
	case check.InvalidPolicy:
		return ExitInvalidPolicy
	case check.Unverified:
		return ExitInternal
	}
	return ExitFindings
}

// repoForLint names the repository holding the policy, so the linter parses it as the server will.
func repoForLint(scope, orgPolicyRepo string) string {
	if scope == "" {
		return ""
	}
	return policy.ResolveScope(scope, orgPolicyRepo).Repository()
}

// loadAllowlist reads --allowlist, or the trusted-token-issuers.yaml next to an org policy, into
// the evaluation: the exchange consults it before the trust policy.
func loadAllowlist(in *check.Input, flagPath string) error {
	p := flagPath
	if p == "" {
		if in.Kind != policy.KindOrg {
			return nil
		}
		p = filepath.Join(filepath.Dir(in.PolicyPath), policy.IssuersFileName)
		if _, err := os.Stat(p); err != nil {
			return nil //nolint:nilerr // no allowlist next to the policy: every issuer is allowed
		}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("--allowlist: %v", err)
	}
	in.Allowlist, in.AllowlistPath = data, p
	return nil
}
