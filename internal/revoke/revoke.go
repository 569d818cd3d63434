// Package revoke ends a GitHub installation token's life early (DELETE /installation/token), so a
// token minted for one job is useless once the job is over instead of living its full hour.
package revoke

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v92/github"

	"github.com/octo-sts/action/internal/credhttp"
	"github.com/octo-sts/action/internal/sts"
)

// DefaultAPIURL is GitHub.com's REST root, used when GITHUB_API_URL is not set.
const DefaultAPIURL = "https://api.github.com"

// DefaultTimeout bounds revocation: it runs in a post step that must never hold up the job.
const DefaultTimeout = 10 * time.Second

// Outcome says what happened, so callers can log at the right level without parsing errors.
type Outcome int

// Outcomes of a revocation attempt.
const (
	Revoked        Outcome = iota // GitHub answered 204
	AlreadyInvalid                // 401: expired, already revoked or never valid — nothing to do
	Failed                        // anything else; the token may still be live until it expires
)

// Options configures one revocation.
type Options struct {
	APIURL     string // GITHUB_API_URL (GHES: https://HOST/api/v3); default DefaultAPIURL
	Token      string
	HTTPClient *http.Client
	Timeout    time.Duration
	// Sleep waits between retries; injectable for tests. Default: real timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Revoke deletes the token, retrying network errors and 5xx briefly within the timeout.
func Revoke(ctx context.Context, o Options) (Outcome, error) {
	if o.Token == "" {
		return Failed, errors.New("no token to revoke")
	}
	base, err := baseURL(o.APIURL)
	if err != nil {
		return Failed, err
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// go-github's WithAuthToken transport sets Authorization on every request it sends, redirect
	// hops included, whatever host the Location names: bind the client to the API origin.
	hc, err := credhttp.Bind(o.HTTPClient, base)
	if err != nil {
		return Failed, err
	}
	opts := []github.ClientOptionsFunc{github.WithAuthToken(o.Token), github.WithURLs(&base, &base), github.WithUserAgent("octo-sts/action"), github.WithHTTPClient(hc)}
	client, err := github.NewClient(opts...)
	if err != nil {
		return Failed, fmt.Errorf("creating GitHub client: %w", err)
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = sts.Sleep
	}
	const attempts = 3
	var last error
	for n := 1; n <= attempts; n++ {
		resp, err := client.Apps.RevokeInstallationToken(ctx)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		switch {
		case err == nil && status == http.StatusNoContent:
			return Revoked, nil
		case status == http.StatusUnauthorized:
			return AlreadyInvalid, nil
		case err == nil:
			last = fmt.Errorf("unexpected status %d from DELETE %sinstallation/token", status, base)
		default:
			last = describe(err, status, base)
		}
		var oe *credhttp.OriginError
		retry := (status == 0 || status >= 500) && !errors.As(err, &oe)
		if !retry || n == attempts || ctx.Err() != nil {
			break
		}
		if sleep(ctx, time.Duration(n)*500*time.Millisecond) != nil {
			break
		}
	}
	return Failed, last
}

func describe(err error, status int, base string) error {
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		msg := strings.TrimSpace(er.Message)
		if msg == "" {
			msg = http.StatusText(status)
		}
		return fmt.Errorf("GitHub answered %d to DELETE %sinstallation/token: %s", status, base, msg)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer from %s within the revocation timeout", base)
	}
	return fmt.Errorf("DELETE %sinstallation/token: %w", base, err)
}

// baseURL validates apiURL and adds the trailing slash go-github needs.
func baseURL(apiURL string) (string, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("API URL %q is not an http(s) URL like https://api.github.com or https://HOST/api/v3", apiURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String(), nil
}
