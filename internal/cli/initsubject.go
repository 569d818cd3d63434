package cli

import (
	"context"
	"fmt"

	"github.com/octo-sts/action/internal/scaffold"
	"github.com/octo-sts/action/internal/workflow"
)

// initSubject decides the subject form init writes: from the flags when any is given, else from
// GitHub's OIDC subject settings when a token is available, else GitHub's classic default.
func initSubject(ctx context.Context, f initFlags, repo string, io IO) (scaffold.Subject, error) {
	s := scaffold.Subject{Settings: workflow.DefaultSubject, OwnerID: f.ownerID, RepoID: f.repoID, Transitional: f.transitional}
	if f.template != "" {
		t, err := workflow.ParseTemplate(f.template)
		if err != nil {
			return s, err
		}
		s.Settings = t
	}
	s.Settings.UseImmutableSubject = f.ownerID != "" && !f.transitional
	if f.ownerID != "" || f.repoID != "" || f.template != "" {
		return s, nil
	}
	token := io.Getenv("GITHUB_TOKEN")
	if token == "" {
		token = io.Getenv("GH_TOKEN")
	}
	if token == "" || repo == "" {
		if f.transitional {
			return s, fmt.Errorf("--transitional needs the numeric IDs: give --owner-id and --repo-id, or set GITHUB_TOKEN so they can be read")
		}
		return s, nil
	}
	got, err := workflow.FetchSubject(ctx, orDefault(io.Getenv("GITHUB_API_URL"), "https://api.github.com"), token, repo)
	if err != nil {
		return s, fmt.Errorf("reading %s's OIDC subject settings: %w; pass --owner-id/--repo-id/--subject-template instead, or unset GITHUB_TOKEN for the classic subject", repo, err)
	}
	s.Settings, s.OwnerID, s.RepoID = got.Settings, got.OwnerID, got.RepoID
	if f.transitional {
		s.Settings.UseImmutableSubject = false
	}
	fmt.Fprintf(io.Stderr, "octo-sts init: %s: GitHub sends %s\n", repo, s.Settings.Describe())
	return s, nil
}
