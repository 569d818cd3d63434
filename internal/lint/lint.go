package lint

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"

	"github.com/octo-sts/action/internal/policy"
)

// Options carries what the linter cannot see in a file itself: which kind it is and which
// repository it lives in (the org policy repository parses files differently).
type Options struct {
	// Kind forces the file kind; "" (or "auto") infers it from the path and Repository.
	Kind policy.Kind
	// OrgPolicyRepo is the server's ORG_POLICY_REPO (default ".github").
	OrgPolicyRepo string
	// Repository is "owner/name" of the repository being linted (GITHUB_REPOSITORY); its name
	// decides whether policies are org policies. Empty means "not the org policy repository".
	Repository string
	// Ignore drops every finding of these rule IDs (--ignore); unlike an ignore comment in the
	// policy file it can silence errors, because it lives where the lint job is configured.
	Ignore []string
	// Server lists the server generations the file must work on (--server); nil means all: a
	// finding is an error when any of them refuses the file.
	Server []policy.Generation
}

// gens is the generations to judge by, legacy first.
func (o Options) gens() []policy.Generation {
	if len(o.Server) == 0 {
		return policy.Generations
	}
	return o.Server
}

// primary is the generation whose decode the advisory checks read: current when selected, since
// its fields are a superset of legacy's.
func (o Options) primary() policy.Generation {
	g := o.gens()
	if slices.Contains(g, policy.Current) {
		return policy.Current
	}
	return g[0]
}

func (o Options) orgPolicyRepo() string {
	if o.OrgPolicyRepo == "" {
		return policy.DefaultOrgPolicyRepo
	}
	return o.OrgPolicyRepo
}

// InPolicyRepo reports whether the linted repository is the org policy repository; the webhook
// compares case-insensitively and so do we.
func (o Options) InPolicyRepo() bool {
	if o.Repository == "" {
		return false
	}
	name := o.Repository
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return strings.EqualFold(name, o.orgPolicyRepo())
}

// KindOf infers how the server would parse the file at path p: the allowlist by its name; org
// policies when the repository (Options.Repository, else the directory that holds
// .github/chainguard in p, as in a checkout named after its repository) is the org policy repository.
func KindOf(p string, o Options) policy.Kind {
	if o.Kind != "" && o.Kind != "auto" {
		return o.Kind
	}
	p = filepath.ToSlash(p)
	if path.Base(p) == policy.IssuersFileName {
		return policy.KindIssuers
	}
	if o.Repository == "" {
		if repo := checkoutName(p); repo != "" {
			o.Repository = repo
		}
	}
	if o.InPolicyRepo() {
		return policy.KindOrg
	}
	return policy.KindRepo
}

// checkoutName returns the directory name that contains .github/chainguard in p ("" if none):
// for "orgs/acme/.github/.github/chainguard/x.sts.yaml" it is ".github".
func checkoutName(p string) string {
	i := strings.LastIndex("/"+p, "/"+policy.PolicyDir+"/")
	if i <= 0 {
		return ""
	}
	return path.Base(p[:i-1])
}

// IsPolicyPath reports whether p is a file the linter should look at when walking a directory:
// anything YAML-ish under a chainguard directory, so misnamed files get a finding instead of silence.
func IsPolicyPath(p string) bool {
	p = filepath.ToSlash(p)
	base := path.Base(p)
	return strings.HasSuffix(base, ".sts.yaml") || strings.HasSuffix(base, ".sts.yml") ||
		base == policy.IssuersFileName ||
		(strings.Contains("/"+p, "/.github/chainguard/") && (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")))
}

// Paths lints files and directories (walked recursively for policy files). Display paths are made
// relative to root when possible so annotations land on pull-request lines. An unreadable or
// missing path is an error (exit 3 territory), not a finding. It holds every finding; Stream
// hands them over file by file instead.
func Paths(root string, paths []string, o Options) ([]Finding, int, error) {
	var out []Finding
	n, err := Stream(root, paths, o, func(fs []Finding) error {
		out = append(out, fs...)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, n, nil
}

// lintPath reads and lints one file the walk found; a link on the way or a file the server cannot
// read is a finding, an I/O failure an error.
func lintPath(root, p string, o Options) ([]Finding, error) {
	shown := display(root, p)
	if link := linkInPath(root, p); link != "" {
		return suppress([]Finding{refusedFinding(shown, "not-regular-file", fmt.Sprintf("is reached through the symbolic link %s; lint does not follow links (the server reads the Git tree, never through a link)", display(root, link)))}, nil, o.Ignore), nil
	}
	data, r, err := readPolicyFile(p)
	if err != nil {
		return nil, err
	}
	if r != nil {
		return suppress([]Finding{refusedFinding(shown, r.rule, r.msg)}, nil, o.Ignore), nil
	}
	if len(data) > bigFile {
		bigFiles.Lock()
		defer bigFiles.Unlock()
	}
	return Bytes(shown, data, o), nil
}

// bigFile is the size above which files are linted one at a time: real policies are a few
// hundred bytes, while a hostile 1 MB file (100,000 claim keys) takes over 100 MB to parse and
// judge, and two of them at once made a tree's peak memory their sum.
const bigFile = 256 << 10

var bigFiles sync.Mutex

// refusedFinding reports a path lint would not read; it is an error so the pull request cannot merge.
func refusedFinding(p, rule, msg string) Finding {
	return Finding{File: p, Line: 1, Column: 1, EndLine: 1, EndColumn: 1, Rule: rule, Severity: ruleByID[rule].Severity, Class: ruleByID[rule].Class, Message: p + " " + msg}
}

// display turns p into a slash-separated path relative to root (the repository root).
func display(root, p string) string {
	if root != "" {
		if ap, err := filepath.Abs(p); err == nil {
			if ar, err := filepath.Abs(root); err == nil {
				if rel, err := filepath.Rel(ar, ap); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
					return filepath.ToSlash(rel)
				}
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(p))
}

// ErrNoFiles is returned by callers when the given paths held no policy files at all.
var ErrNoFiles = errors.New("no policy files found")

// Bytes lints one file's contents; p is the repo-relative path used for kind detection and output.
func Bytes(p string, data []byte, o Options) []Finding {
	kind := KindOf(p, o)
	if (o.Kind == "" || o.Kind == "auto") && kind == policy.KindRepo && !strings.Contains("/"+filepath.ToSlash(p), "/"+policy.PolicyDir+"/") && looksLikeAllowlist(data) {
		// Outside .github/chainguard the path says nothing; an allowlist's keys are unmistakable.
		kind = policy.KindIssuers
	}
	f := newFile(p, data, kind, o)
	f.run()
	return suppress(Sort(f.findings), data, o.Ignore)
}

// finding constructors keep positions valid (1-based, end never before start).
func (f *file) add(rule string, n *node, format string, args ...any) {
	// An unregistered rule (a port in progress) still fails the file as refused, never panics.
	sev, class := SevError, ClassRefused
	if r := ruleByID[rule]; r != nil {
		sev, class = r.Severity, r.Class
	}
	line, col, eline, ecol := 1, 1, 1, 1
	if n != nil {
		line, col, eline, ecol = n.span()
	}
	f.findings = append(f.findings, Finding{
		File: f.path, Line: line, Column: col, EndLine: eline, EndColumn: ecol,
		Rule: rule, Severity: sev, Class: class, Message: fmt.Sprintf(format, args...),
	})
}

// looksLikeAllowlist reports whether every top-level key of the first document is an allowlist
// field (mode, issuers, issuer_patterns, in any case), so a renamed allowlist is linted as one.
func looksLikeAllowlist(data []byte) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	es := entries(doc.Content[0])
	if len(es) == 0 {
		return false
	}
	for _, e := range es {
		if n, _ := canonical(e.key.Value, policy.Fields(policy.Legacy, policy.KindIssuers)); n == "" {
			return false
		}
	}
	return true
}
