package workflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/octo-sts/action/internal/credhttp"
	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/policy"
)

// maxWorkflows bounds how many workflow files one repository may contribute.
const maxWorkflows = 500

// Load reads every .github/workflows/*.yml and *.yaml under root, in name order; files that cannot
// be parsed are returned as errors next to the rest. Symlinks are skipped: they may point outside
// the workspace.
func Load(root string) ([]*Workflow, []error) {
	dir := filepath.Join(root, ".github", "workflows")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, []error{err}
	}
	var ws []*Workflow
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || (!strings.HasSuffix(name, ".yml") && !strings.HasSuffix(name, ".yaml")) {
			continue
		}
		if len(ws) >= maxWorkflows {
			errs = append(errs, fmt.Errorf(".github/workflows: more than %d workflow files; the rest were not read", maxWorkflows))
			break
		}
		rel := ".github/workflows/" + name
		data, err := readBounded(filepath.Join(dir, name), MaxFileSize)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", rel, err))
			continue
		}
		w, err := Parse(rel, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ws = append(ws, w)
	}
	return ws, errs
}

// readBounded reads a regular file (never through a symlink) of at most limit bytes.
func readBounded(p string, limit int64) ([]byte, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// Tree reads policies of one repository from its checkout and hands other repositories to Next
// (nil: those are not checked).
type Tree struct {
	Root, Repo string
	Next       Source
}

// Policy implements Source.
func (t Tree) Policy(ctx context.Context, repo, identity string) ([]byte, string, error) {
	rel := policy.PolicyPath(identity)
	if !strings.EqualFold(repo, t.Repo) {
		if t.Next == nil {
			return nil, repo + ":" + rel, fmt.Errorf("%w: %s:%s is in another repository and no GitHub token was given", ErrNotChecked, repo, rel)
		}
		return t.Next.Policy(ctx, repo, identity)
	}
	if !validIdentity(identity) {
		return nil, rel, fmt.Errorf("%w: identity %q is not a file name", ErrNotFound, identity)
	}
	data, err := readBounded(filepath.Join(t.Root, filepath.FromSlash(rel)), lint.MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, rel, ErrNotFound
	}
	return data, rel, err
}

// validIdentity refuses identities that would leave .github/chainguard/ ("..", absolute paths).
func validIdentity(id string) bool {
	if id == "" || strings.HasPrefix(id, "/") || strings.Contains(id, "\\") {
		return false
	}
	return !slices.Contains(strings.Split(id, "/"), "..") && path.Clean(id) == id
}

// API reads policies through GitHub's contents API with a token, for other repositories.
type API struct {
	BaseURL string // e.g. https://api.github.com (GHES: https://HOST/api/v3)
	Token   string
	Client  *http.Client
}

// Policy implements Source.
func (a API) Policy(ctx context.Context, repo, identity string) ([]byte, string, error) {
	rel := policy.PolicyPath(identity)
	shown := repo + ":" + rel
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || !validIdentity(identity) {
		return nil, shown, fmt.Errorf("%w: %s is not a repository file", ErrNotChecked, shown)
	}
	u := strings.TrimRight(a.BaseURL, "/") + "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/contents/" + rel
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, shown, fmt.Errorf("%w: %v", ErrNotChecked, err)
	}
	req.Header.Set("Accept", "application/vnd.github.raw+json")
	req.Header.Set("Authorization", "Bearer "+a.Token)
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	c, err := a.client()
	if err != nil {
		return nil, shown, fmt.Errorf("%w: GitHub API URL: %v", ErrNotChecked, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, shown, fmt.Errorf("%w: reading %s: %v", ErrNotChecked, shown, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		// GitHub also answers 404 for a repository the token cannot see: only a visible repository proves absence.
		if a.status(ctx, "/repos/"+url.PathEscape(owner)+"/"+url.PathEscape(name)) != http.StatusOK {
			return nil, shown, fmt.Errorf("%w: the token cannot read %s", ErrNotChecked, repo)
		}
		return nil, shown, ErrNotFound
	default:
		return nil, shown, fmt.Errorf("%w: reading %s: GitHub answered %d", ErrNotChecked, shown, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, lint.MaxFileSize+1))
	if err != nil || len(data) > lint.MaxFileSize {
		return nil, shown, fmt.Errorf("%w: reading %s: too large or cut short", ErrNotChecked, shown)
	}
	return data, shown, nil
}

// status is the HTTP status of a GET on the API path (0 on a transport error).
func (a API) status(ctx context.Context, p string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(a.BaseURL, "/")+p, nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	c, err := a.client()
	if err != nil {
		return 0
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// client is bound to the API's origin (internal/credhttp): the token is never sent, nor
// redirected, to another host.
func (a API) client() (*http.Client, error) {
	base := a.Client
	if base == nil {
		base = &http.Client{Timeout: 15 * time.Second}
	}
	return credhttp.Bind(base, a.BaseURL)
}

// File answers every lookup with one policy file, for `check --workflow --policy FILE`: the
// workflow's steps are evaluated against the file under review instead of the committed one.
type File struct {
	Path string
	Data []byte
}

// Policy implements Source.
func (f File) Policy(context.Context, string, string) ([]byte, string, error) {
	return f.Data, f.Path, nil
}
