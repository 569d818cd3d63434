package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/octo-sts/action/internal/policy"
)

// fakeGitHub serves a repository's IDs and OIDC subject settings, counting calls and refusing
// requests without the token.
func fakeGitHub(t *testing.T, settings string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer test-token" {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/repos/acme/app":
			_, _ = w.Write([]byte(`{"id":4242,"name":"app","owner":{"login":"acme","id":42}}`))
		case "/repos/acme/app/actions/oidc/customization/sub":
			if settings == "" {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write([]byte(settings))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// policyAccepts reports whether the written policy lets a token with this subject through.
func policyAccepts(t *testing.T, data []byte, sub string, claims map[string]any) bool {
	t.Helper()
	tp, _, err := policy.Decode(policy.Legacy, policy.KindRepo, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Compile(); err != nil {
		t.Fatal(err)
	}
	return tp.CheckToken(policy.Token{Issuer: "https://token.actions.githubusercontent.com", Subject: sub, Audience: []string{"octo-sts.dev"}, Claims: claims}, "octo-sts.dev") == nil
}

func TestInitReadsSubjectSettings(t *testing.T) {
	t.Run("immutable", func(t *testing.T) {
		srv, _ := fakeGitHub(t, `{"use_default":true,"use_immutable_subject":true,"sub_claim_prefix":"repo:acme@42/app@4242"}`)
		dir := t.TempDir()
		code, _, stderr := runInitCmd(t, map[string]string{"GITHUB_TOKEN": "test-token", "GITHUB_API_URL": srv.URL}, "policy", "--repo", "acme/app", "--dir", dir)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		data := readTree(t, dir, ".github/chainguard/ci.sts.yaml")
		checkGolden(t, "policy-immutable", ".github/chainguard/ci.sts.yaml", data)
		lintClean(t, ".github/chainguard/ci.sts.yaml", data, "acme/app")
		if !strings.Contains(string(data), "\nsubject: repo:acme@42/app@4242:ref:refs/heads/main\n") {
			t.Errorf("immutable subject not written:\n%s", data)
		}
		if !strings.Contains(stderr, "immutable") {
			t.Errorf("stderr %q does not say which form GitHub sends", stderr)
		}
	})
	t.Run("custom template", func(t *testing.T) {
		srv, _ := fakeGitHub(t, `{"use_default":false,"include_claim_keys":["repo","context","job_workflow_ref"]}`)
		dir := t.TempDir()
		code, _, stderr := runInitCmd(t, map[string]string{"GITHUB_TOKEN": "test-token", "GITHUB_API_URL": srv.URL}, "renovate", "--repo", "acme/app", "--dir", dir)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		data := readTree(t, dir, ".github/chainguard/renovate.sts.yaml")
		checkGolden(t, "renovate-custom-template", ".github/chainguard/renovate.sts.yaml", data)
		lintClean(t, ".github/chainguard/renovate.sts.yaml", data, "acme/app")
		var p struct {
			SubjectPattern string            `yaml:"subject_pattern"`
			ClaimPattern   map[string]string `yaml:"claim_pattern"`
		}
		if err := yaml.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		jwr := "octo-sts/action/.github/workflows/renovate.yaml@refs/tags/v1"
		if !anchored(t, p.ClaimPattern["job_workflow_ref"]).MatchString(jwr) {
			t.Fatalf("fixture assumption: job_workflow_ref pattern %q does not match %s", p.ClaimPattern["job_workflow_ref"], jwr)
		}
		sub := "repo:acme/app:ref:refs/heads/main:job_workflow_ref:" + jwr
		claims := map[string]any{"job_workflow_ref": jwr}
		if !policyAccepts(t, data, sub, claims) {
			t.Errorf("policy refuses the subject GitHub sends (%s); subject_pattern %q", sub, p.SubjectPattern)
		}
		if policyAccepts(t, data, "repo:acme/app:ref:refs/heads/main", claims) {
			t.Error("policy accepts the default-template subject the repository no longer sends")
		}
		if policyAccepts(t, data, "repo:acme/app:ref:refs/heads/feature:job_workflow_ref:"+jwr, claims) {
			t.Error("policy accepts another branch")
		}
	})
	t.Run("flags win and skip the API", func(t *testing.T) {
		srv, calls := fakeGitHub(t, `{"use_default":true}`)
		dir := t.TempDir()
		code, _, stderr := runInitCmd(t, map[string]string{"GITHUB_TOKEN": "test-token", "GITHUB_API_URL": srv.URL},
			"policy", "--repo", "acme/app", "--owner-id", "42", "--repo-id", "4242", "--transitional", "--dir", dir)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if calls.Load() != 0 {
			t.Errorf("%d API calls although the flags gave everything", calls.Load())
		}
		data := readTree(t, dir, ".github/chainguard/ci.sts.yaml")
		checkGolden(t, "policy-transitional", ".github/chainguard/ci.sts.yaml", data)
		lintClean(t, ".github/chainguard/ci.sts.yaml", data, "acme/app")
		for sub, want := range map[string]bool{
			"repo:acme/app:ref:refs/heads/main":           true,
			"repo:acme@42/app@4242:ref:refs/heads/main":   true,
			"repo:acme@42/app:ref:refs/heads/main":        false,
			"repo:acme@7/app@4242:ref:refs/heads/main":    false,
			"repo:acme@42/app@4242:ref:refs/heads/evil":   false,
			"repo:acme@42/app@4242:ref:refs/heads/mainx":  false,
			"xrepo:acme@42/app@4242:ref:refs/heads/main":  false,
			"repo:acme/app:ref:refs/heads/main|repo:acme": false,
		} {
			if got := policyAccepts(t, data, sub, nil); got != want {
				t.Errorf("transitional policy accepts %s = %v, want %v", sub, got, want)
			}
		}
	})
	t.Run("API failure is an error, not a guess", func(t *testing.T) {
		srv, _ := fakeGitHub(t, "")
		dir := t.TempDir()
		code, _, stderr := runInitCmd(t, map[string]string{"GITHUB_TOKEN": "test-token", "GITHUB_API_URL": srv.URL}, "policy", "--repo", "acme/app", "--dir", dir)
		if code != ExitUsage || !strings.Contains(stderr, "404") || !strings.Contains(stderr, "--owner-id") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("bad IDs", func(t *testing.T) {
		code, _, stderr := runInitCmd(t, nil, "policy", "--repo", "acme/app", "--owner-id", "4x", "--repo-id", "1", "--dir", t.TempDir())
		if code != ExitUsage || !strings.Contains(stderr, "--owner-id") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		code, _, stderr = runInitCmd(t, nil, "policy", "--repo", "acme/app", "--transitional", "--dir", t.TempDir())
		if code != ExitUsage || !strings.Contains(stderr, "--owner-id") {
			t.Errorf("--transitional without IDs: exit %d, stderr %q", code, stderr)
		}
	})
}
