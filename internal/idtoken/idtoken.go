// Package idtoken obtains the OIDC token that Octo STS verifies: from the GitHub Actions ID-token
// endpoint inside a workflow, or from a file, environment variable or stdin for every other OIDC
// producer (Kubernetes projected tokens, GitLab id_tokens, …). Errors never contain the token.
package idtoken

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/sethvargo/go-githubactions"

	"github.com/octo-sts/action/internal/credhttp"
)

// maxToken bounds what a source may return; real JWTs are a few KiB.
const maxToken = 64 << 10

// Error is an ID-token failure that says whether trying again can help, so the exchange loop
// retries GitHub's transient answers and stops at permanent ones.
type Error struct {
	Status int // HTTP status from the ID-token endpoint; 0 if none
	// MissingPermission is set when the job was given no ID-token endpoint at all.
	MissingPermission bool
	msg               string
	retry             bool
}

// Error is the user-facing explanation; it never contains the token.
func (e *Error) Error() string { return e.msg }

// Retryable reports whether a new attempt may succeed.
func (e *Error) Retryable() bool { return e.retry }

// HTTPStatus exposes the endpoint's status to the retry summary.
func (e *Error) HTTPStatus() int { return e.Status }

// Actions fetches GitHub Actions ID tokens from ACTIONS_ID_TOKEN_REQUEST_URL with the
// ACTIONS_ID_TOKEN_REQUEST_TOKEN bearer. It makes the request itself, through a client bound to
// that URL's origin (credhttp): go-githubactions' GetIDToken follows any redirect with the
// request token attached, including to another port or to plain http on the same host.
type Actions struct {
	Getenv     func(string) string
	HTTPClient *http.Client
	Audience   string
}

// Token requests one fresh ID token for the configured audience.
func (a *Actions) Token(ctx context.Context) (string, error) {
	tok, err := a.request(ctx)
	if err != nil {
		return "", classifyActions(ctx, err, a.Getenv)
	}
	if _, err := ParseClaims(tok); err != nil {
		return "", &Error{msg: "the Actions ID-token endpoint answered with something that is not a JWT: " + err.Error()}
	}
	return tok, nil
}

// request is GetIDToken's protocol (audience added with url.Values so api-version is kept, body
// capped, {"value": …} parsed) over the origin-bound client.
func (a *Actions) request(ctx context.Context) (string, error) {
	rawURL, reqTok := a.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL"), a.Getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	for _, v := range [][2]string{{"ACTIONS_ID_TOKEN_REQUEST_URL", rawURL}, {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", reqTok}} {
		if v[1] == "" {
			return "", &githubactions.EnvMissingError{Name: v[0]}
		}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	if a.Audience != "" {
		q := u.Query()
		q.Set("audience", a.Audience)
		u.RawQuery = q.Encode()
	}
	hc, err := credhttp.Bind(a.HTTPClient, u.String())
	if err != nil {
		return "", &url.Error{Op: "parse", URL: "", Err: errors.New("ACTIONS_ID_TOKEN_REQUEST_URL is not an http(s) URL with a host")}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+reqTok)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxToken))
	if err != nil {
		return "", err
	}
	body = bytes.TrimSpace(body)
	if resp.StatusCode != http.StatusOK {
		return "", &githubactions.RequestFailedError{StatusCode: resp.StatusCode, Body: string(body)}
	}
	var v struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", errors.New("the Actions ID-token endpoint's answer is not JSON with a \"value\"")
	}
	return v.Value, nil
}

func classifyActions(ctx context.Context, err error, getenv func(string) string) error {
	var missing *githubactions.EnvMissingError
	if errors.As(err, &missing) {
		return &Error{MissingPermission: true, msg: MissingPermissionMessage(missing.Name, getenv)}
	}
	// The request token is a bearer credential for the job's runtime services: scrub it from
	// anything the endpoint, a proxy or a transport error echoes, before any truncation.
	scrub := func(s string) string {
		if tok := getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"); len(tok) >= 8 {
			s = strings.ReplaceAll(s, tok, "***")
		}
		return s
	}
	var oe *credhttp.OriginError
	if errors.As(err, &oe) {
		return &Error{msg: "requesting the Actions ID token: " + cleanText(scrub(oe.Error()), 300)}
	}
	var failed *githubactions.RequestFailedError
	if errors.As(err, &failed) {
		retry, why := ClassifyIDTokenFailure(failed.StatusCode, scrub(failed.Body))
		return &Error{Status: failed.StatusCode, retry: retry, msg: why}
	}
	var ue *url.Error
	var ne net.Error
	// url.Parse failures are *url.Error (hence net.Error) too, with Op "parse": a malformed
	// request URL is a broken environment, and retrying it only burns the deadline.
	if errors.As(err, &ue) && ue.Op == "parse" {
		return &Error{msg: "ACTIONS_ID_TOKEN_REQUEST_URL is not a valid URL: " + cleanText(scrub(ue.Err.Error()), 300)}
	}
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		if ctx.Err() != nil {
			return &Error{retry: true, msg: "the Actions ID-token endpoint did not answer in time"}
		}
		return &Error{retry: true, msg: "requesting the Actions ID token: " + cleanText(scrub(err.Error()), 300)}
	}
	// JSON decoding and URL parsing failures: the endpoint or environment is wrong, not busy.
	return &Error{msg: "requesting the Actions ID token: " + cleanText(scrub(err.Error()), 300)}
}

// ClassifyIDTokenFailure decides whether a non-200 answer from the Actions ID-token endpoint is
// worth retrying: 5xx and 429 are, and so is GitHub's 403 "Can't issue ID_TOKEN for job in
// 'Pending' state" (also 'Delayed'), which clears once the job is fully started.
func ClassifyIDTokenFailure(status int, body string) (retry bool, message string) {
	text := cleanText(body, 300)
	message = fmt.Sprintf("the Actions ID-token endpoint answered %d", status)
	if text != "" {
		message += ": " + text
	}
	lower := strings.ToLower(body)
	switch {
	case status >= 500 || status == http.StatusTooManyRequests:
		return true, message
	case status == http.StatusForbidden && (strings.Contains(lower, "pending") || strings.Contains(lower, "delayed")):
		return true, message + " (the job is still starting; retrying)"
	}
	return false, message
}

// MissingPermissionMessage explains why there is no ID-token endpoint. The generic cause is a
// missing `id-token: write`, but fork pull requests and Dependabot runs never get one, and telling
// those users to add a permission would send them in circles.
func MissingPermissionMessage(varName string, getenv func(string) string) string {
	msg := fmt.Sprintf("%s is not set, so this job cannot request an OIDC token: add\n  permissions:\n    id-token: write\nto the job (or workflow); note that setting any permission sets the others to none, so also list e.g. contents: read if you need it. Runs triggered by pull requests from forks and by Dependabot never get an ID token, whatever the permissions say", varName)
	if why := NoTokenReason(getenv); why != "" {
		msg += ".\n" + why
	}
	return msg
}

// NoTokenReason returns the specific reason GitHub withholds ID tokens from this run (a fork
// pull request or Dependabot), or "" when the run looks eligible.
func NoTokenReason(getenv func(string) string) string {
	for _, v := range []string{"GITHUB_ACTOR", "GITHUB_TRIGGERING_ACTOR"} {
		if getenv(v) == "dependabot[bot]" {
			return "This run was triggered by Dependabot: GitHub never gives Dependabot-triggered runs an ID token (nor write permissions), whatever `permissions:` says. Run the exchange from a workflow Dependabot does not trigger (e.g. on push after merge)."
		}
	}
	switch getenv("GITHUB_EVENT_NAME") {
	case "pull_request", "pull_request_review", "pull_request_review_comment":
	default:
		return ""
	}
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if head, base, fork := ParsePullRequestEvent(data); fork {
		return fmt.Sprintf("This is a pull request from the fork %q into %q: GitHub does not give workflows triggered by pull requests from forks an ID token. Exchange tokens only in workflows that run on trusted code (push, or pull_request_target without checking out the fork's code).", head, base)
	}
	return ""
}

// ParsePullRequestEvent reads a pull_request event payload and reports whether the head
// repository differs from the base repository, i.e. whether it is a fork pull request.
func ParsePullRequestEvent(data []byte) (head, base string, fork bool) {
	var ev struct {
		PullRequest *struct {
			Head struct {
				Repo *struct {
					FullName string `json:"full_name"`
					Fork     bool   `json:"fork"`
				} `json:"repo"`
			} `json:"head"`
			Base struct {
				Repo *struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"base"`
		} `json:"pull_request"`
	}
	if json.Unmarshal(data, &ev) != nil || ev.PullRequest == nil || ev.PullRequest.Head.Repo == nil || ev.PullRequest.Base.Repo == nil {
		return "", "", false
	}
	head, base = cleanText(ev.PullRequest.Head.Repo.FullName, 200), cleanText(ev.PullRequest.Base.Repo.FullName, 200)
	return head, base, ev.PullRequest.Head.Repo.Fork || !strings.EqualFold(head, base)
}

// ParseClaims decodes the payload of a compact JWS (header.payload.signature) without verifying
// it: the claims are shown to the user to explain policy matches, and the server does the
// verification. The error never includes the token.
func ParseClaims(jwt string) (map[string]any, error) {
	if len(jwt) > maxToken {
		return nil, errors.New("token is larger than 64 KiB")
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("token has %d dot-separated parts; a JWT has 3", len(parts))
	}
	names := [3]string{"header", "payload", "signature"}
	var raw [3][]byte
	for i, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("JWT %s is empty", names[i])
		}
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(p, "="))
		if err != nil {
			return nil, fmt.Errorf("JWT %s is not base64url", names[i])
		}
		raw[i] = b
	}
	var header map[string]any
	if err := json.Unmarshal(raw[0], &header); err != nil || header == nil {
		return nil, errors.New("JWT header is not a JSON object")
	}
	var claims map[string]any
	if err := json.Unmarshal(raw[1], &claims); err != nil || claims == nil {
		return nil, errors.New("JWT payload is not a JSON object")
	}
	return claims, nil
}

// ParseTokenFile turns the contents of a token file, variable or stdin into a token: one line,
// optionally newline-terminated (as `kubectl create token > f` and `echo` write it). Anything
// else (several lines, inner whitespace) is rejected rather than guessed at.
func ParseTokenFile(b []byte) (string, error) {
	if len(b) > maxToken {
		return "", errors.New("token is larger than 64 KiB")
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 {
		return "", errors.New("token is empty")
	}
	if !utf8.Valid(b) {
		return "", errors.New("token is not valid UTF-8")
	}
	for _, r := range string(b) {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", errors.New("token contains whitespace or several lines; expected exactly one JWT")
		}
	}
	return string(b), nil
}

// File reads the token from a path on every attempt, because projected Kubernetes tokens are
// rotated in place.
func File(path string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		f, err := os.Open(path)
		if err != nil {
			return "", &Error{msg: fmt.Sprintf("--token-file: %v", err)}
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxToken+1))
		if err != nil {
			return "", &Error{msg: fmt.Sprintf("--token-file %s: %v", path, err)}
		}
		return checked(b, "--token-file "+path)
	}
}

// Env reads the token from an environment variable on every attempt.
func Env(name string, getenv func(string) string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		v := getenv(name)
		if v == "" {
			return "", &Error{msg: fmt.Sprintf("--token-env: environment variable %s is empty or unset", name)}
		}
		return checked([]byte(v), "--token-env "+name)
	}
}

// Reader reads the token once from r (stdin) and reuses it: a pipe cannot be re-read.
func Reader(r io.Reader, what string) func(context.Context) (string, error) {
	var once sync.Once
	var tok string
	var err error
	return func(context.Context) (string, error) {
		once.Do(func() {
			b, rerr := io.ReadAll(io.LimitReader(r, maxToken+1))
			if rerr != nil {
				err = &Error{msg: fmt.Sprintf("%s: %v", what, rerr)}
				return
			}
			tok, err = checked(b, what)
		})
		return tok, err
	}
}

func checked(b []byte, what string) (string, error) {
	tok, err := ParseTokenFile(b)
	if err != nil {
		return "", &Error{msg: what + ": " + err.Error()}
	}
	if _, err := ParseClaims(tok); err != nil {
		return "", &Error{msg: what + ": " + err.Error()}
	}
	return tok, nil
}

// cleanText bounds and flattens endpoint text for a single log line.
func cleanText(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= n {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
