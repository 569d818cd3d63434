package action

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// front answers at its own origin: same-origin mode redirects /x to /moved/x and serves /moved/x
// from next; cross-origin mode redirects every request to next's origin.
func front(t *testing.T, next *httptest.Server, sameOrigin bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/moved"); ok && sameOrigin {
			r.URL.Path = rest
			next.Config.Handler.ServeHTTP(w, r)
			return
		}
		target := next.URL + r.URL.RequestURI()
		if sameOrigin {
			target = "/moved" + r.URL.RequestURI()
		}
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The PR-files client (lint) never hands the github-token to another origin.
func TestLintPullRequestFilesRedirects(t *testing.T) {
	for _, same := range []bool{true, false} {
		r := newLintRig(t)
		api := newFakeFilesAPI(t, prPages()...)
		r.pullRequest(api)
		f := front(t, api.srv, same)
		r.env["GITHUB_API_URL"] = f.URL
		r.run()
		out := r.stdout.String()
		if same {
			if len(api.requests()) != 3 || !strings.Contains(out, "the policy files changed in pull request #7") {
				t.Errorf("same-origin redirect not followed: %q\n%s", api.requests(), out)
			}
			continue
		}
		if n := len(api.requests()); n != 0 {
			t.Errorf("cross-origin redirect: %d requests with the token reached the other origin", n)
		}
		if !strings.Contains(out, "refused a redirect from "+"http://"+strings.TrimPrefix(f.URL, "http://")) || !strings.Contains(out, strings.TrimPrefix(api.srv.URL, "http://")) {
			t.Errorf("the fallback warning does not name both origins:\n%s", out)
		}
		r.assertNoTokenLeak()
	}
}

// The diagnosis client never hands the github-token to another origin.
func TestDiagnosePolicyFetchRedirects(t *testing.T) {
	for _, same := range []bool{true, false} {
		h := diagnoseHarness(t)
		api := newContentsAPI(t, map[string]string{
			"octo-org/policies/.github/chainguard/deploy.sts.yaml": releasePolicy + "repositories: [app]\n",
		})
		f := front(t, api.Server, same)
		h.env["GITHUB_API_URL"] = f.URL
		h.env["INPUT_SCOPE"] = "octo-org/policies"
		h.main()
		summary := h.file("summary")
		if same {
			wantAll(t, "summary", summary, "**❌ Verdict: invalid policy** (HTTP 404)")
			continue
		}
		if len(api.auth) != 0 {
			t.Errorf("cross-origin redirect: the github-token reached the other origin (%q)", api.auth)
		}
		wantAll(t, "summary", summary, "refused a redirect from")
		h.assertNoLeaks("")
	}
}
