package check

import (
	"bytes"
	"strings"
	"testing"
)

func TestScenariosAreRealisticGitHubClaims(t *testing.T) {
	scs, err := Scenarios(SimulateOptions{Repository: "acme/widgets", DefaultBranch: "trunk", Environment: "Prod:EU"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"push to trunk (default branch)": "repo:acme/widgets:ref:refs/heads/trunk",
		"push to feature/x":              "repo:acme/widgets:ref:refs/heads/feature/x",
		"tag v1.0.0":                     "repo:acme/widgets:ref:refs/tags/v1.0.0",
		"pull_request":                   "repo:acme/widgets:pull_request",
		"environment Prod:EU":            "repo:acme/widgets:environment:Prod%3AEU",
		"reusable workflow":              "repo:acme/widgets:ref:refs/heads/trunk",
	}
	if len(scs) != len(want) {
		t.Fatalf("%d scenarios", len(scs))
	}
	for _, sc := range scs {
		if want[sc.Name] != sc.Claims.Subject {
			t.Errorf("%s: sub %q, want %q", sc.Name, sc.Claims.Subject, want[sc.Name])
		}
		if sc.Claims.Issuer != GitHubIssuer || len(sc.Claims.Audience) != 1 || sc.Claims.Audience[0] != DefaultDomain {
			t.Errorf("%s: iss %q aud %q", sc.Name, sc.Claims.Issuer, sc.Claims.Audience)
		}
		// §6.2: every custom claim is a JSON string.
		for k, v := range sc.Claims.Raw {
			switch k {
			case "exp", "iat", "nbf":
				continue
			}
			if _, ok := v.(string); !ok {
				t.Errorf("%s: claim %s is %T, GitHub sends strings", sc.Name, k, v)
			}
		}
	}
	pr := scs[3].Claims.Raw
	if pr["event_name"] != "pull_request" || pr["ref"] != "refs/pull/1/merge" || pr["base_ref"] != "trunk" {
		t.Errorf("pull_request claims: %v", pr)
	}
	if scs[4].Claims.Raw["environment"] != "Prod:EU" || scs[2].Claims.Raw["ref_type"] != "tag" {
		t.Error("environment/tag claims")
	}
	if scs[5].Claims.Raw["job_workflow_ref"] != "acme/widgets/.github/workflows/reusable.yml@refs/heads/trunk" {
		t.Errorf("job_workflow_ref %v", scs[5].Claims.Raw["job_workflow_ref"])
	}
}

func TestScenariosImmutableSubjects(t *testing.T) {
	scs, err := Scenarios(SimulateOptions{Repository: "acme/widgets", OwnerID: "11", RepoID: "22", JobWorkflowRef: "acme/shared/.github/workflows/r.yml@refs/tags/v1"})
	if err != nil {
		t.Fatal(err)
	}
	if scs[0].Claims.Subject != "repo:acme@11/widgets@22:ref:refs/heads/main" || scs[0].Claims.Raw["repository_owner_id"] != "11" {
		t.Fatalf("immutable subject %q", scs[0].Claims.Subject)
	}
	if scs[5].Claims.Raw["job_workflow_ref"] != "acme/shared/.github/workflows/r.yml@refs/tags/v1" {
		t.Fatal("custom job_workflow_ref ignored")
	}
	for _, o := range []SimulateOptions{{Repository: "acme"}, {Repository: "a/b/c"}, {Repository: "/b"}, {Repository: "a/b", OwnerID: "1"}} {
		if _, err := Scenarios(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestSimulateReusableWorkflowPolicy(t *testing.T) {
	pol := "issuer: " + GitHubIssuer + "\nsubject_pattern: repo:acme/widgets:.*\nclaim_pattern:\n  job_workflow_ref: acme/shared/\\.github/workflows/release\\.yml@refs/heads/main\n"
	rs, err := Simulate(Input{PolicyPath: "p.sts.yaml", Policy: []byte(pol)}, SimulateOptions{Repository: "acme/widgets", JobWorkflowRef: "acme/shared/.github/workflows/release.yml@refs/heads/main"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if (r.Verdict == Allow) != (r.Scenario == "reusable workflow") {
			t.Errorf("%s: %s %s", r.Scenario, r.Verdict, r.Message)
		}
	}
	var b bytes.Buffer
	if err := RenderSimulation(&b, "p.sts.yaml", rs); err != nil || !strings.Contains(b.String(), "job_workflow_ref acme/shared/") {
		t.Fatalf("%v\n%s", err, b.String())
	}
}
