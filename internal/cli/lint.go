package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/logsafe"
	"github.com/octo-sts/action/internal/policy"
	"github.com/octo-sts/action/internal/report"
)

// defaultLintPath is where trust policies live in every repository.
const defaultLintPath = ".github/chainguard"

const lintUsage = `usage: octo-sts lint [flags] [PATH...]

Lint Octo STS trust policies (.github/chainguard/*.sts.yaml) and the org issuer allowlist
(trusted-token-issuers.yaml) the way the server reads them. PATHs are files or directories
(walked recursively); the default is .github/chainguard. Flags may come before or after PATHs.

flags:
  --kind auto|repo|org|issuers   how to parse the files (default auto: from the file name and
                                 whether the repository is the org policy repository)
  --org-policy-repo NAME         the server's ORG_POLICY_REPO (default .github)
  --server legacy|current|all    server generation to judge by (default all: an error when any refuses)
  --repository OWNER/NAME        the repository being linted (default $GITHUB_REPOSITORY)
  --format text|json|github|sarif
                                 output format (default text)
  --fail-on error|warning|notice exit 1 when a finding is at least this severe (default error)
  --output FILE                  write the report to FILE instead of standard output
  --quiet                        text format: omit the closing "N errors, ..." line
  --ignore RULE[,RULE]           drop every finding of these rules (repeatable). In a policy
                                 file, "# octo-sts: ignore RULE reason" drops warnings and
                                 notices of RULE on its line, or in the whole file on a line of
                                 its own; errors can only be dropped with --ignore
  --workflows=false              do not cross-check .github/workflows against the policies (by
                                 default every octo-sts/action step is checked: id-token: write,
                                 the policy file, and whether any trigger gets a token; policies of
                                 other repositories are read with GITHUB_TOKEN when it is set)

exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage error, 3 internal failure.
`

func init() {
	register("lint", "lint trust policies and the issuer allowlist", runLint)
}

// lintFlags are the parsed, validated command line of `octo-sts lint`.
type lintFlags struct {
	kind          string
	orgPolicyRepo string
	repository    string
	format        report.Format
	failOn        lint.Severity
	output        string
	quiet         bool
	workflows     bool
	ignore        []string
	paths         []string
	server        []policy.Generation
}

var (
	lintKinds   = []string{"auto", string(policy.KindRepo), string(policy.KindOrg), string(policy.KindIssuers)}
	lintFailOns = []string{string(lint.SevError), string(lint.SevWarning), string(lint.SevNotice)}
)

// parseLintFlags parses args with the stdlib flag package, also accepting flags after positional
// paths (flag alone stops at the first path); everything after "--" is a path.
func parseLintFlags(args []string, getenv Env) (lintFlags, error) {
	var f lintFlags
	var format, failOn string
	fset := flag.NewFlagSet("octo-sts lint", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	fset.Usage = func() {}
	fset.StringVar(&f.kind, "kind", "auto", "")
	fset.StringVar(&f.orgPolicyRepo, "org-policy-repo", "", "")
	var server string
	fset.StringVar(&server, "server", "all", "")
	fset.StringVar(&f.repository, "repository", "", "")
	fset.StringVar(&format, "format", string(report.FormatText), "")
	fset.StringVar(&failOn, "fail-on", string(lint.SevError), "")
	fset.StringVar(&f.output, "output", "", "")
	fset.BoolVar(&f.quiet, "quiet", false, "")
	fset.BoolVar(&f.workflows, "workflows", true, "")
	fset.Func("ignore", "", func(v string) error {
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if lint.RuleByID(id) == nil {
				return fmt.Errorf("unknown rule %q for --ignore: see docs/rules.md for the rule IDs", id)
			}
			f.ignore = append(f.ignore, id)
		}
		return nil
	})

	rest := args
	for {
		before := rest
		if err := fset.Parse(rest); err != nil {
			return f, err
		}
		rest = fset.Args()
		if used := len(before) - len(rest); used > 0 && before[used-1] == "--" {
			f.paths = append(f.paths, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		f.paths = append(f.paths, rest[0])
		rest = rest[1:]
	}

	if !slices.Contains(lintKinds, f.kind) {
		return f, fmt.Errorf("invalid value %q for --kind: want one of %s", f.kind, strings.Join(lintKinds, ", "))
	}
	var err error
	if f.server, err = policy.ParseGenerations(server); err != nil {
		return f, fmt.Errorf("invalid value %q for --server: %v", server, err)
	}
	if f.format, err = report.ParseFormat(format); err != nil {
		return f, fmt.Errorf("invalid value %q for --format: want one of %s", format, report.FormatList())
	}
	if !slices.Contains(lintFailOns, failOn) {
		return f, fmt.Errorf("invalid value %q for --fail-on: want one of %s", failOn, strings.Join(lintFailOns, ", "))
	}
	f.failOn = lint.Severity(failOn)
	if f.repository != "" {
		owner, name, ok := strings.Cut(f.repository, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return f, fmt.Errorf("invalid value %q for --repository: want OWNER/NAME, e.g. acme/.github", f.repository)
		}
	} else {
		f.repository = getenv("GITHUB_REPOSITORY")
	}
	if f.orgPolicyRepo != "" && strings.Contains(f.orgPolicyRepo, "/") {
		return f, fmt.Errorf("invalid value %q for --org-policy-repo: want a bare repository name such as .github", f.orgPolicyRepo)
	}
	return f, nil
}

// runLint is `octo-sts lint`; it returns ExitOK, ExitFindings, ExitUsage or ExitInternal.
func runLint(ctx context.Context, args []string, io IO) int {
	// Error messages quote paths from the tree under review; the report formats neutralise their own.
	stderr := logsafe.NewWriter(io.Stderr)
	defer stderr.Flush()
	io.Stderr = stderr
	f, err := parseLintFlags(args, io.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(io.Stdout, lintUsage)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(io.Stderr, "octo-sts lint: %v\nRun 'octo-sts lint -h' for usage.\n", err)
		return ExitUsage
	}

	paths := f.paths
	if len(paths) == 0 {
		paths = []string{defaultLintPath}
		if _, err := os.Stat(defaultLintPath); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(io.Stderr, "octo-sts lint: no %s directory here; pass the policy files or directories to lint\n", defaultLintPath)
			return ExitUsage
		}
	}
	for _, p := range paths {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(io.Stderr, "octo-sts lint: %s: no such file or directory; pass existing policy files or directories\n", p)
			return ExitUsage
		}
	}

	// Display paths relative to the repository root, so annotations and the problem matcher point
	// at the right file: GITHUB_WORKSPACE in Actions, the working directory elsewhere.
	root := io.Getenv("GITHUB_WORKSPACE")
	if root == "" {
		root = "."
	}
	if f.repository == "" {
		// The org policy repository parses files differently: recognise it from the checkout too.
		f.repository = originRepo(root)
	}
	opts := lint.Options{Kind: policy.Kind(f.kind), OrgPolicyRepo: f.orgPolicyRepo, Repository: f.repository, Ignore: f.ignore, Server: f.server}
	if f.kind == "auto" {
		opts.Kind = ""
	}
	findings, files, err := lint.Paths(root, paths, opts)
	if err != nil {
		fmt.Fprintf(io.Stderr, "octo-sts lint: %v\n", err)
		return ExitInternal
	}
	if f.workflows && f.repository != "" {
		findings = lint.Sort(append(findings, crossCheck(ctx, root, f.repository, f.orgPolicyRepo, io.Getenv)...))
	}
	if files == 0 {
		fmt.Fprintf(io.Stderr, "octo-sts lint: %v under %s (looked for *.sts.yaml and %s); pass the policy files or directories to lint\n",
			lint.ErrNoFiles, strings.Join(paths, ", "), policy.IssuersFileName)
		return ExitUsage
	}

	ro := report.Options{Files: files, Quiet: f.quiet, Version: lintVersion(), OverflowHint: "run `octo-sts lint` for the full list"}
	if f.format == report.FormatGitHub && io.Getenv("GITHUB_STEP_SUMMARY") != "" {
		ro.OverflowHint = "see the job summary"
		if err := addStepSummary(io.Getenv, report.Summary(findings, ro)); err != nil {
			fmt.Fprintf(io.Stderr, "octo-sts lint: writing the step summary (GITHUB_STEP_SUMMARY): %v\n", err)
			return ExitInternal
		}
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, f.format, findings, ro); err != nil {
		fmt.Fprintf(io.Stderr, "octo-sts lint: rendering the %s report: %v\n", f.format, err)
		return ExitInternal
	}
	if f.output != "" {
		if err := os.WriteFile(f.output, buf.Bytes(), 0o644); err != nil {
			fmt.Fprintf(io.Stderr, "octo-sts lint: --output: %v; pass a writable file path\n", err)
			return ExitInternal
		}
	} else if _, err := io.Stdout.Write(buf.Bytes()); err != nil {
		fmt.Fprintf(io.Stderr, "octo-sts lint: writing the report: %v\n", err)
		return ExitInternal
	}
	if report.AtOrAbove(findings, f.failOn) > 0 {
		return ExitFindings
	}
	return ExitOK
}

// addStepSummary appends markdown to $GITHUB_STEP_SUMMARY through go-githubactions, turning its
// panic on file errors into an error.
func addStepSummary(getenv Env, md string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	githubactions.New(githubactions.WithGetenv(githubactions.GetenvFunc(getenv)), githubactions.WithWriter(io.Discard)).AddStepSummary(md)
	return nil
}

// lintVersion is the version recorded in SARIF: the stamped Version, else the module version.
func lintVersion() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}
