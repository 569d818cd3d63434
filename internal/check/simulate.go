package check

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// GitHubIssuer is the GitHub Actions OIDC issuer on github.com.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// SimulateOptions describes the repository whose typical GitHub Actions runs are simulated.
type SimulateOptions struct {
	Repository    string // owner/repo
	DefaultBranch string // default "main"
	Environment   string // default "production"
	Domain        string // audience requested (the action requests the domain)
	// OwnerID and RepoID, when both set, produce GitHub's immutable subjects (repo:owner@id/repo@id:…).
	OwnerID, RepoID string
	// JobWorkflowRef is the reusable workflow's ref; default <owner>/<repo>/.github/workflows/reusable.yml@refs/heads/<default branch>.
	JobWorkflowRef string
}

// Scenario is one simulated GitHub Actions context and the claims GitHub would put in its token.
type Scenario struct {
	Name   string
	Claims *Claims
}

// SimulationResult is one scenario's outcome.
type SimulationResult struct {
	Scenario string  `json:"context"`
	Subject  string  `json:"sub"`
	Verdict  Verdict `json:"verdict"`
	Status   int     `json:"status"`
	Message  string  `json:"message,omitempty"`
	Report   *Report `json:"-"`
}

// Scenarios builds realistic GitHub Actions claims (spec §6.2/§6.3) for the usual triggers: push to
// the default branch, to another branch, a tag, pull_request, an environment and a reusable workflow.
func Scenarios(o SimulateOptions) ([]Scenario, error) {
	owner, repo, ok := strings.Cut(o.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("--repo %q: want owner/repo", o.Repository)
	}
	if (o.OwnerID == "") != (o.RepoID == "") {
		return nil, errors.New("--owner-id and --repo-id go together (both or neither)")
	}
	def := o.DefaultBranch
	if def == "" {
		def = "main"
	}
	env := o.Environment
	if env == "" {
		env = "production"
	}
	domain := o.Domain
	if domain == "" {
		domain = DefaultDomain
	}
	ownerID, repoID := o.OwnerID, o.RepoID
	prefix := "repo:" + owner + "/" + repo
	if ownerID != "" {
		prefix = "repo:" + owner + "@" + ownerID + "/" + repo + "@" + repoID
	} else {
		ownerID, repoID = "1000001", "2000002"
	}
	workflow := o.Repository + "/.github/workflows/ci.yml"
	jobRef := o.JobWorkflowRef
	if jobRef == "" {
		jobRef = o.Repository + "/.github/workflows/reusable.yml@refs/heads/" + def
	}
	now := time.Unix(1767225600, 0) // fixed, so output is reproducible
	base := func(sub, event, ref, refType string) map[string]any {
		return map[string]any{
			"iss": GitHubIssuer, "aud": domain, "sub": sub,
			"jti": "00000000-0000-0000-0000-000000000000",
			"iat": float64(now.Unix()), "nbf": float64(now.Unix()), "exp": float64(now.Add(5 * time.Minute).Unix()),
			"actor": "octocat", "actor_id": "583231",
			"event_name": event, "ref": ref, "ref_type": refType, "ref_protected": "false",
			"repository": o.Repository, "repository_id": repoID,
			"repository_owner": owner, "repository_owner_id": ownerID,
			"repository_visibility": "private", "runner_environment": "github-hosted",
			"run_id": "1", "run_number": "1", "run_attempt": "1",
			"sha":          "0123456789abcdef0123456789abcdef01234567",
			"workflow":     "CI",
			"workflow_ref": workflow + "@" + ref, "workflow_sha": "0123456789abcdef0123456789abcdef01234567",
			"job_workflow_ref": workflow + "@" + ref, "job_workflow_sha": "0123456789abcdef0123456789abcdef01234567",
		}
	}
	defRef := "refs/heads/" + def
	push := base(prefix+":ref:"+defRef, "push", defRef, "branch")
	push["ref_protected"] = "true"
	branch := base(prefix+":ref:refs/heads/feature/x", "push", "refs/heads/feature/x", "branch")
	tag := base(prefix+":ref:refs/tags/v1.0.0", "push", "refs/tags/v1.0.0", "tag")
	pr := base(prefix+":pull_request", "pull_request", "refs/pull/1/merge", "branch")
	pr["head_ref"], pr["base_ref"] = "feature/x", def
	envc := base(prefix+":environment:"+escapeSubValue(env), "push", defRef, "branch")
	envc["environment"] = env
	envc["ref_protected"] = "true"
	reusable := base(prefix+":ref:"+defRef, "push", defRef, "branch")
	reusable["ref_protected"] = "true"
	reusable["job_workflow_ref"] = jobRef
	raw := []struct {
		name string
		m    map[string]any
	}{
		{"push to " + def + " (default branch)", push},
		{"push to feature/x", branch},
		{"tag v1.0.0", tag},
		{"pull_request", pr},
		{"environment " + env, envc},
		{"reusable workflow", reusable},
	}
	out := make([]Scenario, 0, len(raw))
	for _, r := range raw {
		c, err := ParseClaims(marshal(r.m, false))
		if err != nil {
			return nil, err
		}
		out = append(out, Scenario{Name: r.name, Claims: c})
	}
	return out, nil
}

// escapeSubValue writes ":" inside a subject value as GitHub does (%3A).
func escapeSubValue(s string) string { return strings.ReplaceAll(s, ":", "%3A") }

// Simulate evaluates the policy against every scenario; base carries the policy, kind and domain.
func Simulate(base Input, o SimulateOptions) ([]SimulationResult, error) {
	if o.Domain == "" {
		o.Domain = base.Domain
	}
	scs, err := Scenarios(o)
	if err != nil {
		return nil, err
	}
	var out []SimulationResult
	for _, sc := range scs {
		in := base
		in.Claims = sc.Claims
		in.Verification = nil
		r, err := Evaluate(in)
		if err != nil {
			return nil, err
		}
		r.claims = sc.Claims.Raw
		out = append(out, SimulationResult{Scenario: sc.Name, Subject: sc.Claims.Subject, Verdict: r.Verdict, Status: r.Status, Message: r.Message, Report: r})
	}
	return out, nil
}

// RenderSimulation writes the simulation table.
func RenderSimulation(w io.Writer, policyPath string, rs []SimulationResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "policy: %s — simulated GitHub Actions tokens of an assumed workflow .github/workflows/ci.yml (claims built locally, nothing was signed; check --workflow FILE simulates a real one)\n\n", policyPath)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tCONTEXT\tSUB\tSERVER ANSWER")
	for _, r := range rs {
		answer := "allowed"
		if r.Verdict != Allow {
			answer = fmt.Sprintf("%d %s", r.Status, r.Message)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", mark(r.Verdict == Allow), r.Scenario, cell(r.Subject), answer)
	}
	tw.Flush()
	for _, r := range rs {
		if r.Scenario == "reusable workflow" {
			if ref, ok := r.Report.claims["job_workflow_ref"].(string); ok {
				fmt.Fprintf(&b, "\nreusable workflow: job_workflow_ref %s\n", ref)
			}
		}
	}
	_, err := io.WriteString(w, trimLines(b.String()))
	return err
}

// RenderSimulationJSON writes the simulation results as a JSON array.
func RenderSimulationJSON(w io.Writer, rs []SimulationResult) error {
	if rs == nil {
		rs = []SimulationResult{}
	}
	_, err := w.Write(marshal(rs, true))
	return err
}
