package workflow

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/lint"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test ./internal/workflow -update):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func analyseFixture(t *testing.T, repo Repo) ([]StepResult, []*Workflow) {
	t.Helper()
	ws, errs := Load("testdata/repo")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs := Analyze(context.Background(), ws, nil, Options{Repo: repo, Source: Tree{Root: "testdata/repo", Repo: repo.FullName()}})
	return rs, ws
}

func renderFindings(fs []lint.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s:%d:%d: %s [%s] %s\n", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
	}
	return b.String()
}

// TestGoldenVerdicts runs the fixture repository (triggers × environments × reusable workflows ×
// missing permissions) under classic and immutable subjects and compares per-job verdicts and findings.
func TestGoldenVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name string
		repo Repo
	}{
		{"classic", Repo{Owner: "acme", Name: "app", Subject: DefaultSubject}},
		{"immutable", Repo{Owner: "acme", Name: "app", OwnerID: "1000001", RepoID: "2000002",
			Subject: SubjectSettings{UseDefault: true, UseImmutableSubject: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, _ := analyseFixture(t, tc.repo)
			var b strings.Builder
			if err := Render(&b, rs); err != nil {
				t.Fatal(err)
			}
			b.WriteString("\n-- findings --\n")
			b.WriteString(renderFindings(slices.Collect(newCheck("acme/app", "testdata/repo", rs).Findings())))
			golden(t, tc.name+".golden", b.String())
		})
	}
}

func TestOutcomes(t *testing.T) {
	rs, _ := analyseFixture(t, Repo{Owner: "acme", Name: "app"})
	got := map[string]Outcome{}
	for _, s := range rs {
		got[filepath.Base(s.Workflow)+"/"+s.Job.ID+"/"+s.Scope] = s.Outcome()
	}
	want := map[string]Outcome{
		"ci.yml/build/acme/app":         Sometimes, // pull_request is refused
		"deploy.yml/deploy/acme/app":    Always,
		"deploy.yml/preview/acme/app":   NeverToken,
		"noperm.yml/nightly/acme/app":   NoIDToken,
		"missing.yml/typo/acme/app":     NoPolicy,
		"target.yml/label/acme/app":     NeverToken,
		"reusable.yml/release/acme/app": Always,
		"other.yml/cross/acme/infra":    NotChecked,
		"other.yml/cross/":              NotChecked,
		"shared.yml/publish/acme/app":   Always,
		"gens.yml/edge/acme/app":        Always, // legacy only for mainline: see workflow-generation-split
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: outcome %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("steps %v, want %d of them", got, len(want))
	}
}

func TestExample(t *testing.T) {
	for p, want := range map[string]string{
		"main": "main", "release/**": "release/x", "v*": "vx", "v[0-9]+.*": "v0.x", `a\*b`: "a*b", "feat-?": "feat-x",
	} {
		if got := example(p); got != want {
			t.Errorf("example(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestIsThisAction(t *testing.T) {
	for uses, want := range map[string]bool{
		"octo-sts/action@v1": true, "Octo-STS/Action@main": true, "octo-sts/action/portable@v1": true, "./": true,
		"octo-sts/action": false, "octo-sts/actions@v1": false, "evil/octo-sts/action@v1": false, "docker://octo-sts/action": false,
	} {
		if got := IsThisAction(uses); got != want {
			t.Errorf("IsThisAction(%q) = %v", uses, got)
		}
	}
}

func TestSubjectTemplate(t *testing.T) {
	s, err := ParseTemplate("repo, context,job_workflow_ref")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Subject("acme@1/app@2", "environment:prod", map[string]any{"job_workflow_ref": "acme/app/.github/workflows/d.yml@refs/heads/main"})
	if want := "repo:acme@1/app@2:environment:prod:job_workflow_ref:acme/app/.github/workflows/d.yml@refs/heads/main"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := ParseTemplate("repo,a-b"); err == nil {
		t.Error("a-b accepted as a claim key")
	}
}

func TestParseRefusesHuge(t *testing.T) {
	if _, err := Parse("big.yml", make([]byte, MaxFileSize+1)); err == nil {
		t.Error("oversized workflow accepted")
	}
	if _, err := Parse("bad.yml", []byte("::: [")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestTreeRefusesEscape(t *testing.T) {
	tr := Tree{Root: "testdata/repo", Repo: "acme/app"}
	for _, id := range []string{"../workflows/ci", "/etc/passwd", "a/../../x"} {
		if _, _, err := tr.Policy(context.Background(), "acme/app", id); err == nil {
			t.Errorf("identity %q read a file", id)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/repo/.github/workflows/ci.yml", "testdata/repo/.github/workflows/caller.yml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Parse("f.yml", data)
		if err != nil {
			return
		}
		_ = Runs(Repo{Owner: "a", Name: "b"}, w, []*Workflow{w})
	})
}

// TestRulesRegistered keeps the cross-check's rule IDs in lint's registry (docs/rules.md) and in the goldens.
func TestRulesRegistered(t *testing.T) {
	golden, err := os.ReadFile("testdata/classic.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{RuleIDToken, RulePolicyMissing, RuleNotChecked, RuleNoToken, RuleRunDenied, RuleImmutable, RulePolicyUnused, RuleGenSplit} {
		if lint.RuleByID(id) == nil {
			t.Errorf("rule %s is not in lint.Rules", id)
		}
		if !strings.Contains(string(golden), "["+id+"]") {
			t.Errorf("rule %s has no golden case", id)
		}
	}
}

func FuzzParseTemplate(f *testing.F) {
	f.Add("repo,context,job_workflow_ref")
	f.Add(" , ,a-b")
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseTemplate(s)
		if err != nil {
			return
		}
		for _, k := range st.IncludeClaimKeys {
			if !claimKey.MatchString(k) {
				t.Fatalf("key %q accepted", k)
			}
		}
		_ = st.Subject("a/b", "ref:refs/heads/main", map[string]any{})
	})
}
