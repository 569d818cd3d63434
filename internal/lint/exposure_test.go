package lint

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/policy"
)

// TestExposureIssueExamples: each policy from issue 9 grants contents: write to a stranger and
// must be an error that names the identity getting in.
func TestExposureIssueExamples(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{
		"issuer_pattern: \"https://.*\"\nsubject: repo:acme/app:ref:refs/heads/main\n":                                   `iss "https://attacker.example"`,
		"issuer: https://token.actions.githubusercontent.com\nsubject_pattern: \".*:ref:refs/heads/main\"\n":             `sub "repo:attacker/app:ref:refs/heads/main"`,
		"issuer: https://token.actions.githubusercontent.com\nsubject_pattern: \"repo:[^/]+/app:ref:refs/heads/main\"\n": `sub "repo:attacker/app:ref:refs/heads/main"`,
		"issuer: https://token.actions.githubusercontent.com\nsubject_pattern: \"(?i)repo:acme/app:.*\"\n":               `sub "repo:acme/app:pull_request"`,
	} {
		fs := Bytes(".github/chainguard/deploy.sts.yaml", []byte(src+"permissions:\n  contents: write\n"), Options{Repository: "acme/app"})
		i := slices.IndexFunc(fs, func(f Finding) bool { return f.Rule == "exposed" })
		if i < 0 {
			t.Errorf("%s: no exposed finding:\n%s", src, render(fs))
			continue
		}
		if f := fs[i]; f.Severity != SevError || f.Class != ClassExposed || !strings.Contains(f.Message, want) || !strings.Contains(f.Message, "contents: write") {
			t.Errorf("%s: got %s %s %q, want an exposed error naming %s and contents: write", src, f.Severity, f.Class, f.Message, want)
		}
	}
}

// strangerTokens is the property test's own list of identities outside acme, built apart from
// the analysis so the test can catch what it misses.
// withPR adds a pull_request run of acme/app (exposure only with write permissions); pinned adds
// a reusable workflow acme does not control (exposure only against a job_workflow_ref pin).
func strangerTokens(withPR, pinned bool) []policy.Token {
	var out []policy.Token
	mk := func(iss, owner, repo, rest, event, jwf, ownerID string) policy.Token {
		sub := "repo:" + owner + "/" + repo + ":" + rest
		ref := "refs/heads/main"
		if r, ok := strings.CutPrefix(rest, "ref:"); ok {
			ref = r
		}
		claims := map[string]any{"iss": iss, "sub": sub, "repository": owner + "/" + repo, "repository_owner": owner,
			"repository_owner_id": ownerID, "repository_id": "55", "ref": ref, "event_name": event,
			"job_workflow_ref": jwf, "workflow_ref": jwf}
		return policy.Token{Issuer: iss, Subject: sub, Audience: []string{"octo-sts.dev"}, Claims: claims}
	}
	for _, owner := range []string{"attacker", "acmex", "xacme", "acme-fork"} {
		for _, repo := range []string{"app", "appx", "xapp"} {
			for _, rest := range []string{"ref:refs/heads/main", "ref:refs/heads/master", "ref:refs/tags/v1.0.0", "environment:prod"} {
				for _, event := range []string{"push", "workflow_dispatch"} {
					own := owner + "/" + repo + "/.github/workflows/release.yml@refs/heads/main"
					out = append(out, mk(githubIssuer, owner, repo, rest, event, own, "999"))
					out = append(out, mk(githubIssuer, owner, repo, rest, event, "acme/app/.github/workflows/release.yml@refs/heads/main", "999"))
				}
			}
		}
	}
	if withPR {
		out = append(out, mk(githubIssuer, "acme", "app", "pull_request", "pull_request", "acme/app/.github/workflows/release.yml@refs/pull/1/merge", "123"))
	}
	if pinned {
		out = append(out, mk(githubIssuer, "acme", "app", "ref:refs/heads/main", "push", "attacker/x/.github/workflows/release.yml@refs/heads/main", "123"))
	}
	for _, iss := range []string{"https://attacker.example", "https://token-actions-githubusercontent.com"} {
		tok := mk(iss, "acme", "app", "ref:refs/heads/main", "push", "acme/app/.github/workflows/release.yml@refs/heads/main", "123")
		out = append(out, tok)
	}
	return out
}

// TestExposureProperty: for random policies, when lint reports no exposure, no stranger token
// is accepted by the server's evaluation.
func TestExposureProperty(t *testing.T) {
	t.Parallel()
	issuers := []string{"issuer: https://token.actions.githubusercontent.com", `issuer_pattern: https://token\.actions\.githubusercontent\.com`,
		`issuer_pattern: "https://.*"`, `issuer_pattern: https://token.actions.githubusercontent.com`, `issuer_pattern: "https://(token\\.actions\\.githubusercontent\\.com|attacker\\.example)"`}
	owners := []string{"acme", "[^/]+", ".*", "acme.*", "(?i)acme", "ac.e", "[a-z]+"}
	repos := []string{"app", ".*", "[a-z]+", "app.*", "(app|lib)"}
	tails := []string{":ref:refs/heads/main", ":.*", ":pull_request", ":ref:refs/heads/.*", ":environment:prod", ":ref:refs/(heads/main|tags/v.*)"}
	claims := []string{"", `job_workflow_ref: acme/app/\.github/workflows/release\.yml@refs/heads/main`, `job_workflow_ref: .*/\.github/workflows/release\.yml@.*`,
		`repository_owner_id: "123"`, "event_name: push", `repository_owner: acme`, `job_workflow_ref: ".*"`}
	perms := []string{"contents: read", "contents: write"}
	r := rand.New(rand.NewPCG(9, 9))
	checked := 0
	for range 1500 {
		var b strings.Builder
		b.WriteString(issuers[r.IntN(len(issuers))] + "\n")
		fmt.Fprintf(&b, "subject_pattern: %q\n", "repo:"+owners[r.IntN(len(owners))]+"/"+repos[r.IntN(len(repos))]+tails[r.IntN(len(tails))])
		if c := claims[r.IntN(len(claims))]; c != "" {
			b.WriteString("claim_pattern:\n  " + c + "\n")
		}
		perm := perms[r.IntN(len(perms))]
		b.WriteString("permissions:\n  " + perm + "\n")
		src := b.String()
		fs := Bytes(".github/chainguard/p.sts.yaml", []byte(src), Options{Repository: "acme/app"})
		if slices.ContainsFunc(fs, func(f Finding) bool { return f.Rule == "exposed" }) || slices.ContainsFunc(fs, Finding.Refuses) {
			continue
		}
		var tps []*policy.TrustPolicy // the policy as each generation compiles it (lint judges all)
		for _, g := range policy.Generations {
			if tp, _, err := policy.Decode(g, policy.KindRepo, []byte(src)); err == nil && tp.Compile() == nil {
				tps = append(tps, tp)
			}
		}
		if len(tps) != len(policy.Generations) {
			continue
		}
		checked++
		admitted := func(tok policy.Token) bool {
			return slices.ContainsFunc(tps, func(tp *policy.TrustPolicy) bool { return tp.CheckToken(tok, "octo-sts.dev") == nil })
		}
		for _, tok := range strangerTokens(strings.Contains(perm, "write"), strings.Contains(src, "job_workflow_ref: acme") || strings.Contains(src, "job_workflow_ref: .*/")) {
			if admitted(tok) {
				t.Errorf("no exposure reported, but %s / %s / jwf %v gets in:\n%s", tok.Issuer, tok.Subject, tok.Claims["job_workflow_ref"], src)
				break
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d clean policies were checked; the generator is too hostile to test anything", checked)
	}
}

// TestExposureOrgPolicy: an org policy (in acme/.github) is analysed for the repositories it
// serves, not for .github itself.
func TestExposureOrgPolicy(t *testing.T) {
	t.Parallel()
	src := "issuer: https://token.actions.githubusercontent.com\nsubject_pattern: \"repo:[^/]+/app:ref:refs/heads/main\"\nrepositories: [app]\npermissions:\n  contents: write\n"
	fs := Bytes(".github/chainguard/deploy.sts.yaml", []byte(src), Options{Repository: "acme/.github"})
	if !slices.ContainsFunc(fs, func(f Finding) bool {
		return f.Rule == "exposed" && strings.Contains(f.Message, `"repo:attacker/app:ref:refs/heads/main"`)
	}) {
		t.Errorf("org policy exposure not found:\n%s", render(fs))
	}
}
