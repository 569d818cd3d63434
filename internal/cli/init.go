package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/octo-sts/action/internal/scaffold"
)

const initUsage = `usage: octo-sts init renovate --repo OWNER/NAME [flags]
       octo-sts init policy [--repo OWNER/NAME] [--identity NAME] [flags]

Write a ready-to-commit Octo STS set-up into a repository checkout. Nothing is overwritten unless
--force is given; if any target file exists, nothing at all is written.

init renovate   .github/chainguard/renovate.sts.yaml and .github/workflows/renovate.yaml: Renovate
                runs hourly on the default branch through the reusable workflow
                OWNER/REPO/.github/workflows/renovate.yaml@REF, with a token from Octo STS.
init policy     .github/chainguard/IDENTITY.sts.yaml: a commented starter policy that gives the
                default branch of the repository a read-only token.

With GITHUB_TOKEN (or GH_TOKEN) set and none of --owner-id, --repo-id, --subject-template, the
repository's IDs and OIDC subject settings are read from GitHub (GITHUB_API_URL on GHES:
GET /repos/OWNER/NAME/actions/oidc/customization/sub), so the policy matches what GitHub sends.

exit codes: 0 written, 1 refused to overwrite, 2 usage error, 3 internal failure.
`

// defaultPolicyIdentity is the policy name `init policy` uses without --identity.
const defaultPolicyIdentity = "ci"

// initFlags are the parsed command line of `octo-sts init`.
type initFlags struct {
	kind          string // renovate or policy
	repo          string
	identity      string
	defaultBranch string
	reusableRef   string
	dir           string
	force         bool
	ownerID       string
	repoID        string
	template      string
	transitional  bool
}

// define registers init's flags on fs, for its parser and the command list alike.
func (f *initFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.repo, "repo", "", "the repository the policy is for, `OWNER/NAME` (init policy: default\n$GITHUB_REPOSITORY, else the github.com \"origin\" remote of --dir)")
	fs.StringVar(&f.identity, "identity", "", "policy `NAME`, the file stem under .github/chainguard (default renovate for\ninit renovate, ci for init policy)")
	fs.StringVar(&f.defaultBranch, "default-branch", scaffold.DefaultBranch, "the repository's default `BRANCH`")
	fs.StringVar(&f.reusableRef, "reusable-ref", "", "init renovate: where the reusable workflow lives, `OWNER/REPO@REF` (default\n"+scaffold.DefaultReusableRef+"); a tag, branch or commit SHA")
	fs.StringVar(&f.dir, "dir", ".", "the repository checkout to write into, a `DIR`")
	fs.BoolVar(&f.force, "force", false, "overwrite existing files")
	fs.StringVar(&f.ownerID, "owner-id", "", "the numeric `ID` of the owner; with --repo-id, write the immutable subject\n(repo:OWNER@ID/NAME@ID:...) GitHub sends")
	fs.StringVar(&f.repoID, "repo-id", "", "the numeric `ID` of the repository (see --owner-id)")
	fs.StringVar(&f.template, "subject-template", "", "the repository's custom subject claim `KEYS`, e.g. repo,context")
	fs.BoolVar(&f.transitional, "transitional", false, "accept both the classic and the immutable subject (needs the IDs) while a\nrename, transfer or the switch to immutable subjects is due")
}

// parseInitFlags parses `init KIND [flags]` with the shared parser; flags may also come before KIND.
func parseInitFlags(sio IO, args []string) (initFlags, error) {
	var f initFlags
	fset := flagSet("init", f.define)
	positional, err := parseFlags(sio, "init", fset, args)
	if err != nil {
		return f, err
	}
	switch {
	case len(positional) == 0:
		return f, errors.New("missing what to write: renovate or policy")
	case len(positional) > 1:
		return f, fmt.Errorf("unexpected arguments %q after %q", positional[1:], positional[0])
	}
	f.kind = positional[0]
	set := flagsGiven(fset)
	if set["identity"] && f.identity == "" {
		return f, errors.New("--identity is empty: give the policy name, e.g. --identity deploy for .github/chainguard/deploy.sts.yaml")
	}
	if set["repo"] && f.repo == "" {
		return f, errors.New("--repo is empty: give the repository as OWNER/NAME, e.g. --repo acme/app")
	}
	switch f.kind {
	case "renovate":
		if f.identity == "" {
			f.identity = scaffold.RenovateIdentity
		}
		if f.reusableRef == "" {
			f.reusableRef = scaffold.DefaultReusableRef
		}
	case "policy":
		if f.identity == "" {
			f.identity = defaultPolicyIdentity
		}
		if f.reusableRef != "" {
			return f, errors.New("--reusable-ref only applies to init renovate")
		}
	default:
		return f, fmt.Errorf("unknown kind %q: want renovate or policy%s", f.kind, didYouMean(f.kind, []string{"renovate", "policy"}, ""))
	}
	if f.dir == "" {
		return f, errors.New("--dir is empty: give the repository checkout to write into (e.g. --dir .)")
	}
	return f, nil
}

// runInit is `octo-sts init`; it returns ExitOK, ExitFindings (refused to overwrite), ExitUsage or
// ExitInternal.
func runInit(ctx context.Context, args []string, io IO) int {
	f, err := parseInitFlags(io, args)
	if err != nil {
		return failUsage(io, "init", err)
	}
	if info, err := os.Stat(f.dir); err != nil || !info.IsDir() {
		fmt.Fprintf(io.Stderr, "octo-sts init: --dir %s is not a directory; give the repository checkout to write into\n", f.dir)
		return ExitUsage
	}

	var files []scaffold.File
	switch f.kind {
	case "renovate":
		if f.repo == "" {
			fmt.Fprintln(io.Stderr, "octo-sts init: --repo is required for init renovate: give the repository Renovate runs on as OWNER/NAME, e.g. --repo acme/app")
			return ExitUsage
		}
		subject, serr := initSubject(ctx, f, f.repo, io)
		if serr != nil {
			fmt.Fprintf(io.Stderr, "octo-sts init: %v\n", serr)
			return ExitUsage
		}
		files, err = scaffold.Renovate(scaffold.RenovateOptions{Repo: f.repo, DefaultBranch: f.defaultBranch, Identity: f.identity, ReusableRef: f.reusableRef, Subject: subject})
	case "policy":
		repo := f.repo
		if repo == "" {
			repo = io.Getenv("GITHUB_REPOSITORY")
		}
		if repo == "" {
			repo = originRepo(f.dir)
		}
		if repo == "" {
			fmt.Fprintf(io.Stderr, "octo-sts init: --repo is required here: %s has no github.com \"origin\" remote and GITHUB_REPOSITORY is unset; give the repository as OWNER/NAME, e.g. --repo acme/app\n", f.dir)
			return ExitUsage
		}
		subject, serr := initSubject(ctx, f, repo, io)
		if serr != nil {
			fmt.Fprintf(io.Stderr, "octo-sts init: %v\n", serr)
			return ExitUsage
		}
		files, err = scaffold.Policy(scaffold.PolicyOptions{Repo: repo, Identity: f.identity, DefaultBranch: f.defaultBranch, Subject: subject})
	}
	if err != nil {
		fmt.Fprintf(io.Stderr, "octo-sts init: %v\n", err)
		return ExitUsage
	}

	var exists *scaffold.ExistsError
	switch err := scaffold.Write(f.dir, files, f.force); {
	case errors.As(err, &exists):
		verb := "exists"
		if len(exists.Paths) > 1 {
			verb = "exist"
		}
		fmt.Fprintf(io.Stderr, "octo-sts init: %s already %s in %s; nothing was written. Pass --force to overwrite, or move it away first.\n", strings.Join(exists.Paths, " and "), verb, f.dir)
		return ExitFindings
	case err != nil:
		fmt.Fprintf(io.Stderr, "octo-sts init: %v\n", err)
		return ExitInternal
	}
	for _, file := range files {
		fmt.Fprintf(io.Stdout, "wrote %s\n", filepath.ToSlash(filepath.Join(f.dir, file.Path)))
	}
	fmt.Fprint(io.Stdout, nextSteps(f))
	return ExitOK
}

// nextSteps tells the user what is left to do after the files are written.
func nextSteps(f initFlags) string {
	lint := "  octo-sts lint " + filepath.ToSlash(filepath.Join(f.dir, scaffold.PolicyPath(f.identity))) + "\n"
	switch f.kind {
	case "renovate":
		return "\nNext:\n" +
			"  1. Install the Octo STS GitHub App on " + strings.SplitN(f.repo, "/", 2)[0] + " (https://github.com/apps/octo-sts) if it is not yet.\n" +
			"  2. Commit both files to the default branch (" + f.defaultBranch + "): Octo STS reads the policy from there.\n" +
			"  3. Add a Renovate configuration (renovate.json) if the repository has none, then run the\n" +
			"     Renovate workflow from the Actions tab or wait for the hourly schedule.\n" +
			"Check the policy with:\n" + lint
	default:
		return "\nNext: adjust subject and permissions to the workflow that will use it, commit it to the\n" +
			"default branch, and check it with:\n" + lint
	}
}

// originURL matches the github.com URL forms of a remote: https://, ssh:// and scp-like git@.
var originURL = regexp.MustCompile(`^(?:https://(?:[^@/]+@)?github\.com/|ssh://git@github\.com/|git@github\.com:)([A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$`)

// originRepo returns OWNER/NAME of the github.com "origin" remote in dir/.git/config, or "".
func originRepo(dir string) string {
	cfg, err := os.Open(filepath.Join(dir, ".git", "config"))
	if err != nil {
		return ""
	}
	defer cfg.Close()
	inOrigin := false
	sc := bufio.NewScanner(cfg)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			inOrigin = line == `[remote "origin"]`
			continue
		}
		if !inOrigin {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(key) != "url" {
			continue
		}
		if m := originURL.FindStringSubmatch(strings.TrimSpace(value)); m != nil {
			if scaffold.ValidateRepo("--repo", m[1]) == nil {
				return m[1]
			}
		}
		return ""
	}
	return ""
}
