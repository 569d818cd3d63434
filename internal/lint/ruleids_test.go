package lint

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/octo-sts/action/internal/policy"
)

// TestEveryCodeMaps: every problem the server model can report has a registered rule, so porting
// an upstream change that adds a problem fails here instead of reporting under a fallback.
func TestEveryCodeMaps(t *testing.T) {
	t.Parallel()
	for _, c := range policy.ProblemCodes {
		id, ok := serverRules[c]
		if !ok {
			t.Errorf("policy code %q has no rule in serverRules", c)
			continue
		}
		if RuleByID(id) == nil {
			t.Errorf("policy code %q maps to unregistered rule %q", c, id)
		}
	}
	for c := range serverRules {
		if !slices.Contains(policy.ProblemCodes, c) {
			t.Errorf("serverRules maps %q, which policy.ProblemCodes does not list", c)
		}
	}
}

// TestRuleIDConstants ties the constants in ruleids.go to the registry, both ways.
func TestRuleIDConstants(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("ruleids.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\tRule[A-Za-z0-9]+\s*=\s*"([a-z0-9-]+)"`).FindAllSubmatch(src, -1) {
		consts[string(m[1])] = true
	}
	for _, r := range Rules {
		if !consts[r.ID] {
			t.Errorf("rule %q has no Rule… constant in ruleids.go", r.ID)
		}
		delete(consts, r.ID)
	}
	for id := range consts {
		t.Errorf("constant for %q names no registered rule", id)
	}
}

// TestEveryAddRegistered: every rule ID written literally at an f.add call site is registered
// (add no longer panics on an unknown ID, so this is where a typo is caught).
func TestEveryAddRegistered(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`\.add\("([^"]+)"`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			if RuleByID(string(m[1])) == nil {
				t.Errorf("%s: f.add(%q) names no registered rule", f, m[1])
			}
		}
	}
}

// TestUnmappedCodeRefuses: a model problem no rule maps yet still reports, as an error, under
// server-refuses (the registry's only rule no example or golden can reach).
func TestUnmappedCodeRefuses(t *testing.T) {
	t.Parallel()
	id := ruleForCode(policy.Code("not-ported-yet"))
	if id != RuleServerRefuses {
		t.Fatalf("unmapped code reports under %q, want %q", id, RuleServerRefuses)
	}
	if r := RuleByID(id); r == nil || r.Severity != SevError {
		t.Fatalf("rule %q = %+v, want a registered error", id, r)
	}
}
