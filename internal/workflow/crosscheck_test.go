package workflow

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/policy"
)

// wholeRunCrossCheck is the cross-check as it was before it streamed, kept as the oracle: every
// finding up front, one notice per unused local policy.
func wholeRunCrossCheck(ctx context.Context, root, repository, orgPolicyRepo string, next Source) []lint.Finding {
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
		used := map[string]bool{}
		for _, s := range rs {
			if strings.EqualFold(s.PolicyRepo, repository) {
				used[s.PolicyFile] = true
			}
		}
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(policy.PolicyDir)))
		if err == nil {
			for _, e := range entries {
				p := path.Join(policy.PolicyDir, e.Name())
				if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".sts.yaml") && !used[p] {
					fs = append(fs, lint.Finding{File: p, Line: 1, Column: 1, EndLine: 1, EndColumn: 1, Rule: RulePolicyUnused, Severity: lint.SevNotice,
						Message: "no workflow of this repository exchanges a token with this policy (workflows in other repositories may)"})
				}
			}
		}
	}
	return lint.Sort(fs)
}

// copyDir copies the tree under src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

// TestCrossCheckFindingsAreTheWholeRuns: the streamed cross-check yields, in order, exactly what
// the whole-run cross-check returned, on a tree of used and unused policies, policies in a
// sub-directory (never noted), a linked policy and a non-policy file (never noted), names that
// sort around each other, as this repository, as the org policy repository (default and
// named) and as repositories the cross-check skips.
func TestCrossCheckFindingsAreTheWholeRuns(t *testing.T) {
	root := t.TempDir()
	copyDir(t, filepath.Join("testdata", "repo"), root)
	pol := filepath.Join(root, ".github", "chainguard")
	policyText, err := os.ReadFile(filepath.Join(pol, "ci.sts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"A.sts.yaml", "a-unused.sts.yaml", "ci.sts.yaml.bak", "zz.sts.yaml", "sub/nested.sts.yaml", "sub/deeper/ci.sts.yaml"} {
		p := filepath.Join(pol, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, policyText, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("zz.sts.yaml", filepath.Join(pol, "linked.sts.yaml")); err != nil {
		t.Fatal(err)
	}
	noWorkflows := t.TempDir()
	copyDir(t, filepath.Join("testdata", "repo", ".github", "chainguard"), filepath.Join(noWorkflows, ".github", "chainguard"))

	for _, tc := range []struct {
		name, root, repo, org string
		notices               bool // the oracle must note unused policies
	}{
		{"this repository", root, "acme/app", "", true},
		{"another repository's checkout", root, "acme/other", "", true},
		{"org policy repository", root, "acme/.github", "", false},
		{"named org policy repository", root, "acme/policies", "policies", false},
		{"named org policy, other repository", root, "acme/app", "policies", true},
		{"not owner/name", root, "acme", "", false},
		{"no workflows", noWorkflows, "acme/app", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := wholeRunCrossCheck(context.Background(), tc.root, tc.repo, tc.org, nil)
			got := slices.Collect(CrossCheck(context.Background(), tc.root, tc.repo, tc.org, nil).Findings())
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("streamed:\n%s\nwhole run:\n%s", renderFindings(got), renderFindings(want))
			}
			notices := 0
			for _, f := range want {
				if f.Rule == RulePolicyUnused {
					notices++
					if strings.Contains(strings.TrimPrefix(f.File, policy.PolicyDir+"/"), "/") || !strings.HasSuffix(f.File, ".sts.yaml") || strings.Contains(f.File, "linked") {
						t.Errorf("noted %s, which is not a policy file of %s", f.File, policy.PolicyDir)
					}
				}
			}
			if (notices > 0) != tc.notices || tc.root == root && tc.repo == "acme/app" && (notices == len(want) || notices < 4) {
				t.Errorf("the fixture must give %v unused-policy notices and workflow findings; the whole run gave:\n%s", tc.notices, renderFindings(want))
			}
		})
	}
}

// TestCrossCheckNotesEveryPolicyOfALargeDirectory: the policy directory is read a batch at a
// time; with more policies than one batch, every unused one is still noted, in order.
func TestCrossCheckNotesEveryPolicyOfALargeDirectory(t *testing.T) {
	root := t.TempDir()
	copyDir(t, filepath.Join("testdata", "repo"), root)
	pol := filepath.Join(root, filepath.FromSlash(policy.PolicyDir))
	const n = 2500 // more than two batches
	for i := range n {
		if err := os.WriteFile(filepath.Join(pol, fmt.Sprintf("p%04d.sts.yaml", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := wholeRunCrossCheck(context.Background(), root, "acme/app", "", nil)
	got := slices.Collect(CrossCheck(context.Background(), root, "acme/app", "", nil).Findings())
	notices := 0
	for _, f := range got {
		if f.Rule == RulePolicyUnused && strings.HasPrefix(f.File, policy.PolicyDir+"/p") {
			notices++
		}
	}
	if notices != n || !reflect.DeepEqual(got, want) {
		t.Fatalf("%d of %d unused policies noted; streamed %d findings, whole run %d", notices, n, len(got), len(want))
	}
}
