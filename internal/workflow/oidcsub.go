package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RepoSubject is what GitHub reports about a repository's subjects: the settings of
// GET /repos/{owner}/{repo}/actions/oidc/customization/sub and the numeric IDs immutable subjects use.
type RepoSubject struct {
	Settings        SubjectSettings
	OwnerID, RepoID string
}

// FetchSubject reads the repository's IDs and OIDC subject settings through GitHub's REST API
// (apiURL: https://api.github.com, or https://HOST/api/v3 on GHES).
func FetchSubject(ctx context.Context, apiURL, token, repo string) (RepoSubject, error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok {
		return RepoSubject{}, fmt.Errorf("repository %q: want OWNER/NAME", repo)
	}
	a := API{BaseURL: apiURL, Token: token}
	base := "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name)
	var r struct {
		ID    int64 `json:"id"`
		Owner struct {
			ID int64 `json:"id"`
		} `json:"owner"`
	}
	if err := a.getJSON(ctx, base, &r); err != nil {
		return RepoSubject{}, err
	}
	var s SubjectSettings
	if err := a.getJSON(ctx, base+"/actions/oidc/customization/sub", &s); err != nil {
		return RepoSubject{}, err
	}
	for _, k := range s.IncludeClaimKeys {
		if !claimKey.MatchString(k) {
			return RepoSubject{}, fmt.Errorf("GitHub reported an invalid subject claim key %q", k)
		}
	}
	out := RepoSubject{Settings: s}
	if r.ID > 0 && r.Owner.ID > 0 {
		out.OwnerID, out.RepoID = strconv.FormatInt(r.Owner.ID, 10), strconv.FormatInt(r.ID, 10)
	}
	return out, nil
}

// getJSON GETs an API path and decodes at most 1 MiB of JSON into v.
func (a API) getJSON(ctx context.Context, p string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(a.BaseURL, "/")+p, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("Authorization", "Bearer "+a.Token)
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	c, err := a.client()
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", p, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: GitHub answered %d (the token needs read access to the repository)", p, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", p, err)
	}
	return nil
}
