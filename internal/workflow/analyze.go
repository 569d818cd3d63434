package workflow

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/octo-sts/action/internal/policy"
)

// ErrNotFound means the policy file does not exist; ErrNotChecked that it could not be looked up
// (another repository and no token, say), which is never reported as missing.
var (
	ErrNotFound   = errors.New("no such trust policy")
	ErrNotChecked = errors.New("trust policy not checked")
)

// Source reads the trust policy an exchange would read: .github/chainguard/<identity>.sts.yaml in
// scope's repository (or the org policy repository for an org scope).
type Source interface {
	Policy(ctx context.Context, repo, identity string) (data []byte, file string, err error)
}

// Options configure Analyze.
type Options struct {
	Repo          Repo
	OrgPolicyRepo string // the server's ORG_POLICY_REPO; default .github
	Source        Source
}

// StepResult is what one Octo STS step will get: the policy it reads and every simulated run's verdict.
type StepResult struct {
	Workflow   string
	Job        Job
	Step       Step
	Scope      string // resolved scope ("" when it is an expression that cannot be resolved)
	Identity   string
	PolicyRepo string // the repository the server reads the policy from
	PolicyFile string // the policy's path as Source named it
	Kind       policy.Kind
	Grant      Grant  // id-token permission as it applies to this job (callers resolved)
	GrantPos   Pos    // where to point a missing-permission finding
	Problem    string // why the step cannot be evaluated (unresolvable input, missing policy, …)
	NotFound   bool   // the policy file does not exist
	NotChecked bool   // the policy could not be read (no token for another repository)
	Runs       []RunResult
}

// RunResult is one run's verdict under each server generation.
type RunResult struct {
	Run
	Verdicts []Verdict
	// ImmutableDenied is set when a run allowed with classic subjects is refused once GitHub sends
	// immutable ones (after a rename or transfer); Immutable is that subject.
	ImmutableDenied bool
	Immutable       string
}

// Verdict is one generation's answer for one run.
type Verdict struct {
	Generation string `json:"generation"`
	Allowed    bool   `json:"allowed"`
	Status     int    `json:"status"`
	Message    string `json:"message,omitempty"`
}

// Allowed reports whether the run gets a token under every generation.
func (r RunResult) Allowed() bool {
	if len(r.Verdicts) == 0 {
		return false
	}
	for _, v := range r.Verdicts {
		if !v.Allowed {
			return false
		}
	}
	return true
}

// AllowedAny reports whether any generation mints a token for the run.
func (r RunResult) AllowedAny() bool {
	for _, v := range r.Verdicts {
		if v.Allowed {
			return true
		}
	}
	return false
}

// Outcome is a step's overall answer, stable for scripts.
type Outcome string

// Step outcomes, from worst to best.
const (
	NoIDToken  Outcome = "no-id-token" // the job cannot request an OIDC token at all
	NoPolicy   Outcome = "no-policy"   // the identity has no policy file
	NeverToken Outcome = "never"       // no simulated run gets a token
	NotChecked Outcome = "not-checked" // the policy or an input could not be read before the run
	Sometimes  Outcome = "some-runs"   // some runs get a token
	Always     Outcome = "always"      // every simulated run gets a token
)

// Outcome sums up the step: a missing permission or policy first, then the runs' verdicts.
func (s StepResult) Outcome() Outcome {
	switch {
	case s.Grant == GrantNone:
		return NoIDToken
	case s.NotFound:
		return NoPolicy
	case s.Problem != "":
		return NotChecked
	}
	allowed, evaluated := 0, 0
	for _, r := range s.Runs {
		if r.Claims == nil {
			continue
		}
		evaluated++
		if r.AllowedAny() {
			allowed++
		}
	}
	switch {
	case evaluated == 0:
		return NotChecked
	case allowed == 0:
		return NeverToken
	case allowed < len(s.Runs):
		return Sometimes
	}
	return Always
}

// Analyze evaluates every Octo STS step of the workflows in only (all when nil) against the
// policies Source returns, using all to resolve reusable-workflow callers.
func Analyze(ctx context.Context, all, only []*Workflow, o Options) []StepResult {
	if only == nil {
		only = all
	}
	var out []StepResult
	for _, w := range only {
		runs := Runs(o.Repo, w, all)
		for _, j := range w.Jobs {
			for _, st := range j.Steps {
				out = append(out, analyzeStep(ctx, w, j, st, runsOf(runs, j.ID, st), all, o))
			}
		}
	}
	return out
}

func runsOf(runs []Run, job string, st Step) []Run {
	var out []Run
	for _, r := range runs {
		if r.Job == job && r.Step.Pos == st.Pos {
			out = append(out, r)
		}
	}
	return out
}

func analyzeStep(ctx context.Context, w *Workflow, j Job, st Step, runs []Run, all []*Workflow, o Options) StepResult {
	res := StepResult{Workflow: w.Path, Job: j, Step: st}
	res.Grant, res.GrantPos = effectiveGrant(w, j, all)
	for _, r := range runs {
		res.Runs = append(res.Runs, RunResult{Run: r})
	}
	scope, ok := resolve(st.Scope, o.Repo)
	if !ok {
		res.Problem = fmt.Sprintf("scope %q cannot be resolved before the run", st.Scope.Value)
		return res
	}
	res.Scope = scope
	if !st.Identity.Set || strings.Contains(st.Identity.Value, "${{") {
		res.Problem = fmt.Sprintf("identity %q cannot be resolved before the run", st.Identity.Value)
		return res
	}
	res.Identity = st.Identity.Value
	aud, ok := audience(st)
	if !ok {
		res.Problem = "domain or audience is an expression; the token's audience depends on the run"
		return res
	}
	res.PolicyRepo, res.Kind = policyRepo(scope, o.OrgPolicyRepo)
	if o.Source == nil {
		res.NotChecked, res.Problem = true, "no policy source"
		return res
	}
	data, file, err := o.Source.Policy(ctx, res.PolicyRepo, res.Identity)
	res.PolicyFile = file
	switch {
	case errors.Is(err, ErrNotFound):
		res.NotFound, res.Problem = true, fmt.Sprintf("%s has no %s", res.PolicyRepo, policy.PolicyPath(res.Identity))
		return res
	case err != nil:
		res.NotChecked, res.Problem = true, err.Error()
		return res
	}
	domain := stepDomain(st)
	for i := range res.Runs {
		rr := &res.Runs[i]
		if rr.Claims == nil {
			continue
		}
		rr.Claims["aud"] = aud
		rr.Verdicts = Evaluate(res.Kind, data, rr.Claims, domain)
		if rr.AllowedAny() && !o.Repo.Subject.UseImmutableSubject {
			imm := immutableClaims(o.Repo, rr.Claims)
			rr.Immutable, _ = imm["sub"].(string)
			for _, v := range Evaluate(res.Kind, data, imm, domain) {
				if !v.Allowed {
					rr.ImmutableDenied = true
				}
			}
		}
	}
	return res
}

// immutableClaims rewrites a run's claims with the subject GitHub sends once the repository uses
// immutable subjects.
func immutableClaims(repo Repo, c map[string]any) map[string]any {
	m := make(map[string]any, len(c))
	for k, v := range c {
		m[k] = v
	}
	oid, _ := c["repository_owner_id"].(string)
	rid, _ := c["repository_id"].(string)
	classic := "repo:" + RepoPart(repo.Owner, repo.Name, "", "", false) + ":"
	imm := "repo:" + RepoPart(repo.Owner, repo.Name, oid, rid, true) + ":"
	sub, _ := c["sub"].(string)
	m["sub"] = strings.Replace(sub, classic, imm, 1)
	return m
}

// effectiveGrant resolves a reusable workflow's "the caller decides" through its local callers.
func effectiveGrant(w *Workflow, j Job, all []*Workflow) (Grant, Pos) {
	if j.IDToken != GrantCaller {
		return j.IDToken, j.PermPos
	}
	g, at := GrantCaller, Pos{}
	for _, cw := range all {
		for _, cj := range cw.Jobs {
			if p, ok := LocalCall(cj.Calls); ok && p == w.Path {
				if cj.IDToken == GrantWrite {
					return GrantWrite, cj.PermPos
				}
				g, at = cj.IDToken, cj.CallsPos
			}
		}
	}
	return g, at
}

// resolve gives a scope input its value; the action has no default scope, and only the
// github.repository / github.repository_owner expressions are known before the run.
func resolve(in Input, repo Repo) (string, bool) {
	v := strings.TrimSpace(in.Value)
	if !strings.Contains(v, "${{") {
		return v, in.Set && v != ""
	}
	r := strings.NewReplacer("${{ github.repository }}", repo.FullName(), "${{github.repository}}", repo.FullName(),
		"${{ github.repository_owner }}", repo.Owner, "${{github.repository_owner}}", repo.Owner)
	v = r.Replace(v)
	return v, !strings.Contains(v, "${{")
}

func stepDomain(st Step) string {
	if st.Domain.Set && st.Domain.Value != "" {
		return st.Domain.Value
	}
	return "octo-sts.dev"
}

func audience(st Step) (string, bool) {
	a := stepDomain(st)
	if st.Audience.Set && st.Audience.Value != "" {
		a = st.Audience.Value
	}
	return a, !strings.Contains(a, "${{") && !strings.Contains(stepDomain(st), "${{")
}

// policyRepo mirrors the server's scope rule: an owner alone or owner/<ORG_POLICY_REPO> reads an
// org policy from owner/<ORG_POLICY_REPO>, anything else the repository's own policy.
func policyRepo(scope, orgRepo string) (string, policy.Kind) {
	if orgRepo == "" {
		orgRepo = policy.DefaultOrgPolicyRepo
	}
	owner, name, ok := strings.Cut(scope, "/")
	if !ok {
		return scope + "/" + orgRepo, policy.KindOrg
	}
	if path.Base(name) == orgRepo {
		return owner + "/" + orgRepo, policy.KindOrg
	}
	return scope, policy.KindRepo
}
