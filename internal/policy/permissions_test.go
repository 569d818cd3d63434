package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestOnePermissionList ties the three forms of the permission list together: the Permissions
// struct (what strict decoding accepts), PermissionNames (hints, suggestions) and each JSON schema.
func TestOnePermissionList(t *testing.T) {
	t.Parallel()
	fromStruct := jsonFields(reflect.TypeOf(Permissions{}))
	if !slices.Equal(fromStruct, PermissionNames) {
		t.Fatalf("PermissionNames differs from the Permissions struct tags:\n struct %v\n names  %v", fromStruct, PermissionNames)
	}
	if len(PermissionNames) != 75 {
		t.Errorf("spec §3.6 lists 75 permission keys, have %d", len(PermissionNames))
	}
	for _, f := range []string{"trust-policy.schema.json", "org-trust-policy.schema.json"} {
		s := readSchema(t, f)
		perms := s.Definitions["permissions"].Properties
		if got := sortedKeys(perms); !slices.Equal(got, sorted(PermissionNames)) {
			t.Errorf("%s: permissions properties differ from PermissionNames:\n schema %v", f, got)
		}
	}
}

// TestSchemaFields: each schema's top-level properties are exactly the current generation's
// decoder fields for that kind (current is a superset of legacy; app fields say "current only").
func TestSchemaFields(t *testing.T) {
	t.Parallel()
	for f, k := range map[string]Kind{"trust-policy.schema.json": KindRepo, "org-trust-policy.schema.json": KindOrg, "trusted-token-issuers.schema.json": KindIssuers} {
		s := readSchema(t, f)
		if got, want := sortedKeys(s.Properties), sorted(Fields(Current, k)); !slices.Equal(got, want) {
			t.Errorf("%s: properties %v, decoder fields %v", f, got, want)
		}
		for _, name := range []string{"app", "app_pattern"} {
			if p, ok := s.Properties[name]; ok && !strings.Contains(p.Description, "Current servers only") {
				t.Errorf("%s: %s must say it is for current servers only", f, name)
			}
		}
	}
}

type schemaDoc struct {
	Properties  map[string]schemaProp `json:"properties"`
	Definitions map[string]schemaDoc  `json:"definitions"`
}

type schemaProp struct {
	Description string `json:"description"`
}

func readSchema(t *testing.T, name string) schemaDoc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "schema", name))
	if err != nil {
		t.Fatal(err)
	}
	var s schemaDoc
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
