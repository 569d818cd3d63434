package scaffold

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// workflowGlobs are this repository's workflows and the golden copies of generated ones.
var workflowGlobs = []string{"../../.github/workflows/*.yaml", "../../testdata/init/*/.github/workflows/*.yaml"}

// pinnedUses is a third-party action or workflow pinned by full commit SHA with its version in a
// trailing comment, e.g. `actions/checkout@08c6…a8 # v5.0.0`.
var pinnedUses = regexp.MustCompile(`^uses: [A-Za-z0-9-]+/[A-Za-z0-9._/-]+@[0-9a-f]{40} # v[0-9]+(\.[0-9]+)*$`)

// ownUses is this project's own action or reusable workflows, which are moved by the release
// workflow (docs/releasing.md) and so use a version tag, and local references.
var ownUses = regexp.MustCompile(`^uses: (\./.*|octo-sts/action(/\.github/workflows/[a-z-]+\.yaml)?@v[0-9]+(\.[0-9]+\.[0-9]+)?)$`)

type workflowFile struct {
	Permissions yaml.Node `yaml:"permissions"`
	Jobs        map[string]struct {
		Permissions yaml.Node `yaml:"permissions"`
	} `yaml:"jobs"`
}

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, g := range workflowGlobs {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %d workflow files: %v", len(files), files)
	}
	return files
}

// TestWorkflowConventions enforces what the project promises about its workflows: every
// third-party action pinned by SHA with its version in a comment, `permissions: {}` at the top
// and permissions granted per job, and no `${{ }}` expression inside a run: script.
func TestWorkflowConventions(t *testing.T) {
	for _, path := range workflowFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var w workflowFile
		if err := yaml.Unmarshal(data, &w); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if w.Permissions.Kind != yaml.MappingNode || len(w.Permissions.Content) != 0 {
			t.Errorf("%s: top-level permissions must be {}", path)
		}
		for name, job := range w.Jobs {
			if job.Permissions.Kind != yaml.MappingNode {
				t.Errorf("%s: job %s grants no explicit permissions", path, name)
			}
		}
		// Generated callers use whatever ref the user passed to --reusable-ref.
		generated := strings.Contains(filepath.ToSlash(path), "testdata/init/")
		for i, line := range strings.Split(string(data), "\n") {
			trimmed := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
			if strings.HasPrefix(trimmed, "uses:") && !generated && !pinnedUses.MatchString(trimmed) && !ownUses.MatchString(trimmed) {
				t.Errorf("%s:%d: %q is not pinned by commit SHA with a version comment", path, i+1, trimmed)
			}
		}
		checkRunScripts(t, path, data)
	}
}

// checkRunScripts fails on `${{` inside any run: script: values reach scripts through env:.
func checkRunScripts(t *testing.T, path string, data []byte) {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "run" && v.Kind == yaml.ScalarNode && strings.Contains(v.Value, "${{") {
					t.Errorf("%s:%d: run: script interpolates an expression; pass it through env:", path, v.Line)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
}

// TestReusableWorkflowsMatchScaffold checks that the reusable workflows the generated set-ups
// call exist where the scaffold says and take the inputs it passes.
func TestReusableWorkflowsMatchScaffold(t *testing.T) {
	type call struct {
		On struct {
			WorkflowCall struct {
				Inputs map[string]struct {
					Type    string `yaml:"type"`
					Default any    `yaml:"default"`
				} `yaml:"inputs"`
			} `yaml:"workflow_call"`
		} `yaml:"on"`
	}
	read := func(rel string) call {
		data, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		var c call
		if err := yaml.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	r := read(RenovateWorkflowFile)
	if in, ok := r.On.WorkflowCall.Inputs["identity"]; !ok || in.Default != RenovateIdentity || in.Type != "string" {
		t.Errorf("%s: want a string input identity defaulting to %q, got %+v", RenovateWorkflowFile, RenovateIdentity, r.On.WorkflowCall.Inputs)
	}
	l := read(".github/workflows/lint-trust-policies.yaml")
	for _, name := range []string{"path", "fail-on", "sarif"} {
		if _, ok := l.On.WorkflowCall.Inputs[name]; !ok {
			t.Errorf("lint-trust-policies.yaml: missing input %q", name)
		}
	}
	if l.On.WorkflowCall.Inputs["sarif"].Default != false {
		t.Error("lint-trust-policies.yaml: SARIF upload must be opt-in")
	}
}

// permLevel orders GitHub token permission levels.
var permLevel = map[string]int{"none": 0, "read": 1, "write": 2}

// jobPermissions returns every job's permissions in a workflow file.
func jobPermissions(t *testing.T, rel string) map[string]map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Jobs map[string]struct {
			Permissions map[string]string `yaml:"permissions"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for name, j := range w.Jobs {
		out[name] = j.Permissions
	}
	return out
}

// checkCovers fails when a called workflow's job asks for more than the caller grants: GitHub
// refuses to start such a run ("The nested job … is requesting …, but is only allowed …"), even
// for jobs whose `if:` would skip them.
func checkCovers(t *testing.T, what string, granted map[string]string, called map[string]map[string]string) {
	t.Helper()
	for job, perms := range called {
		for scope, level := range perms {
			if permLevel[level] > permLevel[granted[scope]] {
				t.Errorf("%s grants %s: %q, but the called job %s requests %q", what, scope, granted[scope], job, level)
			}
		}
	}
}

// TestCallersGrantWhatReusableWorkflowsRequest checks the documented lint caller and the
// generated Renovate caller against the jobs of the workflows they call.
func TestCallersGrantWhatReusableWorkflowsRequest(t *testing.T) {
	for _, doc := range []string{"docs/getting-started.md", "docs/snippets.md"} {
		data, err := os.ReadFile(filepath.Join("..", "..", doc))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		found := false
		for i, l := range lines {
			if !strings.Contains(l, "uses: octo-sts/action/.github/workflows/lint-trust-policies.yaml@") || i+1 >= len(lines) {
				continue
			}
			var job struct {
				Permissions map[string]string `yaml:"permissions"`
			}
			if err := yaml.Unmarshal([]byte(strings.TrimSpace(lines[i+1])), &job); err != nil || job.Permissions == nil {
				t.Fatalf("%s:%d: want a permissions line after the uses line: %v", doc, i+2, err)
			}
			found = true
			checkCovers(t, doc, job.Permissions, jobPermissions(t, ".github/workflows/lint-trust-policies.yaml"))
		}
		if !found {
			t.Errorf("%s: no lint-trust-policies caller snippet found", doc)
		}
	}

	files, err := Renovate(RenovateOptions{Repo: "acme/app"})
	if err != nil {
		t.Fatal(err)
	}
	var caller struct {
		Jobs map[string]struct {
			Permissions map[string]string `yaml:"permissions"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(files[1].Data, &caller); err != nil {
		t.Fatal(err)
	}
	checkCovers(t, "the generated Renovate caller", caller.Jobs["renovate"].Permissions, jobPermissions(t, RenovateWorkflowFile))
}
