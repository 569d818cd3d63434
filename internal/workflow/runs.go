package workflow

import (
	"fmt"
	"strings"
	"time"
)

// Issuer is the GitHub Actions OIDC issuer on github.com.
const Issuer = "https://token.actions.githubusercontent.com"

// Repo is the repository whose workflows run, and how GitHub writes its subjects.
type Repo struct {
	Owner, Name     string
	OwnerID, RepoID string // numeric IDs; placeholders are used when empty
	DefaultBranch   string // default "main"
	Subject         SubjectSettings
}

// FullName is owner/name.
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

func (r Repo) defaultBranch() string {
	if r.DefaultBranch == "" {
		return "main"
	}
	return r.DefaultBranch
}

// Run is one simulated execution of an Octo STS step: which job and trigger, and the claims GitHub
// would put in the step's OIDC token. Claims is nil when the run cannot be simulated (Unknown says why).
type Run struct {
	Workflow   string // the file holding the step
	Job        string
	JobPos     Pos
	Step       Step
	Trigger    string // e.g. "push to main", "pull_request into main"
	TriggerPos Pos
	Caller     string // for a reusable workflow: the calling workflow and job
	Claims     map[string]any
	Unknown    string
}

// Subject is the run's sub claim.
func (r Run) Subject() string {
	s, _ := r.Claims["sub"].(string)
	return s
}

// runContext is one way a trigger runs the workflow: its event, ref and the subject's context part.
type runContext struct {
	label, event, ref, refType, baseRef, headRef string
	pos                                          Pos
}

// Runs builds the simulated runs of every Octo STS step in w. all is every workflow of the
// repository, to find the callers of a reusable workflow.
func Runs(repo Repo, w *Workflow, all []*Workflow) []Run {
	var out []Run
	for _, j := range w.Jobs {
		for _, st := range j.Steps {
			out = append(out, jobRuns(repo, w, j, st, all)...)
		}
	}
	return out
}

func jobRuns(repo Repo, w *Workflow, j Job, st Step, all []*Workflow) []Run {
	mk := func(c runContext, caller *Workflow, callerJob string) Run {
		r := Run{Workflow: w.Path, Job: j.ID, JobPos: j.Pos, Step: st, Trigger: c.label, TriggerPos: c.pos}
		workflowPath := w.Path
		if caller != nil {
			r.Caller = caller.Path + " job " + callerJob
			workflowPath = caller.Path
		}
		env := j.Environment
		if strings.Contains(env, "${{") {
			r.Unknown = fmt.Sprintf("the job's environment %q is an expression; its subject depends on the run", env)
			return r
		}
		r.Claims = claims(repo, c, env, workflowPath, w.Path)
		return r
	}
	if !w.Callable {
		var out []Run
		for _, c := range contexts(repo, w.Triggers) {
			out = append(out, mk(c, nil, ""))
		}
		return out
	}
	var out []Run
	for _, cw := range all {
		for _, cj := range cw.Jobs {
			if p, ok := LocalCall(cj.Calls); !ok || p != w.Path || cw.Callable {
				continue
			}
			for _, c := range contexts(repo, cw.Triggers) {
				c.pos = cj.CallsPos
				out = append(out, mk(c, cw, cj.ID))
			}
		}
	}
	if len(out) == 0 {
		// Called from elsewhere: the caller's event is unknown, its ref is assumed to be the default branch.
		def := "refs/heads/" + repo.defaultBranch()
		c := runContext{label: "workflow_call from an unknown workflow of this repository (push to " + repo.defaultBranch() + " assumed; callers in other repositories send their own subject)",
			event: "push", ref: def, refType: "branch"}
		out = append(out, mk(c, nil, ""))
	}
	return out
}

// contexts lists one concrete run per trigger and filter: each branch and tag filter is
// instantiated with an example name it matches.
func contexts(repo Repo, ts []Trigger) []runContext {
	def := repo.defaultBranch()
	var out []runContext
	branch := func(label, event, b string, p Pos) {
		out = append(out, runContext{label: label, event: event, ref: "refs/heads/" + b, refType: "branch", pos: p})
	}
	for _, t := range ts {
		switch t.Event {
		case "push":
			if !t.HasBranches && !t.HasTags {
				branch("push to "+def, "push", def, t.Pos)
				out = append(out, runContext{label: "push of tag v1.0.0", event: "push", ref: "refs/tags/v1.0.0", refType: "tag", pos: t.Pos})
				continue
			}
			if t.HasBranches {
				for _, b := range examples(t.Branches, def) {
					branch("push to "+b, "push", b, t.Pos)
				}
			}
			if t.HasTags {
				for _, g := range examples(t.Tags, "v1.0.0") {
					out = append(out, runContext{label: "push of tag " + g, event: "push", ref: "refs/tags/" + g, refType: "tag", pos: t.Pos})
				}
			}
		case "pull_request", "pull_request_target":
			for _, b := range examples(t.Branches, def) {
				c := runContext{label: t.Event + " into " + b, event: t.Event, ref: "refs/pull/1/merge", refType: "branch",
					baseRef: b, headRef: "feature/x", pos: t.Pos}
				if t.Event == "pull_request_target" {
					c.ref = "refs/heads/" + b // runs in the base branch's context
				}
				out = append(out, c)
			}
		case "workflow_call":
		default:
			branch(t.Event+" on "+def, t.Event, def, t.Pos)
		}
	}
	return out
}

// examples turns filter patterns into example names they match; negations are skipped, and with no
// positive pattern (or no filter) the fallback is used.
func examples(patterns []string, fallback string) []string {
	var out []string
	for _, p := range patterns {
		if strings.HasPrefix(p, "!") || p == "" {
			continue
		}
		out = append(out, example(p))
	}
	if len(out) == 0 {
		out = []string{fallback}
	}
	return out
}

// example instantiates a GitHub filter glob (*, **, ?, +, [..]) with a concrete name it matches.
func example(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			for i+1 < len(p) && p[i+1] == '*' {
				i++
			}
			b.WriteString("x")
		case '?', '+':
			if c == '?' {
				b.WriteString("x")
			}
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 2 {
				b.WriteByte(c)
				continue
			}
			b.WriteByte(p[i+1])
			i += end
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteByte(p[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// fixedTime makes simulated claims reproducible.
var fixedTime = time.Unix(1767225600, 0)

// placeholder IDs for repositories whose numeric IDs are not known.
const (
	placeholderOwnerID = "1000001"
	placeholderRepoID  = "2000002"
	placeholderSHA     = "0123456789abcdef0123456789abcdef01234567"
)

func claims(repo Repo, c runContext, env, workflowPath, jobWorkflowPath string) map[string]any {
	ownerID, repoID := repo.OwnerID, repo.RepoID
	if ownerID == "" {
		ownerID = placeholderOwnerID
	}
	if repoID == "" {
		repoID = placeholderRepoID
	}
	full := repo.FullName()
	m := map[string]any{
		"iss": Issuer, "jti": "00000000-0000-0000-0000-000000000000",
		"iat": float64(fixedTime.Unix()), "nbf": float64(fixedTime.Unix()), "exp": float64(fixedTime.Add(5 * time.Minute).Unix()),
		"actor": "octocat", "actor_id": "583231",
		"event_name": c.event, "ref": c.ref, "ref_type": c.refType, "ref_protected": "false",
		"repository": full, "repository_id": repoID,
		"repository_owner": repo.Owner, "repository_owner_id": ownerID,
		"repository_visibility": "private", "runner_environment": "github-hosted",
		"run_id": "1", "run_number": "1", "run_attempt": "1",
		"sha": placeholderSHA, "workflow": "CI",
		"workflow_ref": full + "/" + workflowPath + "@" + c.ref, "workflow_sha": placeholderSHA,
		"job_workflow_ref": full + "/" + jobWorkflowPath + "@" + c.ref, "job_workflow_sha": placeholderSHA,
	}
	if c.ref == "refs/heads/"+repo.defaultBranch() {
		m["ref_protected"] = "true"
	}
	if c.baseRef != "" {
		m["base_ref"], m["head_ref"] = c.baseRef, c.headRef
	}
	ctx := "ref:" + c.ref
	switch {
	case env != "":
		m["environment"] = env
		ctx = "environment:" + EscapeValue(env)
	case c.event == "pull_request" || c.event == "pull_request_target":
		ctx = "pull_request"
	}
	part := RepoPart(repo.Owner, repo.Name, repo.OwnerID, repo.RepoID, repo.Subject.UseImmutableSubject)
	m["sub"] = repo.Subject.Subject(part, ctx, m)
	return m
}
