package cli

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/policy"
	"github.com/octo-sts/action/internal/workflow"
)

// crossCheck lints the repository's workflows against its policies: a step without id-token:
// write, an identity without a policy, a step no trigger gets a token for, a policy no workflow uses.
// Workflow files that cannot be parsed are left to actionlint; nothing is reported for them.
func crossCheck(ctx context.Context, root, repository, orgPolicyRepo string, getenv Env) []lint.Finding {
	owner, name, ok := strings.Cut(repository, "/")
	if !ok {
		return nil
	}
	ws, _ := workflow.Load(root)
	if len(ws) == 0 {
		return nil
	}
	repo := workflow.Repo{Owner: owner, Name: name, Subject: workflow.DefaultSubject}
	rs := workflow.Analyze(ctx, ws, nil, workflow.Options{Repo: repo, OrgPolicyRepo: orgPolicyRepo, Source: policySource(root, repository, getenv)})
	if len(rs) == 0 {
		return nil
	}
	fs := workflow.Findings(rs)
	if orgRepo := orDefault(orgPolicyRepo, policy.DefaultOrgPolicyRepo); name != orgRepo {
		fs = append(fs, workflow.Unused(repository, localPolicies(root), rs)...)
	}
	return fs
}

// policySource reads this repository's policies from the checkout and other repositories' through
// the GitHub API when a token is available (GITHUB_TOKEN or GH_TOKEN; GITHUB_API_URL on GHES).
func policySource(root, repository string, getenv Env) workflow.Source {
	t := workflow.Tree{Root: root, Repo: repository}
	token := getenv("GITHUB_TOKEN")
	if token == "" {
		token = getenv("GH_TOKEN")
	}
	if token != "" {
		t.Next = workflow.API{BaseURL: orDefault(getenv("GITHUB_API_URL"), "https://api.github.com"), Token: token}
	}
	return t
}

// localPolicies lists .github/chainguard/*.sts.yaml under root as repository-relative paths.
func localPolicies(root string) []string {
	entries, err := os.ReadDir(filepath.Join(root, ".github", "chainguard"))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".sts.yaml") {
			out = append(out, path.Join(".github/chainguard", e.Name()))
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
