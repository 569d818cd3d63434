package lint

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/policy"
)

var update = flag.Bool("update", false, "rewrite golden files (testdata/lint/err/**/*.out, docs/rules.md)")

const testdata = "../../testdata/lint"

// fixture is one policy file under testdata/lint/{ok,err}/<kind>/ and how to lint it.
type fixture struct {
	file string // on disk
	path string // as linted (repo-relative)
	kind policy.Kind
	opts Options
}

// fixtures lists testdata/lint/<set>: repo/ and org/ files are linted as .github/chainguard/<name>
// (org ones in acme/.github), issuers/ files as the allowlist, placement/ files at their own path.
func fixtures(t *testing.T, set string) []fixture {
	t.Helper()
	var out []fixture
	root := filepath.Join(testdata, set)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".out") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		group, rest, _ := strings.Cut(rel, "/")
		fx := fixture{file: p}
		switch group {
		case "repo":
			fx.kind, fx.path, fx.opts = policy.KindRepo, ".github/chainguard/"+rest, Options{Repository: "acme/app"}
		case "org":
			fx.kind, fx.path, fx.opts = policy.KindOrg, ".github/chainguard/"+rest, Options{Repository: "acme/.github"}
		case "issuers":
			fx.kind, fx.path, fx.opts = policy.KindIssuers, ".github/chainguard/"+policy.IssuersFileName, Options{Kind: policy.KindIssuers, Repository: "acme/.github"}
		case "legacy", "current": // repository policies judged by one generation only (--server)
			fx.kind, fx.path = policy.KindRepo, ".github/chainguard/"+rest
			fx.opts = Options{Repository: "acme/app", Server: []policy.Generation{policy.Generation(group)}}
		case "placement":
			fx.path, fx.opts = rest, Options{Repository: "acme/app"}
			fx.kind = KindOf(rest, fx.opts)
		default:
			t.Fatalf("unexpected fixture group %q (%s)", group, p)
		}
		out = append(out, fx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no fixtures under %s", root)
	}
	return out
}

func render(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s:%d:%d-%d:%d: %s: %s [%s]\n", f.File, f.Line, f.Column, f.EndLine, f.EndColumn, f.Severity, f.Message, f.Rule)
	}
	return b.String()
}

func TestOKFixturesHaveNoFindings(t *testing.T) {
	t.Parallel()
	for _, fx := range fixtures(t, "ok") {
		t.Run(fx.file, func(t *testing.T) {
			data, err := os.ReadFile(fx.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := Bytes(fx.path, data, fx.opts); len(got) != 0 {
				t.Errorf("want no findings, got:\n%s", render(got))
			}
		})
	}
}

func TestErrFixturesGolden(t *testing.T) {
	t.Parallel()
	for _, fx := range fixtures(t, "err") {
		t.Run(fx.file, func(t *testing.T) {
			data, err := os.ReadFile(fx.file)
			if err != nil {
				t.Fatal(err)
			}
			got := render(Bytes(fx.path, data, fx.opts))
			if got == "" {
				t.Fatalf("want findings, got none")
			}
			golden := fx.file + ".out"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/lint -update)", err)
			}
			if got != string(want) {
				t.Errorf("findings differ from %s (run with -update after checking)\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}

// TestParity is the contract with the server: a file gets an error finding exactly when the
// server's own decode + Compile refuses it.
func TestParity(t *testing.T) {
	t.Parallel()
	for _, set := range []string{"ok", "err"} {
		for _, fx := range fixtures(t, set) {
			data, err := os.ReadFile(fx.file)
			if err != nil {
				t.Fatal(err)
			}
			assertParity(t, fx.file, fx.path, data, fx.kind, fx.opts)
		}
	}
}

func assertParity(t *testing.T, name, path string, data []byte, kind policy.Kind, o Options) {
	t.Helper()
	fs := Bytes(path, data, o)
	var srv error
	for _, g := range o.gens() {
		if err := policy.Accepts(g, kind, data); err != nil && srv == nil {
			srv = fmt.Errorf("%s: %w", g, err)
		}
	}
	hasErr := slices.ContainsFunc(fs, Finding.Refuses)
	if hasErr != (srv != nil) {
		t.Errorf("%s: parity broken: server error = %v, linter:\n%s", name, srv, render(fs))
	}
	for _, f := range fs {
		if f.Line < 1 || f.Column < 1 || f.EndLine < f.Line || (f.EndLine == f.Line && f.EndColumn < f.Column) || f.Message == "" || RuleByID(f.Rule) == nil {
			t.Errorf("%s: invalid finding %+v", name, f)
		}
	}
}

// TestEveryRuleCovered keeps the golden corpus honest: every rule shows up in some expected output.
func TestEveryRuleCovered(t *testing.T) {
	t.Parallel()
	var all strings.Builder
	for _, fx := range fixtures(t, "err") {
		b, err := os.ReadFile(fx.file + ".out")
		if err != nil {
			t.Skip("goldens not generated yet")
		}
		all.Write(b)
	}
	for _, r := range Rules {
		switch r.ID {
		case "schema", RuleServerRefuses:
			continue // only reachable if the schema (or the server model) and the rules drift apart
		case "not-regular-file", "file-too-large":
			continue // path-level refusals: TestHostileTree covers them
		}
		if strings.HasPrefix(r.ID, "workflow-") {
			continue // workflow cross-check rules: goldens in internal/workflow/testdata
		}
		if !strings.Contains(all.String(), "["+r.ID+"]") {
			t.Errorf("rule %s has no golden case under testdata/lint/err", r.ID)
		}
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path string
		o    Options
		want policy.Kind
	}{
		{".github/chainguard/x.sts.yaml", Options{}, policy.KindRepo},
		{".github/chainguard/x.sts.yaml", Options{Repository: "acme/.github"}, policy.KindOrg},
		{".github/chainguard/x.sts.yaml", Options{Repository: "acme/.GitHub"}, policy.KindOrg},
		{".github/chainguard/x.sts.yaml", Options{Repository: "acme/policies", OrgPolicyRepo: "policies"}, policy.KindOrg},
		{".github/chainguard/x.sts.yaml", Options{Repository: "acme/app"}, policy.KindRepo},
		{"acme/.github/.github/chainguard/x.sts.yaml", Options{}, policy.KindOrg},
		{"/src/app/.github/chainguard/x.sts.yaml", Options{}, policy.KindRepo},
		{"acme/.github/.github/chainguard/x.sts.yaml", Options{Repository: "acme/app"}, policy.KindRepo},
		{".github/chainguard/trusted-token-issuers.yaml", Options{}, policy.KindIssuers},
		{".github/chainguard/x.sts.yaml", Options{Kind: policy.KindOrg}, policy.KindOrg},
		{"acme/.github/.github/chainguard/x.sts.yaml", Options{Kind: "auto"}, policy.KindOrg},
	}
	for _, c := range cases {
		if got := KindOf(c.path, c.o); got != c.want {
			t.Errorf("KindOf(%q, %+v) = %s, want %s", c.path, c.o, got, c.want)
		}
	}
}

func TestAllowlistSniffedOutsidePolicyDir(t *testing.T) {
	t.Parallel()
	doc := []byte("mode: Enforce\nissuers: [https://token.actions.githubusercontent.com]\n")
	got := Bytes("corpus/o3.yaml", doc, Options{})
	if len(got) != 1 || got[0].Rule != "allowlist-mode" {
		t.Errorf("want one allowlist-mode finding, got:\n%s", render(got))
	}
	// Inside .github/chainguard the name decides: this is a (broken) trust policy.
	got = Bytes(".github/chainguard/o3.sts.yaml", doc, Options{})
	if !slices.ContainsFunc(got, func(f Finding) bool { return f.Rule == "unknown-key" }) {
		t.Errorf("want unknown-key findings for a policy file, got:\n%s", render(got))
	}
}

func TestLiteralPrefix(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]string{
		"repo:acme/.*":                 "repo:acme/",
		`repo:acme/app\.x:.*`:          "repo:acme/app.x:",
		"repo:acme/apps?:.*":           "repo:acme/app",
		"repo:acme/(a|b):.*":           "repo:acme/",
		"a|b":                          "",
		"(?i)repo:acme":                "",
		`repo:o/r\d+`:                  "repo:o/r",
		"repo:o/r:ref:refs/heads/main": "repo:o/r:ref:refs/heads/main",
	} {
		if got := literalPrefix(p); got != want {
			t.Errorf("literalPrefix(%q) = %q, want %q", p, got, want)
		}
	}
}

// TestMergeBomb: a file merging the same anchors over and over must not make the linter's walk
// exponential (the server's parser refuses it as excessive aliasing).
func TestMergeBomb(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("a0: &a0 {x: 1}\n")
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&b, "a%d: &a%d {<<: [*a%d, *a%d, *a%d, *a%d]}\n", i, i, i-1, i-1, i-1, i-1)
	}
	b.WriteString("<<: [*a19, *a19, *a19, *a19]\n")
	got := Bytes(".github/chainguard/bomb.sts.yaml", []byte(b.String()), Options{})
	if !slices.ContainsFunc(got, func(f Finding) bool { return f.Severity == SevError }) {
		t.Fatalf("want an error finding, got:\n%s", render(got))
	}
	if n := len(entries(nil)); n != 0 {
		t.Fatal("entries(nil) must be empty")
	}
}
