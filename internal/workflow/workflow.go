// Package workflow reads GitHub Actions workflow files (through rhysd/actionlint's parser) and
// finds the steps that exchange a token with Octo STS, so lint and check can tell whether a job
// will get its token before it runs.
package workflow

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/rhysd/actionlint"
)

// MaxFileSize bounds a workflow file read; GitHub itself refuses workflow files above 512 KiB.
const MaxFileSize = 512 << 10

// Pos is a 1-based position in a workflow file.
type Pos struct{ Line, Col int }

// Workflow is the part of one workflow file that decides which tokens its jobs can get.
type Workflow struct {
	Path     string // repository-relative path, e.g. .github/workflows/ci.yml
	Name     string
	Triggers []Trigger
	// Callable is true for a reusable workflow (on: workflow_call).
	Callable bool
	Jobs     []Job // in file order
}

// Trigger is one `on:` event with the filters that decide which refs start the workflow.
type Trigger struct {
	Event                    string
	Branches, BranchesIgnore []string
	Tags, TagsIgnore         []string
	HasBranches, HasTags     bool // a branches/branches-ignore or tags/tags-ignore filter exists
	Pos                      Pos
}

// Grant says whether a job's token may request an OIDC token.
type Grant int

// Grants, from the job's (or else the workflow's) permissions.
const (
	GrantNone   Grant = iota // no id-token: write anywhere: the ID-token request variables are absent
	GrantWrite               // id-token: write (or write-all) applies to the job
	GrantCaller              // a reusable workflow without permissions: the caller decides
)

// Job is one job: its environment, permissions and the Octo STS steps in it.
type Job struct {
	ID          string
	Pos         Pos
	Environment string // "" when none; may be an expression
	EnvPos      Pos
	IDToken     Grant
	PermPos     Pos    // where the deciding permissions block is (zero when there is none)
	Calls       string // jobs.<id>.uses: a reusable workflow this job calls
	CallsPos    Pos
	Steps       []Step
}

// Step is a step that runs this action to exchange a token.
type Step struct {
	Uses     string
	Pos      Pos
	Scope    Input
	Identity Input
	Domain   Input
	Audience Input
	Mode     Input
}

// Input is one `with:` value; Set is false when the step omits it.
type Input struct {
	Value string
	Set   bool
	Pos   Pos
}

// Parse reads one workflow file. A file actionlint cannot parse at all is an error; syntax problems
// it can recover from are returned as well, after what it could read.
func Parse(filePath string, data []byte) (*Workflow, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is more than GitHub accepts for a workflow (%d)", filePath, len(data), MaxFileSize)
	}
	ast, errs := actionlint.Parse(data)
	if ast == nil {
		return nil, parseError(filePath, errs)
	}
	w := &Workflow{Path: filePath}
	if ast.Name != nil {
		w.Name = ast.Name.Value
	}
	for _, ev := range ast.On {
		t, ok := trigger(ev)
		if !ok {
			continue
		}
		if t.Event == "workflow_call" {
			w.Callable = true
		}
		w.Triggers = append(w.Triggers, t)
	}
	for _, j := range ast.Jobs {
		w.Jobs = append(w.Jobs, job(ast, j, w.Callable))
	}
	slices.SortFunc(w.Jobs, func(a, b Job) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(errs) > 0 && len(w.Jobs) == 0 {
		return nil, parseError(filePath, errs)
	}
	return w, nil
}

func parseError(filePath string, errs []*actionlint.Error) error {
	if len(errs) == 0 {
		return fmt.Errorf("%s: not a workflow", filePath)
	}
	e := errs[0]
	return fmt.Errorf("%s:%d:%d: %s", filePath, e.Line, e.Column, e.Message)
}

func pos(p *actionlint.Pos) Pos {
	if p == nil {
		return Pos{}
	}
	return Pos{Line: p.Line, Col: p.Col}
}

func str(s *actionlint.String) string {
	if s == nil {
		return ""
	}
	return s.Value
}

func trigger(ev actionlint.Event) (Trigger, bool) {
	switch e := ev.(type) {
	case *actionlint.WebhookEvent:
		t := Trigger{Event: e.EventName(), Pos: pos(e.Pos)}
		t.Branches, t.BranchesIgnore = values(e.Branches), values(e.BranchesIgnore)
		t.Tags, t.TagsIgnore = values(e.Tags), values(e.TagsIgnore)
		t.HasBranches = e.Branches != nil || e.BranchesIgnore != nil
		t.HasTags = e.Tags != nil || e.TagsIgnore != nil
		return t, true
	case *actionlint.ScheduledEvent:
		return Trigger{Event: e.EventName(), Pos: pos(e.Pos)}, true
	case *actionlint.WorkflowDispatchEvent:
		return Trigger{Event: e.EventName(), Pos: pos(e.Pos)}, true
	case *actionlint.RepositoryDispatchEvent:
		return Trigger{Event: e.EventName(), Pos: pos(e.Pos)}, true
	case *actionlint.WorkflowCallEvent:
		return Trigger{Event: e.EventName(), Pos: pos(e.Pos)}, true
	}
	if ev != nil {
		return Trigger{Event: ev.EventName()}, true
	}
	return Trigger{}, false
}

func values(f *actionlint.WebhookEventFilter) []string {
	if f == nil {
		return nil
	}
	out := make([]string, 0, len(f.Values))
	for _, v := range f.Values {
		out = append(out, v.Value)
	}
	return out
}

func job(w *actionlint.Workflow, j *actionlint.Job, callable bool) Job {
	out := Job{ID: str(j.ID), Pos: pos(j.Pos)}
	if j.ID != nil {
		out.Pos = pos(j.ID.Pos)
	}
	if j.Environment != nil {
		out.Environment, out.EnvPos = str(j.Environment.Name), pos(j.Environment.Pos)
		if j.Environment.Name != nil {
			out.EnvPos = pos(j.Environment.Name.Pos)
		}
	}
	out.IDToken, out.PermPos = grant(w.Permissions, j.Permissions, callable)
	if j.WorkflowCall != nil && j.WorkflowCall.Uses != nil {
		out.Calls, out.CallsPos = j.WorkflowCall.Uses.Value, pos(j.WorkflowCall.Uses.Pos)
	}
	for _, s := range j.Steps {
		if st, ok := step(s); ok {
			out.Steps = append(out.Steps, st)
		}
	}
	return out
}

// grant applies GitHub's rule: a job's permissions replace the workflow's; with neither, the
// default GITHUB_TOKEN permissions never include id-token, except that a called workflow's jobs
// inherit what the caller grants.
func grant(wp, jp *actionlint.Permissions, callable bool) (Grant, Pos) {
	p := jp
	if p == nil {
		p = wp
	}
	if p == nil {
		if callable {
			return GrantCaller, Pos{}
		}
		return GrantNone, Pos{}
	}
	at := pos(p.Pos)
	if p.All != nil {
		if p.All.Value == "write-all" {
			return GrantWrite, at
		}
		return GrantNone, at
	}
	if s, ok := p.Scopes["id-token"]; ok && s.Value != nil && s.Value.Value == "write" {
		return GrantWrite, pos(s.Value.Pos)
	}
	return GrantNone, at
}

// IsThisAction reports whether a `uses:` value runs this action: octo-sts/action or its portable
// entry point at any ref, or `./` (this repository's own workflows).
func IsThisAction(uses string) bool {
	if uses == "./" || uses == "." {
		return true
	}
	name, _, ok := strings.Cut(uses, "@")
	if !ok {
		return false
	}
	name = strings.ToLower(name)
	return name == "octo-sts/action" || name == "octo-sts/action/portable"
}

func step(s *actionlint.Step) (Step, bool) {
	a, ok := s.Exec.(*actionlint.ExecAction)
	if !ok || a.Uses == nil || !IsThisAction(a.Uses.Value) {
		return Step{}, false
	}
	st := Step{Uses: a.Uses.Value, Pos: pos(a.Uses.Pos)}
	in := func(name string) Input {
		v, ok := a.Inputs[name]
		if !ok || v == nil || v.Value == nil {
			return Input{}
		}
		return Input{Value: v.Value.Value, Set: true, Pos: pos(v.Value.Pos)}
	}
	st.Scope, st.Identity, st.Domain, st.Audience, st.Mode = in("scope"), in("identity"), in("domain"), in("audience"), in("mode")
	if st.Mode.Set && st.Mode.Value != "exchange" {
		return Step{}, false // lint mode mints nothing
	}
	return st, true
}

// LocalCall returns the repository path of a reusable workflow called as ./.github/workflows/x.yml.
func LocalCall(uses string) (string, bool) {
	p, ok := strings.CutPrefix(uses, "./")
	if !ok || strings.Contains(p, "@") {
		return "", false
	}
	p = path.Clean(p)
	if !strings.HasPrefix(p, ".github/workflows/") {
		return "", false
	}
	return p, true
}

// ErrNoSteps is returned by a lookup for a job that runs no Octo STS step.
var ErrNoSteps = errors.New("no step uses octo-sts/action")
