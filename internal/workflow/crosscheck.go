package workflow

import (
	"context"
	"io"
	"iter"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/policy"
)

// Check is what the workflow cross-check learned from a repository's workflows: the findings on
// the workflows themselves and which of the repository's policies the workflows use. It holds
// no finding per policy: Findings makes each "unused policy" notice as it reaches that policy,
// so a lint stream that pulls them file by file never holds one per policy.
type Check struct {
	workflows []lint.Finding  // on the workflow files, in lint.Sort order
	root      string          // whose policy directory Findings notes ("" for none: the org policy repository)
	used      map[string]bool // repository-relative policy files the analysed steps read from this repository
}

// CrossCheck lints the workflows under root against the policies: a step without id-token: write,
// an identity without a policy, a step no trigger gets a token for, a policy no workflow uses.
// Policies of repository come from the checkout, others from next (nil: not checked). Workflow
// files that cannot be parsed are left to actionlint. A repository without workflows that run
// this action gives an empty Check.
func CrossCheck(ctx context.Context, root, repository, orgPolicyRepo string, next Source) *Check {
	owner, name, ok := strings.Cut(repository, "/")
	if !ok {
		return &Check{}
	}
	ws, _ := Load(root)
	if len(ws) == 0 {
		return &Check{}
	}
	repo := Repo{Owner: owner, Name: name, Subject: DefaultSubject}
	rs := Analyze(ctx, ws, nil, Options{Repo: repo, OrgPolicyRepo: orgPolicyRepo, Source: Tree{Root: root, Repo: repository, Next: next}})
	if len(rs) == 0 {
		return &Check{}
	}
	if orgPolicyRepo == "" {
		orgPolicyRepo = policy.DefaultOrgPolicyRepo
	}
	if name == orgPolicyRepo { // its policies are used by the whole organization
		root = ""
	}
	return newCheck(repository, root, rs)
}

// newCheck keeps the findings of analysis rs and the policies it reads from repository; root's
// policy directory is noted by Findings ("" for none).
func newCheck(repository, root string, rs []StepResult) *Check {
	used := map[string]bool{}
	for _, s := range rs {
		if strings.EqualFold(s.PolicyRepo, repository) {
			used[s.PolicyFile] = true
		}
	}
	return &Check{workflows: Findings(rs), root: root, used: used}
}

// Findings yields the cross-check's findings in lint.Sort order: those on the workflows, and a
// notice on each policy of the repository (.github/chainguard/*.sts.yaml) that no analysed step
// reads. The notices are made as they are reached; only the policies' names are held meanwhile.
func (c *Check) Findings() iter.Seq[lint.Finding] {
	return func(yield func(lint.Finding) bool) {
		ws := c.workflows
		for _, name := range c.unused() {
			p := path.Join(policy.PolicyDir, name)
			for len(ws) > 0 && ws[0].File < p {
				if !yield(ws[0]) {
					return
				}
				ws = ws[1:]
			}
			if !yield(unusedNotice(p)) {
				return
			}
		}
		for _, f := range ws {
			if !yield(f) {
				return
			}
		}
	}
}

// unusedNotice notes local policy p (repository-relative): workflows in other repositories may
// still use it.
func unusedNotice(p string) lint.Finding {
	return lint.Finding{File: p, Line: 1, Column: 1, EndLine: 1, EndColumn: 1, Rule: RulePolicyUnused, Severity: lint.SevNotice,
		Message: "no workflow of this repository exchanges a token with this policy (workflows in other repositories may)"}
}

// unused lists, sorted, the names of the regular .github/chainguard/*.sts.yaml files under
// c.root that no analysed step reads; none when the directory cannot be read. It reads the
// directory a batch at a time and keeps only the names.
func (c *Check) unused() []string {
	if c.root == "" {
		return nil
	}
	d, err := os.Open(filepath.Join(c.root, filepath.FromSlash(policy.PolicyDir)))
	if err != nil {
		return nil
	}
	defer d.Close()
	var out []string
	for {
		entries, err := d.ReadDir(1024)
		for _, e := range entries {
			if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".sts.yaml") && !c.used[path.Join(policy.PolicyDir, e.Name())] {
				out = append(out, e.Name())
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil
		}
	}
	slices.Sort(out)
	return out
}
