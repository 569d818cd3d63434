package workflow

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/policy"
)

// CrossCheck lints the workflows under root against the policies: a step without id-token: write,
// an identity without a policy, a step no trigger gets a token for, a policy no workflow uses.
// Policies of repository come from the checkout, others from next (nil: not checked). Workflow
// files that cannot be parsed are left to actionlint.
func CrossCheck(ctx context.Context, root, repository, orgPolicyRepo string, next Source) []lint.Finding {
	owner, name, ok := strings.Cut(repository, "/")
	if !ok {
		return nil
	}
	ws, _ := Load(root)
	if len(ws) == 0 {
		return nil
	}
	repo := Repo{Owner: owner, Name: name, Subject: DefaultSubject}
	rs := Analyze(ctx, ws, nil, Options{Repo: repo, OrgPolicyRepo: orgPolicyRepo, Source: Tree{Root: root, Repo: repository, Next: next}})
	if len(rs) == 0 {
		return nil
	}
	fs := Findings(rs)
	if orgPolicyRepo == "" {
		orgPolicyRepo = policy.DefaultOrgPolicyRepo
	}
	if name != orgPolicyRepo {
		fs = append(fs, Unused(repository, localPolicies(root), rs)...)
	}
	return lint.Sort(fs)
}

// localPolicies lists .github/chainguard/*.sts.yaml under root as repository-relative paths.
func localPolicies(root string) []string {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(policy.PolicyDir)))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".sts.yaml") {
			out = append(out, path.Join(policy.PolicyDir, e.Name()))
		}
	}
	return out
}
