package lint

import (
	"reflect"
	"slices"
	"strings"

	"github.com/octo-sts/action/internal/policy"
)

// permMap renders the decoded permissions as name → level, the body the server sends to GitHub.
func permMap(tp *policy.TrustPolicy) map[string]string {
	m := map[string]string{}
	v := reflect.ValueOf(tp.Permissions)
	for i, name := range permFieldNames {
		if p := v.Field(i); !p.IsNil() {
			m[name] = p.Elem().String()
		}
	}
	return m
}

// permFieldNames are the JSON names of policy.Permissions' fields, in field order.
var permFieldNames = func() []string {
	t := reflect.TypeFor[policy.Permissions]()
	out := make([]string, t.NumField())
	for i := range out {
		out[i], _, _ = strings.Cut(t.Field(i).Tag.Get("json"), ",")
	}
	return out
}()

// perms caches the decoded permissions for the file.
func (f *file) perms() map[string]string {
	if f.pm == nil {
		f.pm = permMap(f.tp)
	}
	return f.pm
}

// writePermissions lists "name: level" for every grant above read, sorted.
func writePermissions(f *file) []string {
	var out []string
	for k, v := range f.perms() {
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
