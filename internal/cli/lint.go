package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	stdio "io"
	"io/fs"
	"os"
	"path/filepath"
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
(walked recursively); - reads one policy from stdin (name it with --stdin-filename). lint finds
the repository root from the working directory (like actionlint: the nearest directory up with
.git or .github/chainguard) and, without PATHs, lints its .github/chainguard. Paths are shown
relative to the working directory (to the workspace in GitHub Actions). Flags may come before
or after PATHs.
In a policy file, "# octo-sts: ignore RULE reason" drops warnings and notices of RULE on its
line, or in the whole file on a line of its own; errors can only be dropped with --ignore.

exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage error, 3 internal failure.
`

// lintFlags are the parsed, validated command line of ` + "`octo-sts lint`" + `.
type lintFlags struct {
	kind          string
	orgPolicyRepo string
	repository    string
	format        report.Format
	failOn        lint.Severity // "" for --fail-on never
	output        string
	quiet         bool
	workflows     bool
	color         string
	stdinName     string
	ignore        []string
	paths         []string
	server        []policy.Generation
	// as typed, before validation into format, failOn and server
	formatArg, failOnArg, serverArg string
}

var (
	lintKinds   = []string{"auto", string(policy.KindRepo), string(policy.KindOrg), string(policy.KindIssuers)}
	lintFailOns = []string{string(lint.SevError), string(lint.SevWarning), string(lint.SevNotice), failOnNever}
	colorModes  = []string{"auto", "always", "never"}
)

// failOnNever makes lint exit 0 whatever it finds, as the action's fail-on input allows.
const failOnNever = "never"

// define registers lint's flags on fs, for its parser and the command list alike.
func (f *lintFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.kind, "kind", "auto", "how to parse the files: `auto|repo|org|issuers` (auto: from the file name and\nwhether the repository is the org policy repository)")
	fs.StringVar(&f.orgPolicyRepo, "org-policy-repo", "", "the server's ORG_POLICY_REPO `NAME` (default .github)")
	fs.StringVar(&f.serverArg, "server", "all", "server generation to judge by: `legacy|current|all` (all: an error when any refuses)")
	fs.StringVar(&f.repository, "repository", "", "the repository being linted, `OWNER/NAME` (default $GITHUB_REPOSITORY)")
	fs.StringVar(&f.formatArg, "format", string(report.FormatText), "output format: `text|json|github|sarif`")
	fs.StringVar(&f.failOnArg, "fail-on", string(lint.SevError), "exit 1 when a finding is at least this severe: `error|warning|notice|never`")
	fs.StringVar(&f.output, "output", "", "write the report to `FILE` instead of standard output")
	fs.BoolVar(&f.quiet, "quiet", false, "text format: omit the closing \"N errors, ...\" line")
	fs.BoolVar(&f.workflows, "workflows", true, "cross-check .github/workflows against the policies (--workflows=false to skip):\nid-token: write, the policy file, and whether any trigger gets a token; policies of\nother repositories are read with GITHUB_TOKEN when it is set")
	fs.StringVar(&f.color, "color", "auto", "colour the text format: `auto|always|never` (auto: on a terminal unless NO_COLOR is set)")
	fs.StringVar(&f.stdinName, "stdin-filename", "", "the `PATH` a policy read from stdin (-) is reported as (default .github/chainguard/stdin.sts.yaml)")
	fs.Func("ignore", "drop every finding of these rules, `RULE[,RULE]` (repeatable)", func(v string) error {
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if lint.RuleByID(id) == nil {
				return fmt.Errorf("unknown rule %q for --ignore: see docs/rules.md for the rule IDs", id)
			}
			f.ignore = append(f.ignore, id)
		}
		return nil
	})
}

// parseLintFlags parses lint's command line with the shared parser; everything after "--" is a path.
func parseLintFlags(sio IO, args []string) (lintFlags, error) {
	var f lintFlags
	fset := flagSet("lint", f.define)
	paths, err := parseFlags(sio, "lint", fset, args)
	if err != nil {
		return f, err
	}
	f.paths = paths
	if !slices.Contains(lintKinds, f.kind) {
		return f, usagef("--kind %q: want one of %s%s", f.kind, strings.Join(lintKinds, ", "), didYouMean(f.kind, lintKinds, ""))
	}
	if f.server, err = policy.ParseGenerations(f.serverArg); err != nil {
		return f, usagef("--server %q: %v", f.serverArg, err)
	}
	if f.format, err = report.ParseFormat(f.formatArg); err != nil {
		return f, usagef("--format %q: want one of %s%s", f.formatArg, report.FormatList(), didYouMean(f.formatArg, strings.Split(report.FormatList(), ", "), ""))
	}
	if !slices.Contains(lintFailOns, f.failOnArg) {
		return f, usagef("--fail-on %q: want one of %s%s", f.failOnArg, strings.Join(lintFailOns, ", "), didYouMean(f.failOnArg, lintFailOns, ""))
	}
	if f.failOnArg != failOnNever {
		f.failOn = lint.Severity(f.failOnArg)
	}
	if !slices.Contains(colorModes, f.color) {
		return f, usagef("--color %q: want one of %s%s", f.color, strings.Join(colorModes, ", "), didYouMean(f.color, colorModes, ""))
	}
	if f.repository != "" {
		owner, name, ok := strings.Cut(f.repository, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return f, usagef("--repository %q: want OWNER/NAME, e.g. acme/.github", f.repository)
		}
	} else {
		f.repository = sio.Getenv("GITHUB_REPOSITORY")
	}
	if err := orgPolicyRepoError(f.orgPolicyRepo); err != nil {
		return f, err
	}
	if n := countOf(f.paths, "-"); n > 1 {
		return f, usagef("- (stdin) can be given once")
	}
	if f.stdinName != "" && !slices.Contains(f.paths, "-") {
		return f, usagef("--stdin-filename only applies when a PATH is - (stdin)")
	}
	return f, nil
}

// runLint is `octo-sts lint`; it returns ExitOK, ExitFindings, ExitUsage or ExitInternal.
func runLint(ctx context.Context, args []string, io IO) int {
	// Error messages quote paths from the tree under review; the report formats neutralise their own.
	stderr := logsafe.NewWriter(io.Stderr)
	defer stderr.Flush()
	io.Stderr = stderr
	f, err := parseLintFlags(io, args)
	if err != nil {
		return failUsage(io, "lint", err)
	}

	// Lint sees paths relative to the repository root (the policies' names mean something to the
	// server, and the root holds the workflows and the git remote): GITHUB_WORKSPACE in Actions,
	// else the root found from the working directory (the working directory when there is none,
	// or when a policy comes from stdin). Outside Actions the report shows them relative to the
	// working directory (pathView), as actionlint does.
	root := io.Getenv("GITHUB_WORKSPACE")
	paths := f.paths
	if root == "" && !slices.Contains(paths, "-") { // stdin's name is not a path from here
		root = findRepoRoot(".")
	}
	if len(paths) == 0 {
		if root == "" {
			fmt.Fprintf(io.Stderr, "octo-sts lint: no %s directory here or in any parent directory; pass the policy files or directories to lint\n", defaultLintPath)
			return ExitUsage
		}
		dir := filepath.Join(root, filepath.FromSlash(defaultLintPath))
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(io.Stderr, "octo-sts lint: no %s directory in %s; pass the policy files or directories to lint\n", defaultLintPath, root)
			return ExitUsage
		}
		paths = []string{dir}
	}
	if root == "" {
		root = "."
	}
	if f.repository == "" {
		// The org policy repository parses files differently: recognise it from the checkout too.
		f.repository = originRepo(root)
	}
	var stdinData []byte
	var onDisk []string
	for _, p := range paths {
		if p == "-" {
			if stdinData, err = readStdinPolicy(io.Stdin); err != nil {
				fmt.Fprintf(io.Stderr, "octo-sts lint: -: %v\n", err)
				return ExitUsage
			}
			continue
		}
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(io.Stderr, "octo-sts lint: %s: no such file or directory; pass existing policy files or directories\n", p)
			return ExitUsage
		}
		onDisk = append(onDisk, p)
	}

	opts := lint.Options{Kind: policy.Kind(f.kind), OrgPolicyRepo: f.orgPolicyRepo, Repository: f.repository, Ignore: f.ignore, Server: f.server}
	if f.kind == "auto" {
		opts.Kind = ""
	}
	return streamLint(ctx, io, f, root, paths, onDisk, opts, stdinData)
}

// readStdinPolicy reads `lint -`: at most lint.MaxFileSize bytes, like a file.
func readStdinPolicy(r stdio.Reader) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no standard input")
	}
	data, err := stdio.ReadAll(stdio.LimitReader(r, lint.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(data) > lint.MaxFileSize {
		return nil, fmt.Errorf("stdin holds more than %d bytes, over the 1 MB the server can read", lint.MaxFileSize)
	}
	return data, nil
}

// findRepoRoot walks up from dir to the nearest directory holding .github/chainguard or .git (as
// actionlint finds .github/workflows), or returns "".
func findRepoRoot(dir string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		for _, marker := range []string{filepath.FromSlash(defaultLintPath), ".git"} {
			if _, err := os.Lstat(filepath.Join(d, marker)); err == nil {
				return relToCwd(d)
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// relToCwd shortens an absolute directory to a path relative to the working directory when it is
// an ancestor of it (../..), so messages stay short.
func relToCwd(d string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, d); err == nil {
			return rel
		}
	}
	return d
}

// pathView shows the repository-relative paths lint reports relative to the working directory,
// as actionlint does, so a terminal or editor opens file:line:col straight from the output; a nil
// *pathView leaves them as they are.
type pathView struct{ root, cwd string } // both absolute

// newPathView returns the view for a run whose paths are relative to root, or nil where paths
// stay repository-relative: in GitHub Actions (GITHUB_ACTIONS=true or GITHUB_WORKSPACE set),
// whose annotations and problem matcher resolve them against the workspace; for --format github
// and sarif, which are read against the repository root; and when root is the working directory.
func newPathView(getenv Env, format report.Format, root string) *pathView {
	if getenv("GITHUB_ACTIONS") == "true" || getenv("GITHUB_WORKSPACE") != "" ||
		(format != report.FormatText && format != report.FormatJSON) {
		return nil
	}
	cwd, err1 := os.Getwd()
	abs, err2 := filepath.Abs(root)
	if err1 != nil || err2 != nil || abs == cwd {
		return nil
	}
	return &pathView{root: abs, cwd: cwd}
}

// show rewrites the File of each finding in place and returns fs.
func (v *pathView) show(fs []lint.Finding) []lint.Finding {
	if v == nil {
		return fs
	}
	for i := range fs {
		fs[i].File = v.path(fs[i].File)
	}
	return fs
}

// path is p, a slash-separated path relative to the root, as seen from the working directory
// (../workflows/ci.yml); a path that is not local to the root is left as lint gave it.
func (v *pathView) path(p string) string {
	if !filepath.IsLocal(filepath.FromSlash(p)) {
		return p
	}
	rel, err := filepath.Rel(v.cwd, filepath.Join(v.root, filepath.FromSlash(p)))
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}

// sourceDir is the directory the shown paths are relative to, for sourceReader.
func (v *pathView) sourceDir(root string) string {
	if v == nil {
		return root
	}
	return v.cwd
}

// sourceReader returns the file text for the text format's caret lines: files under root, the
// stdin policy by its display name. Reads are bounded like lint's own.
func sourceReader(root, stdinName string, stdinData []byte) func(string) []byte {
	return func(name string) []byte {
		if stdinData != nil && name == stdinName {
			return stdinData
		}
		fd, err := os.Open(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			return nil
		}
		defer fd.Close()
		if info, err := fd.Stat(); err != nil || !info.Mode().IsRegular() {
			return nil
		}
		data, _ := stdio.ReadAll(stdio.LimitReader(fd, lint.MaxFileSize))
		return data
	}
}

// useColor decides whether the text report is coloured: --color always/never, else only when
// writing to a terminal and NO_COLOR (https://no-color.org) is unset or empty.
func useColor(mode, output string, sio IO) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if output != "" || sio.Getenv("NO_COLOR") != "" || sio.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(sio.Stdout)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w stdio.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// addStepSummary appends markdown to $GITHUB_STEP_SUMMARY through go-githubactions, turning its
// panic on file errors into an error.
func addStepSummary(getenv Env, md string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	githubactions.New(githubactions.WithGetenv(githubactions.GetenvFunc(getenv)), githubactions.WithWriter(stdio.Discard)).AddStepSummary(md)
	return nil
}

// countOf counts the elements of xs equal to x.
func countOf(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}
