package lint

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	yaml3 "go.yaml.in/yaml/v3"

	"github.com/octo-sts/action/internal/policy"
)

// TestRuleExamples proves every documented example: the bad one triggers its rule, the fixed one
// does not and has no errors.
func TestRuleExamples(t *testing.T) {
	t.Parallel()
	for _, r := range Rules {
		if r.Bad == "" {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			path := r.Path
			if path == "" {
				path = ".github/chainguard/example.sts.yaml"
			}
			repo := r.Repository
			if repo == "" {
				repo = "acme/app"
			}
			o := Options{Repository: repo}
			if r.Server != "" {
				o.Server = []policy.Generation{r.Server}
			}
			bad := Bytes(path, []byte(r.Bad), o)
			if !slices.ContainsFunc(bad, func(f Finding) bool { return f.Rule == r.ID }) {
				t.Errorf("bad example does not trigger %s:\n%s", r.ID, render(bad))
			}
			if r.Good == "" {
				return
			}
			good := Bytes(path, []byte(r.Good), o)
			for _, f := range good {
				if f.Rule == r.ID || f.Severity == SevError {
					t.Errorf("fixed example still reports: %s", render([]Finding{f}))
				}
			}
		})
	}
}

func TestRulesDocUpToDate(t *testing.T) {
	t.Parallel()
	const doc = "../../docs/rules.md"
	want := RulesMarkdown()
	if *update {
		if err := os.WriteFile(doc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(doc)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/lint -update)", err)
	}
	if string(got) != want {
		t.Errorf("docs/rules.md is out of date with internal/lint/rules.go; run go test ./internal/lint -update")
	}
}

func TestSchemasCompile(t *testing.T) {
	t.Parallel()
	ss, err := Schemas()
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 3 {
		t.Fatalf("want 3 schemas, got %d", len(ss))
	}
}

// rawSchemaValid validates a YAML document the way an editor's language server would (raw keys,
// YAML 1.2 scalars), to show the published schema agrees with the linter on real files.
func rawSchemaValid(t *testing.T, kind policy.Kind, data []byte) error {
	t.Helper()
	var v any
	if err := yaml3.Unmarshal(data, &v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	ss, err := Schemas()
	if err != nil {
		t.Fatal(err)
	}
	return ss[kind].Validate(doc)
}

func TestSchemaAcceptsOKFixtures(t *testing.T) {
	t.Parallel()
	for _, fx := range fixtures(t, "ok") {
		data, err := os.ReadFile(fx.file)
		if err != nil {
			t.Fatal(err)
		}
		if err := rawSchemaValid(t, fx.kind, data); err != nil {
			t.Errorf("%s: schema rejects a clean policy: %v", fx.file, err)
		}
	}
}

func TestSchemaRejectsServerErrors(t *testing.T) {
	t.Parallel()
	// Every error class the schema can express must be caught by editors too.
	for _, name := range []string{
		"repo/c3-both-issuer.sts.yaml", "repo/c4-both-subject.sts.yaml", "repo/c9-no-issuer.sts.yaml",
		"repo/c10-no-subject.sts.yaml", "repo/c11-both-audience.sts.yaml", "repo/c17-empty.sts.yaml",
		"repo/c18-repositories.sts.yaml", "repo/c19-unknown-key.sts.yaml", "repo/c22-camel-permission.sts.yaml",
		"repo/c23-unknown-permission.sts.yaml", "repo/c25-permissions-scalar.sts.yaml", "repo/c26-claim-map.sts.yaml",
		"repo/c24-permission-levels.sts.yaml", "repo/issuer-list.sts.yaml", "repo/top-level-list.sts.yaml",
		"org/c29-repositories-scalar.sts.yaml", "org/repository-owner-name.sts.yaml", "org/too-many-repositories.sts.yaml",
		"issuers/o3-mode.yaml", "issuers/o4-empty.yaml", "issuers/o4-empty-lists.yaml", "issuers/o14-uppercase.yaml",
		"issuers/o16-too-many-issuers.yaml", "issuers/o16-too-many-patterns.yaml", "issuers/o16-too-long.yaml",
		"issuers/o17-singular.yaml", "issuers/o13-invalid.yaml",
	} {
		kind := policy.Kind(name[:strings.IndexByte(name, '/')])
		if kind == "issuers" {
			kind = policy.KindIssuers
		}
		data, err := os.ReadFile(filepath.Join(testdata, "err", name))
		if err != nil {
			t.Fatal(err)
		}
		if rawSchemaValid(t, kind, data) == nil {
			t.Errorf("%s: the schema accepts a policy the linter reports as broken", name)
		}
	}
}

// TestCanonicalSchemaAgrees justifies validating only the permissions and repositories subschemas:
// on every fixture the server accepts, the whole-document schema fails only there (or on the
// issuer URL, which issuer-invalid-url reports).
func TestCanonicalSchemaAgrees(t *testing.T) {
	t.Parallel()
	ss, err := Schemas()
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []string{"ok", "err"} {
		for _, fx := range fixtures(t, set) {
			data, err := os.ReadFile(fx.file)
			if err != nil {
				t.Fatal(err)
			}
			f := newFile(fx.path, data, fx.kind, fx.opts)
			f.decode()
			if f.srvErr != nil || refusedByAny(fx.kind, data) {
				continue
			}
			var ve *jsonschema.ValidationError
			if !errors.As(ss[fx.kind].Validate(f.canonical()), &ve) {
				continue
			}
			for _, e := range leaves(ve) {
				loc := e.InstanceLocation
				if !strings.HasPrefix(loc, "/permissions/") && !strings.HasPrefix(loc, "/repositories") && loc != "/issuer" {
					t.Errorf("%s: whole-document schema finds %s: %s", fx.file, loc, e.Message)
				}
			}
		}
	}
}

// refusedByAny reports whether any server generation refuses the file (the "all" verdict).
func refusedByAny(kind policy.Kind, data []byte) bool {
	for _, g := range policy.Generations {
		if policy.Accepts(g, kind, data) != nil {
			return true
		}
	}
	return false
}
