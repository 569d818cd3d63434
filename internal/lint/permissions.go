package lint

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/octo-sts-action/octo-sts/internal/policy"
)

// permMap renders the decoded permissions as name → level, the body the server sends to GitHub.
func permMap(tp *policy.TrustPolicy) map[string]string {
	b, err := json.Marshal(tp.Permissions)
	if err != nil {
		return nil
	}
	m := map[string]string{}
	_ = json.Unmarshal(b, &m)
	return m
}

func permValue(tp *policy.TrustPolicy, name string) string { return permMap(tp)[name] }

// writePermissions lists "name: level" for every grant above read, sorted.
func writePermissions(f *file) []string {
	var out []string
	for k, v := range permMap(f.tp) {
		if l := strings.ToLower(v); l == "write" || l == "admin" {
			out = append(out, k+": "+v)
		}
	}
	slices.Sort(out)
	return out
}

// permKey points at a permission's key, for findings about the name.
func (f *file) permKey(name string) *node {
	k, perms := f.field("permissions")
	if perms == nil {
		return k
	}
	for _, e := range entries(perms.Node) {
		if strings.EqualFold(e.key.Value, name) {
			return &node{e.key}
		}
	}
	return k
}

// permVal points at a permission's value, for findings about the level.
func (f *file) permVal(name string) *node {
	k, perms := f.field("permissions")
	if perms == nil {
		return k
	}
	for _, e := range entries(perms.Node) {
		if strings.EqualFold(e.key.Value, name) {
			return &node{orKey(e)}
		}
	}
	return k
}
