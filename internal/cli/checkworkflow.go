package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/octo-sts/action/internal/logsafe"
	"github.com/octo-sts/action/internal/workflow"
)

// workflowCheck is `check --workflow FILE`: the runs of that workflow's Octo STS steps.
type workflowCheck struct {
	file, job, repo, policyPath, ownerID, repoID, template, format, orgPolicyRepo string
}

// runWorkflowCheck simulates every trigger of the workflow for each Octo STS step (of --job when
// given) and exits 1 when no simulated run gets a token.
func runWorkflowCheck(ctx context.Context, c workflowCheck, sio IO) int {
	data, err := os.ReadFile(c.file)
	if err != nil {
		fmt.Fprintf(sio.Stderr, "octo-sts check: --workflow: %v\n", err)
		return ExitUsage
	}
	root, rel := workflowRoot(c.file)
	w, err := workflow.Parse(rel, data)
	if err != nil {
		fmt.Fprintf(sio.Stderr, "octo-sts check: --workflow: %v\n", err)
		return ExitUsage
	}
	if c.job != "" {
		if !keepJob(w, c.job) {
			fmt.Fprintf(sio.Stderr, "octo-sts check: --job %q: %s has no such job that runs octo-sts/action\n", c.job, rel)
			return ExitUsage
		}
	}
	repo, err := workflowRepoFor(c, sio.Getenv)
	if err != nil {
		fmt.Fprintf(sio.Stderr, "octo-sts check: %v\n", err)
		return ExitUsage
	}
	all, _ := workflow.Load(root)
	all = append(all, w) // the named file may live outside .github/workflows
	var src workflow.Source = policySource(root, repo.FullName(), sio.Getenv)
	if c.policyPath != "" {
		pd, err := os.ReadFile(c.policyPath)
		if err != nil {
			fmt.Fprintf(sio.Stderr, "octo-sts check: --policy: %v\n", err)
			return ExitUsage
		}
		src = workflow.File{Path: c.policyPath, Data: pd}
	}
	rs := workflow.Analyze(ctx, all, []*workflow.Workflow{w}, workflow.Options{Repo: repo, OrgPolicyRepo: c.orgPolicyRepo, Source: src})
	if len(rs) == 0 {
		fmt.Fprintf(sio.Stderr, "octo-sts check: %s: no step uses octo-sts/action (exchange mode)\n", rel)
		return ExitFindings
	}
	if c.format == "json" {
		b, err := json.MarshalIndent(workflowJSON(rs), "", "  ")
		if err != nil {
			return ExitInternal
		}
		fmt.Fprintf(sio.Stdout, "%s\n", logsafe.JSON(b))
	} else {
		fmt.Fprintf(sio.Stdout, "workflow: %s (%s; claims built locally, nothing was signed)\n\n", rel, repo.Subject.Describe())
		if err := workflow.Render(sio.Stdout, rs); err != nil {
			return ExitInternal
		}
	}
	if !workflow.AnyToken(rs) {
		return ExitFindings
	}
	return ExitOK
}

// keepJob narrows w to one job.
func keepJob(w *workflow.Workflow, id string) bool {
	for _, j := range w.Jobs {
		if strings.EqualFold(j.ID, id) {
			w.Jobs = []workflow.Job{j}
			return true
		}
	}
	return false
}

// workflowRoot splits path/.github/workflows/x.yml into the checkout root and the repository path.
func workflowRoot(file string) (root, rel string) {
	slash := filepath.ToSlash(file)
	if i := strings.LastIndex(slash, ".github/workflows/"); i >= 0 {
		root = filepath.FromSlash(slash[:i])
		if root == "" {
			root = "."
		}
		return root, slash[i:]
	}
	return ".", ".github/workflows/" + filepath.Base(file)
}

// workflowRepoFor builds the simulated repository from --repo (default GITHUB_REPOSITORY) and
// the subject flags.
func workflowRepoFor(c workflowCheck, getenv Env) (workflow.Repo, error) {
	full := c.repo
	if full == "" {
		full = getenv("GITHUB_REPOSITORY")
	}
	if full == "" {
		return workflow.Repo{}, errors.New("--workflow needs --repo owner/repo, the repository the workflow runs in (default $GITHUB_REPOSITORY, which is not set)")
	}
	owner, name, ok := strings.Cut(full, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return workflow.Repo{}, fmt.Errorf("--repo %q: want owner/repo (the repository the workflow runs in)", full)
	}
	if (c.ownerID == "") != (c.repoID == "") {
		return workflow.Repo{}, fmt.Errorf("--owner-id and --repo-id go together (both or neither)")
	}
	repo := workflow.Repo{Owner: owner, Name: name, OwnerID: c.ownerID, RepoID: c.repoID, Subject: workflow.DefaultSubject}
	if c.template != "" {
		s, err := workflow.ParseTemplate(c.template)
		if err != nil {
			return repo, err
		}
		repo.Subject = s
	}
	repo.Subject.UseImmutableSubject = c.ownerID != ""
	return repo, nil
}

// workflowJSON is the --format json shape: one object per step with its runs.
func workflowJSON(rs []workflow.StepResult) []map[string]any {
	out := make([]map[string]any, 0, len(rs))
	for _, s := range rs {
		runs := make([]map[string]any, 0, len(s.Runs))
		for _, r := range s.Runs {
			m := map[string]any{"trigger": r.Trigger, "sub": r.Subject(), "allowed": r.AllowedAny(), "verdicts": r.Verdicts}
			if r.Caller != "" {
				m["caller"] = r.Caller
			}
			if r.Unknown != "" {
				m["unknown"] = r.Unknown
			}
			runs = append(runs, m)
		}
		m := map[string]any{"workflow": s.Workflow, "job": s.Job.ID, "line": s.Step.Pos.Line, "uses": s.Step.Uses,
			"scope": s.Scope, "identity": s.Identity, "policy": s.PolicyFile, "outcome": s.Outcome(), "runs": runs}
		if s.Problem != "" {
			m["problem"] = s.Problem
		}
		out = append(out, m)
	}
	return out
}
