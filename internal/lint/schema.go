package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/octo-sts/action/internal/memo"
	"github.com/octo-sts/action/internal/policy"
	"github.com/octo-sts/action/schema"
)

// Compiled schemas, built once: compiling costs far more than validating.
var (
	schemaOnce sync.Once
	schemas    map[policy.Kind]*jsonschema.Schema
	schemaErr  error

	// The parts of the schemas that can still fail on a file the server accepts: permission
	// levels and repositories entries. Validating just these keeps linting near parse speed.
	permSchema, reposSchema *jsonschema.Schema
)

// Schemas compiles the embedded schemas; exported for tests and the schema command.
func Schemas() (map[policy.Kind]*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft7
		srcs := map[policy.Kind][]byte{
			policy.KindRepo:    schema.TrustPolicy,
			policy.KindOrg:     schema.OrgTrustPolicy,
			policy.KindIssuers: schema.TrustedTokenIssuers,
		}
		schemas = map[policy.Kind]*jsonschema.Schema{}
		for k, src := range srcs {
			u := "mem://" + string(k) + ".schema.json"
			if k == policy.KindIssuers {
				u = "mem://issuers.schema.json"
			}
			if err := c.AddResource(u, bytes.NewReader(src)); err != nil {
				schemaErr = fmt.Errorf("schema %s: %w", k, err)
				return
			}
			s, err := c.Compile(u)
			if err != nil {
				schemaErr = fmt.Errorf("schema %s: %w", k, err)
				return
			}
			schemas[k] = s
		}
		var err error
		if permSchema, err = c.Compile("mem://repo.schema.json#/definitions/permissions"); err != nil {
			schemaErr = err
			return
		}
		if reposSchema, err = c.Compile("mem://org.schema.json#/properties/repositories"); err != nil {
			schemaErr = err
		}
	})
	return schemas, schemaErr
}

// checkSchema validates what the server decoded (canonical names, YAML 1.1 coercions applied) against
// the published schema. It only runs on files the server accepts, where everything else the schema
// says is already guaranteed by Compile, so only the permissions and repositories subschemas can
// fail: those findings are what GitHub refuses at mint time. TestCanonicalSchemaAgrees checks that
// the whole-document schema finds nothing more on the fixtures.
func (f *file) checkSchema() {
	if f.srvErr != nil || hasErrors(f.findings) {
		return
	}
	if _, err := Schemas(); err != nil {
		panic(err) // embedded schemas are tested; a failure here is a build defect
	}
	doc := f.canonical()
	check := func(s *jsonschema.Schema, field string) {
		v, ok := doc[field]
		if !ok {
			return
		}
		for _, e := range validateMemo(s, field, v) {
			e.InstanceLocation = "/" + field + e.InstanceLocation
			f.schemaFinding(e)
		}
	}
	switch f.kind {
	case policy.KindIssuers:
		var ve *jsonschema.ValidationError
		if errors.As(schemas[policy.KindIssuers].Validate(doc), &ve) {
			for _, e := range leaves(ve) {
				f.schemaFinding(e)
			}
		}
	case policy.KindOrg:
		check(permSchema, "permissions")
		check(reposSchema, "repositories")
	default:
		check(permSchema, "permissions")
	}
}

func hasErrors(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(x Finding) bool { return x.Severity == SevError })
}

func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// pointer decodes a jsonschema v5 instance location into its tokens.
func pointer(loc string) []string {
	if loc == "" {
		return nil
	}
	var out []string
	for _, t := range strings.Split(strings.TrimPrefix(loc, "/"), "/") {
		if u, err := url.PathUnescape(t); err == nil {
			t = u
		}
		t = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
		out = append(out, t)
	}
	return out
}

func (f *file) schemaFinding(e *jsonschema.ValidationError) {
	path := pointer(e.InstanceLocation)
	kw := e.KeywordLocation[strings.LastIndex(e.KeywordLocation, "/")+1:]
	switch {
	case len(path) == 2 && path[0] == "permissions" && kw == "enum":
		name := path[1]
		levels := permissionLevels(name)
		level := f.perms()[name]
		if githubRefuses(level, levels) {
			refused := policy.ExchangeAnswer(policy.Legacy, policy.CodeTokenExchangeFailure)
			f.add(RulePermissionLevelInvalid, f.permVal(name), "permission %s: GitHub has no level %q for it, so it answers 422 and every exchange fails with %d %s; use %s", name, level, refused.Status, refused.Message, strings.Join(levels, " or "))
			break
		}
		f.add(RulePermissionLevel, f.permVal(name), "permission %s: GitHub does not accept level %q (it answers 422 and the exchange fails with 403); use %s", name, level, strings.Join(levels, " or "))
	case len(path) == 2 && path[0] == "repositories" && kw == "pattern":
		_, n := f.field("repositories")
		var val string
		if i := atoi(path[1]); n != nil && i < len(n.Content) {
			val = n.Content[i].Value
			n = &node{n.Content[i]}
		}
		bare := val[strings.LastIndex(val, "/")+1:]
		f.add("repository-name", n, "repositories entry %q is not a bare repository name; GitHub answers 422 and the exchange fails with 403. Write %q", val, bare)
	case len(path) == 1 && path[0] == "repositories" && kw == "maxItems":
		k, _ := f.field("repositories")
		f.add("too-many-repositories", k, "%d repositories: GitHub caps a token at 500 (it answers 422, the exchange fails with 403); omit repositories to cover all, or split the policy", len(f.org.Repositories))
	case len(path) == 1 && path[0] == "issuer":
		// covered by issuer-invalid-url
	default:
		_, n := f.field(firstOr(path, ""))
		f.add("schema", n, "%s: %s", "/"+strings.Join(path, "/"), e.Message)
	}
}

func firstOr(p []string, d string) string {
	if len(p) > 0 {
		return p[0]
	}
	return d
}

// permissionLevels reads the allowed levels for a permission out of the embedded schema, so the
// message and the schema cannot disagree.
func permissionLevels(name string) []string {
	var s struct {
		Definitions struct {
			Permissions struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"permissions"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(schema.TrustPolicy, &s); err != nil {
		return nil
	}
	return s.Definitions.Permissions.Properties[name].Enum
}

// canonical is the decoded file as the JSON value the server works with: canonical field names,
// YAML 1.1 coercions applied, empty fields dropped (the server treats them as unset).
func (f *file) canonical() map[string]any {
	doc := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			doc[k] = v
		}
	}
	list := func(k string, vs []string) {
		if len(vs) > 0 {
			l := make([]any, len(vs))
			for i, v := range vs {
				l[i] = v
			}
			doc[k] = l
		}
	}
	if f.iss != nil {
		set("mode", f.iss.Mode)
		list("issuers", f.iss.Issuers)
		list("issuer_patterns", f.iss.IssuerPatterns)
		return doc
	}
	tp := f.tp
	set("issuer", tp.Issuer)
	set("issuer_pattern", tp.IssuerPattern)
	set("subject", tp.Subject)
	set("subject_pattern", tp.SubjectPattern)
	set("audience", tp.Audience)
	set("audience_pattern", tp.AudiencePattern)
	if len(tp.ClaimPattern) > 0 {
		m := make(map[string]any, len(tp.ClaimPattern))
		for k, v := range tp.ClaimPattern {
			m[k] = v
		}
		doc["claim_pattern"] = m
	}
	if pm := f.perms(); len(pm) > 0 {
		m := make(map[string]any, len(pm))
		for k, v := range pm {
			m[k] = v
		}
		doc["permissions"] = m
	}
	if f.org != nil {
		list("repositories", f.org.Repositories)
	}
	return doc
}

// Permission sets repeat across a repository's policies (contents: read, …), so validation
// results are memoised by value in a bounded memo that is safe for the lint workers.
var schemaMemo = memo.New[string, []jsonschema.ValidationError](1 << 20)

// validateMemo validates v against s and returns the leaf errors (copies, so callers may edit them).
func validateMemo(s *jsonschema.Schema, field string, v any) []*jsonschema.ValidationError {
	key := memoKey(field, v)
	if key != "" {
		if hit, ok := schemaMemo.Get(key); ok {
			return copies(hit)
		}
	}
	var ve *jsonschema.ValidationError
	var out []jsonschema.ValidationError
	if errors.As(s.Validate(v), &ve) {
		for _, e := range leaves(ve) {
			out = append(out, jsonschema.ValidationError{KeywordLocation: e.KeywordLocation, InstanceLocation: e.InstanceLocation, Message: e.Message})
		}
	}
	if key != "" {
		size := len(key)
		for _, e := range out {
			size += len(e.KeywordLocation) + len(e.InstanceLocation) + len(e.Message) + 64
		}
		schemaMemo.Put(key, out, size)
	}
	return copies(out)
}

func copies(in []jsonschema.ValidationError) []*jsonschema.ValidationError {
	out := make([]*jsonschema.ValidationError, len(in))
	for i := range in {
		e := in[i]
		out[i] = &e
	}
	return out
}

// memoKey is a canonical rendering of a permissions map or repositories list ("" if not memoisable).
func memoKey(field string, v any) string {
	var b strings.Builder
	b.WriteString(field)
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			sv, ok := x[k].(string)
			if !ok {
				return ""
			}
			b.WriteString("\x00" + k + "\x01" + sv)
		}
	case []any:
		for _, it := range x {
			sv, ok := it.(string)
			if !ok {
				return ""
			}
			b.WriteString("\x00" + sv)
		}
	default:
		return ""
	}
	return b.String()
}

// githubRefuses reports a level GitHub's token API certainly refuses for a permission: anything
// but read, write and admin, or admin where the permission has no admin level. A known level the
// permission's documented enum lacks (workflows: read) or a case variant is only likely refused.
func githubRefuses(level string, levels []string) bool {
	switch l := strings.ToLower(level); l {
	case "read", "write":
		return false
	case "admin":
		return !slices.Contains(levels, "admin")
	}
	return true
}
