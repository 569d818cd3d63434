package cli

import (
	"context"

	"github.com/octo-sts/action/internal/workflow"
)

// crossCheck lints the repository's workflows against its policies (workflow.CrossCheck), reading
// other repositories' policies with GITHUB_TOKEN or GH_TOKEN when set.
func crossCheck(ctx context.Context, root, repository, orgPolicyRepo string, getenv Env) *workflow.Check {
	return workflow.CrossCheck(ctx, root, repository, orgPolicyRepo, apiSource(getenv))
}

// apiSource reads policies through the GitHub API (GITHUB_API_URL on GHES) when a token is set.
func apiSource(getenv Env) workflow.Source {
	token := getenv("GITHUB_TOKEN")
	if token == "" {
		token = getenv("GH_TOKEN")
	}
	if token == "" {
		return nil
	}
	return workflow.API{BaseURL: orDefault(getenv("GITHUB_API_URL"), "https://api.github.com"), Token: token}
}

// policySource reads this repository's policies from the checkout and other repositories' through
// the GitHub API when a token is available.
func policySource(root, repository string, getenv Env) workflow.Source {
	return workflow.Tree{Root: root, Repo: repository, Next: apiSource(getenv)}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
