package action

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v92/github"

	"github.com/octo-sts/action/internal/credhttp"
	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/markdown"
	"github.com/octo-sts/action/internal/policy"
	"github.com/octo-sts/action/internal/report"
	"github.com/octo-sts/action/internal/workflow"
)

func init() { RegisterMode("lint", runLint) }

// lintDefaultPath is the `path` input's default: where every repository keeps its trust policies.
const lintDefaultPath = ".github/chainguard"

// lintListTimeout bounds listing a pull request's files, so a hung API cannot pin the runner.
const lintListTimeout = 2 * time.Minute

// failNever is the extra fail-on value of the action: report, but never fail the step.
const failNever = "never"

// lintInputs are the validated inputs of the lint mode.
type lintInputs struct {
	paths         []string // workspace-relative, slash-separated
	token         string
	sarifFile     string
	failOn        string // error, warning, notice or never
	orgPolicyRepo string
	server        []policy.Generation
}

func readLintInputs(rt *Runtime) (lintInputs, []string) {
	var in lintInputs
	var errs []string
	get := rt.inputCollector(&errs)
	in.token = get("github-token")
	in.sarifFile = get("sarif-file")
	in.failOn = get("fail-on")
	in.orgPolicyRepo = get("org-policy-repo")
	server := get("server")
	// `path` may list several entries, one per line (a YAML block scalar) or separated by spaces.
	for _, line := range rt.InputList("path") {
		in.paths = append(in.paths, strings.Fields(line)...)
	}
	if len(in.paths) == 0 {
		in.paths = []string{lintDefaultPath}
	}
	if in.failOn == "" {
		in.failOn = string(lint.SevError)
	}
	if allowed := []string{string(lint.SevError), string(lint.SevWarning), string(lint.SevNotice), failNever}; !slices.Contains(allowed, in.failOn) {
		errs = append(errs, fmt.Sprintf("input %q: %q is not one of %s", "fail-on", in.failOn, strings.Join(allowed, ", ")))
	}
	var err error
	if in.server, err = policy.ParseGenerations(server); err != nil {
		errs = append(errs, fmt.Sprintf("input %q: %v", "server", err))
	}
	if err := orgPolicyRepoError(in.orgPolicyRepo); err != "" {
		errs = append(errs, err)
	}
	for i, p := range in.paths {
		clean, err := workspaceRel(p)
		if err != nil {
			errs = append(errs, fmt.Sprintf("input %q: %v", "path", err))
		}
		in.paths[i] = clean
	}
	if in.sarifFile != "" {
		if _, err := workspaceRel(in.sarifFile); err != nil {
			errs = append(errs, fmt.Sprintf("input %q: %v", "sarif-file", err))
		}
	}
	return in, errs
}

// workspaceRel cleans a path input and refuses absolute paths and paths leaving the workspace:
// inputs name files of the checked-out repository, and annotations need repo-relative paths.
func workspaceRel(p string) (string, error) {
	p = filepath.ToSlash(p)
	if path.IsAbs(p) || filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
		return "", fmt.Errorf("%q is absolute; give a path relative to the repository root (GITHUB_WORKSPACE)", p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%q leaves the workspace; give a path inside the repository", p)
	}
	return c, nil
}

// runLint is the `mode: lint` of the action: lint the pull request's changed policy files (or
// the whole `path`), annotate findings, write the step summary, the `findings` output and
// optionally SARIF, and fail the step when a finding reaches `fail-on`.
func runLint(ctx context.Context, rt *Runtime) int {
	in, errs := readLintInputs(rt)
	rt.secrets.Add(in.token) // the runner masks it, but scrub it locally too
	if len(errs) > 0 {
		return rt.Fail("octo-sts lint: invalid input", strings.Join(errs, "\n"), exitUsage)
	}
	ws := rt.Workspace
	if ws == "" {
		ws = "."
	}
	repo := rt.Getenv("GITHUB_REPOSITORY")
	opts := lint.Options{OrgPolicyRepo: in.orgPolicyRepo, Repository: repo, Server: in.server}

	var targets []string // workspace-relative files or directories to lint
	scope := "the whole " + strings.Join(in.paths, ", ")
	changed, pr, err := changedPolicyFiles(ctx, rt, in)
	switch {
	case err != nil:
		rt.Action.Warningf("octo-sts lint: %s; linting %s instead", rt.secrets.Redact(err.Error()), scope)
	case pr > 0:
		scope = fmt.Sprintf("the policy files changed in pull request #%d", pr)
		for _, f := range changed {
			// The file list comes from the API and names what the pull request chose: check it like a path.
			if err := lint.CheckRelPath(f); err != nil {
				rt.Action.Warningf("octo-sts lint: pull request #%d lists an unusable file name (%v); not reading it", pr, err)
				continue
			}
			if _, err := os.Lstat(filepath.Join(ws, filepath.FromSlash(f))); err != nil {
				rt.Action.Warningf("octo-sts lint: %s changed in pull request #%d but is not in the workspace (%v); check out the pull request's head to lint it", f, pr, errors.Unwrap(err))
				continue
			}
			// Links, FIFOs and oversized files go on to lint.Paths, which refuses them as findings.
			targets = append(targets, f)
		}
		if len(targets) == 0 {
			fmt.Fprintf(rt.Stdout, "octo-sts lint: no policy files under %s changed in pull request #%d; nothing to lint\n", strings.Join(in.paths, ", "), pr)
			rt.Summary(fmt.Sprintf("### octo-sts lint\n\nNo policy files under %s changed in pull request #%d.\n", markdown.Code(strings.Join(in.paths, " ")), pr))
			return finishLint(rt, in, 0, 0, 0)
		}
	}
	if targets == nil {
		for _, p := range in.paths {
			if _, err := os.Stat(filepath.Join(ws, filepath.FromSlash(p))); errors.Is(err, fs.ErrNotExist) {
				return rt.Fail("octo-sts lint: invalid input", fmt.Sprintf("input %q: %s does not exist in the workspace; check out the repository first (actions/checkout) or set path to your policy files", "path", p), exitUsage)
			}
		}
		targets = in.paths
	}

	abs := make([]string, len(targets))
	for i, t := range targets {
		abs[i] = filepath.Join(ws, filepath.FromSlash(t))
	}
	var cross iter.Seq[lint.Finding]
	if pr == 0 {
		// A full lint also checks the workflows against the policies (pull requests lint only their files).
		var next workflow.Source
		if in.token != "" {
			api := rt.Getenv("GITHUB_API_URL")
			if api == "" {
				api = "https://api.github.com"
			}
			next = workflow.API{BaseURL: api, Token: in.token, Client: rt.HTTPClient}
		}
		cross = workflow.CrossCheck(ctx, ws, repo, in.orgPolicyRepo, next).Findings()
	}
	hint := "see the job summary"
	if rt.Getenv("GITHUB_STEP_SUMMARY") == "" {
		hint = "run `octo-sts lint` for the full list"
	}
	run := newLintRun(rt, in, ws, hint)
	m := report.NewMerger(nil, cross, run.piece)
	defer m.Stop()
	files, err := lint.Stream(ws, abs, opts, m.Piece)
	if err == nil && files > 0 {
		err = m.Flush()
	}
	run.log.Close() // before anything else is printed: the block stops commands
	if err != nil {
		if run.sarifOut != nil {
			run.sarifOut.discard() // an upload step must not take a partial file for the whole run
		}
		return rt.Fail("octo-sts lint: internal error", err.Error(), exitInternal)
	}
	if files == 0 {
		return rt.Fail("octo-sts lint: nothing to lint", fmt.Sprintf("%v under %s (looked for *.sts.yaml and trusted-token-issuers.yaml); set the path input to your policy files", lint.ErrNoFiles, strings.Join(targets, ", ")), exitUsage)
	}
	return run.finish(files, scope)
}

// lintRun is where a lint run's findings go as lint.Stream hands them over: the annotations
// (the first few of each severity), the full list in the log, the step summary, SARIF, and the
// counts the outputs and fail-on need. Nothing holds the whole run.
type lintRun struct {
	rt          *Runtime
	in          lintInputs
	annotations *report.GitHubStream
	log         *untrustedLog
	summaryMD   strings.Builder
	summary     *report.SummaryStream // nil without GITHUB_STEP_SUMMARY
	sarifOut    *sarifFile            // nil without sarif-file
	sarif       *report.SARIFStream   // nil without sarif-file
	counts      report.Counts
	failing     int // findings at or above fail-on
}

func newLintRun(rt *Runtime, in lintInputs, ws, hint string) *lintRun {
	r := &lintRun{rt: rt, in: in, annotations: report.NewGitHubStream(rt.Stdout, report.Options{OverflowHint: hint}),
		// The full list in the log, inside stop-commands: messages quote file contents.
		log: rt.untrustedLog("octo-sts lint: every finding")}
	if rt.Getenv("GITHUB_STEP_SUMMARY") != "" {
		r.summary = report.NewSummaryStream(&r.summaryMD, report.Options{Links: report.LinksFromEnv(rt.Getenv)})
	}
	if in.sarifFile != "" {
		r.sarifOut = &sarifFile{ws: ws, rel: path.Clean(filepath.ToSlash(in.sarifFile))}
		r.sarif = report.NewSARIFStream(r.sarifOut, report.Options{Version: lintToolVersion()})
	}
	return r
}

// piece takes the next file's findings. It never fails: a SARIF write error is reported at the
// end, after the annotations and the summary, as it was when SARIF was written last.
func (r *lintRun) piece(fs []lint.Finding) error {
	r.counts = r.counts.Add(report.Count(fs))
	if r.in.failOn != failNever {
		r.failing += report.AtOrAbove(fs, lint.Severity(r.in.failOn))
	}
	_ = r.annotations.Write(fs) // it writes at Close
	if r.summary != nil {
		_ = r.summary.Write(fs)
	}
	for _, f := range fs {
		r.log.Println(report.TextLine(f))
	}
	if r.sarif != nil {
		_ = r.sarif.Write(fs) // sarifFile keeps the error
	}
	return nil
}

// finish writes what needs the whole run (annotations, the counts line, the summary, the end
// of the SARIF file) and sets the outputs.
func (r *lintRun) finish(files int, scope string) int {
	rt := r.rt
	if err := r.annotations.Close(files); err != nil {
		if r.sarifOut != nil {
			r.sarifOut.discard()
		}
		return rt.Fail("octo-sts lint: internal error", "writing annotations: "+err.Error(), exitInternal)
	}
	fmt.Fprintf(rt.Stdout, "octo-sts lint: %s in %d linted files (%s)\n", r.counts, files, scope)
	if r.summary != nil {
		_ = r.summary.Close(files) // into a strings.Builder
		rt.Summary(fmt.Sprintf("%s\nLinted %s.\n", r.summaryMD.String(), mdEscape(scope)))
	}
	if r.sarif != nil {
		_ = r.sarif.Close(files)
		r.sarifOut.close()
		if err := r.sarifOut.openErr; err != nil {
			return rt.Fail("octo-sts lint: cannot write SARIF", fmt.Sprintf("input %q: %v; give a path inside the workspace that is not a symbolic link", "sarif-file", err), exitUsage)
		}
		if err := r.sarifOut.writeErr; err != nil {
			r.sarifOut.discard()
			return rt.Fail("octo-sts lint: cannot write SARIF", fmt.Sprintf("input %q: %v", "sarif-file", err), exitInternal)
		}
		fmt.Fprintf(rt.Stdout, "octo-sts lint: wrote SARIF to %s\n", r.in.sarifFile)
	}
	return finishLint(rt, r.in, r.counts.Total(), r.failing, files)
}

// sarifFile is the sarif-file output, created in the workspace at the first write (a run with
// nothing to lint leaves none) and buffered; it keeps its first error for finish to report.
type sarifFile struct {
	ws, rel  string
	f        *os.File
	created  bool // this run created (or truncated) the file
	buf      *bufio.Writer
	openErr  error
	writeErr error
}

func (s *sarifFile) Write(p []byte) (int, error) {
	if err := cmp.Or(s.openErr, s.writeErr); err != nil {
		return 0, err
	}
	if s.f == nil {
		// The workspace holds the pull request's tree: a planted link must not redirect the write.
		if s.f, s.openErr = lint.CreateInRoot(s.ws, s.rel); s.openErr != nil {
			s.f = nil
			return 0, s.openErr
		}
		s.created = true
		s.buf = bufio.NewWriterSize(s.f, 64<<10)
	}
	n, err := s.buf.Write(p)
	if err != nil {
		s.writeErr = err
	}
	return n, err
}

// close flushes and closes the file, keeping the first error.
func (s *sarifFile) close() {
	if s.f == nil {
		return
	}
	err := s.buf.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	if s.writeErr == nil {
		s.writeErr = err
	}
}

// discard closes and removes the file of a failed run (in the workspace root: a link planted
// since is removed, not followed), so what is left is no file rather than a partial one.
func (s *sarifFile) discard() {
	if s.f != nil {
		_ = s.f.Close()
		s.f = nil
	}
	if !s.created {
		return
	}
	s.created = false
	if r, err := os.OpenRoot(s.ws); err == nil {
		_ = r.Remove(filepath.FromSlash(s.rel))
		r.Close()
	}
}

// finishLint sets the `findings` output and turns findings at or above fail-on into exit 1.
func finishLint(rt *Runtime, in lintInputs, findings, failing, files int) int {
	if rt.Getenv("GITHUB_OUTPUT") != "" {
		if err := rt.SetOutput("findings", strconv.Itoa(findings)); err != nil {
			return rt.Fail("octo-sts lint: cannot set outputs", err.Error(), exitInternal)
		}
	}
	if in.failOn == failNever {
		return exitOK
	}
	if failing > 0 {
		fmt.Fprintf(rt.Stdout, "octo-sts lint: failing: %d of %d findings in %d files are at or above fail-on=%s\n", failing, findings, files, in.failOn)
		return exitFailure
	}
	return exitOK
}

// changedPolicyFiles lists the policy files a pull request adds or modifies under the path
// inputs. pr is 0 (and err nil) when the event is not a pull request; an error means the caller
// should fall back to linting the whole path.
func changedPolicyFiles(ctx context.Context, rt *Runtime, in lintInputs) (files []string, pr int, err error) {
	switch rt.Getenv("GITHUB_EVENT_NAME") {
	case "pull_request", "pull_request_target":
	default:
		return nil, 0, nil
	}
	pr, err = pullRequestNumber(rt.Getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return nil, 0, err
	}
	owner, name, ok := strings.Cut(rt.Getenv("GITHUB_REPOSITORY"), "/")
	if !ok || owner == "" || name == "" {
		return nil, 0, fmt.Errorf("GITHUB_REPOSITORY %q is not owner/name, so the pull request's files cannot be listed", rt.Getenv("GITHUB_REPOSITORY"))
	}
	if in.token == "" {
		return nil, 0, errors.New("input \"github-token\" is empty, so the pull request's files cannot be listed (pass github-token: ${{ github.token }} with pull-requests: read)")
	}
	api := rt.Getenv("GITHUB_API_URL")
	if api == "" {
		api = "https://api.github.com"
	}
	api = strings.TrimSuffix(api, "/") + "/"
	// go-github re-adds Authorization on every redirect hop: bind the token to the API origin.
	hc, err := credhttp.Bind(rt.HTTPClient, api)
	if err != nil {
		return nil, 0, fmt.Errorf("GITHUB_API_URL %q: %w", api, err)
	}
	client, err := github.NewClient(github.WithHTTPClient(hc), github.WithAuthToken(in.token), github.WithURLs(&api, &api), github.WithUserAgent("octo-sts-lint"))
	if err != nil {
		return nil, 0, fmt.Errorf("creating the GitHub client for GITHUB_API_URL %q: %w", api, err)
	}
	ctx, cancel := context.WithTimeout(ctx, lintListTimeout)
	defer cancel()
	for f, err := range client.PullRequests.ListFilesIter(ctx, owner, name, pr, &github.ListOptions{PerPage: 100}) {
		if err != nil {
			return nil, 0, fmt.Errorf("listing the files of pull request #%d: %w", pr, err)
		}
		if f.GetStatus() == "removed" || !lint.IsPolicyPath(f.GetFilename()) || !underAny(f.GetFilename(), in.paths) {
			continue
		}
		files = append(files, f.GetFilename())
	}
	slices.Sort(files)
	return slices.Compact(files), pr, nil
}

// underAny reports whether repo-relative file p is one of roots or inside one of them, so test
// fixtures elsewhere in the repository are not linted as policies.
func underAny(p string, roots []string) bool {
	for _, r := range roots {
		if r == "." || p == r || strings.HasPrefix(p, strings.TrimSuffix(r, "/")+"/") {
			return true
		}
	}
	return false
}

// pullRequestNumber reads the pull request number from the event payload at eventPath.
func pullRequestNumber(eventPath string) (int, error) {
	if eventPath == "" {
		return 0, errors.New("GITHUB_EVENT_PATH is not set, so the pull request number is unknown")
	}
	data, err := os.ReadFile(eventPath)
	if err != nil {
		return 0, fmt.Errorf("reading the event payload (GITHUB_EVENT_PATH): %w", err)
	}
	var ev struct {
		Number      int `json:"number"`
		PullRequest struct {
			Number int `json:"number"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return 0, fmt.Errorf("parsing the event payload (GITHUB_EVENT_PATH): %w", err)
	}
	if n := cmp.Or(ev.PullRequest.Number, ev.Number); n > 0 {
		return n, nil
	}
	return 0, errors.New("the event payload (GITHUB_EVENT_PATH) has no pull request number")
}

// lintToolVersion is the SARIF tool version: the module version the binary was built from.
func lintToolVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}
