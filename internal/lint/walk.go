package lint

import (
	"slices"
	"strings"

	yaml2 "go.yaml.in/yaml/v2"
	yaml "go.yaml.in/yaml/v3"

	"github.com/octo-sts/action/internal/policy"
)

// entry is one key/value pair of a mapping as the linter sees it after following aliases and merges.
type entry struct {
	key, val *yaml.Node
	canon    string // canonical field name it maps to, "" if unknown
}

// walker checks keys (unknown, case variants), scalar coercions and empties in the first document,
// and remembers where each canonical field is so other checks can point at it.
type walker struct {
	f       *file
	unknown []entry // keys the server does not know
	fields  map[string]entry
	perms   map[string]entry
}

// topFields are the keys the primary generation's decoder accepts for the file's kind.
func (w *walker) topFields() []string {
	return policy.Fields(w.f.opts.primary(), w.f.kind)
}

// entries lists a mapping's pairs, expanding "<<" merge keys as the server's YAML parser does.
// Each merged mapping is expanded once: a file that merges the same anchor over and over (a
// "merge bomb") costs linear time instead of exponential.
func entries(m *yaml.Node) []entry {
	return mergeEntries(m, map[*yaml.Node]bool{})
}

func mergeEntries(m *yaml.Node, seen map[*yaml.Node]bool) []entry {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode || seen[m] {
		return nil
	}
	seen[m] = true
	var out []entry
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0) {
			v = resolve(v)
			switch v.Kind {
			case yaml.MappingNode:
				out = append(out, mergeEntries(v, seen)...)
			case yaml.SequenceNode:
				for _, s := range v.Content {
					out = append(out, mergeEntries(s, seen)...)
				}
			}
			continue
		}
		out = append(out, entry{key: k, val: resolve(v)})
	}
	return out
}

// canonical maps a key to a known name the way encoding/json does (exact, then case-folded).
func canonical(k string, known []string) (name string, exact bool) {
	if slices.Contains(known, k) {
		return k, true
	}
	for _, n := range known {
		if strings.EqualFold(n, k) {
			return n, false
		}
	}
	return "", false
}

func (w *walker) walkTop() {
	w.fields = map[string]entry{}
	w.perms = map[string]entry{}
	f := w.f
	if f.root == nil || resolve(f.root).Kind != yaml.MappingNode {
		return
	}
	known := w.topFields()
	for _, e := range f.top() {
		name, exact := canonical(e.key.Value, known)
		if name == "" {
			w.unknown = append(w.unknown, e)
			continue
		}
		e.canon = name
		w.noteCase(e, name, exact, w.fields)
		switch name {
		case "permissions":
			for _, pe := range entries(e.val) {
				pn, pexact := canonical(pe.key.Value, policy.PermissionNames)
				if pn == "" {
					w.unknown = append(w.unknown, entry{key: pe.key, val: pe.val, canon: "permissions"})
					continue
				}
				pe.canon = pn
				w.noteCase(pe, pn, pexact, w.perms)
				w.scalar(pe.val, "permissions."+pn)
			}
		case "claim_pattern":
			for _, ce := range entries(e.val) {
				w.claimKey(ce.key)
				w.scalar(ce.val, "claim_pattern value for "+ce.key.Value)
			}
		case "repositories", "issuers", "issuer_patterns":
			if v := e.val; v != nil && v.Kind == yaml.SequenceNode {
				for _, item := range v.Content {
					w.scalar(resolve(item), name+" entry")
				}
			}
		default:
			w.scalar(e.val, name)
		}
	}
}

// noteCase records the winning entry for a canonical name and warns on non-canonical spellings.
func (w *walker) noteCase(e entry, name string, exact bool, seen map[string]entry) {
	prev, dup := seen[name]
	if !exact {
		if dup {
			w.f.add("key-case", &node{e.key}, "%q and %q (line %d) both set %s; the server silently keeps one of them. Keep only %q", e.key.Value, prev.key.Value, prev.key.Line, name, name)
		} else {
			w.f.add("key-case", &node{e.key}, "%q is accepted by the server as %q (keys match case-insensitively), but schemas and reviewers expect %q; rename it", e.key.Value, name, name)
		}
	} else if dup && prev.key.Value != name {
		w.f.add("key-case", &node{prev.key}, "%q and %q (line %d) both set %s; the server silently keeps one of them. Keep only %q", prev.key.Value, e.key.Value, e.key.Line, name, name)
	}
	if !dup || exact {
		seen[name] = e
	}
}

// claimKey warns when a plain claim_pattern key is rewritten by YAML 1.1 (yes → "true").
func (w *walker) claimKey(k *yaml.Node) {
	if k.Kind != yaml.ScalarNode || k.Style != 0 {
		return
	}
	if s, ok := yaml11String(k.Value); ok && s != k.Value {
		w.f.add("yaml11-scalar", &node{k}, "claim_pattern key %s is read as %q by the server's YAML 1.1 parser; write it quoted as the server reads it, %q (quoting %q would change which claim is matched)", k.Value, s, s, k.Value)
	}
}

// scalar warns about YAML 1.1 coercions and empty values in a string position.
func (w *walker) scalar(v *yaml.Node, what string) {
	if v == nil || v.Kind != yaml.ScalarNode {
		return
	}
	if v.Style == 0 {
		if isNull(v.Value) {
			if what != "permissions" {
				w.f.add("empty-value", &node{v}, "%s is null, which the server treats as unset; remove the key or give it a value", what)
			}
			return
		}
		if s, ok := yaml11String(v.Value); ok && s != v.Value {
			w.f.add("yaml11-scalar", &node{v}, "%s: unquoted %s is read as %q by the server's YAML 1.1 parser, and that is the value it matches; write %q to say so (quoting %q instead would change what matches)", what, v.Value, s, s, v.Value)
		}
		return
	}
	if v.Value == "" && (v.Style == yaml.DoubleQuotedStyle || v.Style == yaml.SingleQuotedStyle) {
		w.f.add("empty-value", &node{v}, "%s is empty, which the server treats as unset; remove the key or give it a value", what)
	}
}

func isNull(s string) bool {
	switch s {
	case "~", "null", "Null", "NULL", "":
		return true
	}
	return false
}

// yaml11String says what string the server ends up with for a plain scalar: YAML 1.1 resolves it
// (yes → true, 0777 → 511) and sigs.k8s.io/yaml renders the result back as a string.
func yaml11String(s string) (string, bool) {
	if !mayResolve(s) {
		return s, true
	}
	var v any
	if err := yaml2.Unmarshal([]byte(s), &v); err != nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	case int, int64, uint64, float64:
		// Render through the server's own pipeline for exact parity (float formatting differs by width).
		var out struct {
			S string `json:"s"`
		}
		if err := unmarshalStrictString("s: "+s, &out); err != nil {
			return "", false
		}
		return out.S, true
	}
	return "", false
}

// mayResolve is a fast filter: only scalars that start like a number or spell a YAML 1.1
// boolean or null can resolve to something other than the string itself.
func mayResolve(s string) bool {
	if s == "" {
		return true
	}
	switch c := s[0]; {
	case c >= '0' && c <= '9', c == '+', c == '-', c == '.', c == '~':
		// Decimal integers render back unchanged; other characters rule out every YAML 1.1
		// number, so most keys skip the (comparatively slow) YAML parse.
		if s[0] != '0' && strings.Trim(s, "0123456789") == "" || strings.Trim(s, "0123456789abcdefABCDEFxXoObB_.+-:eEinfINFnaNA") != "" {
			return false
		}
		return true
	}
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "true", "false", "on", "off", "null":
		return true
	}
	return false
}
