package lint

import (
	"errors"
	"regexp/syntax"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/octo-sts/action/internal/policy"
)

// field returns the key and value nodes of a canonical top-level field (case-insensitive, exact
// spelling preferred), so findings point where the author wrote it.
func (f *file) field(name string) (key, val *node) {
	var hk, hv *yaml.Node
	for _, e := range f.top() {
		if e.key.Value == name {
			return &node{e.key}, &node{orKey(e)}
		}
		if hk == nil && strings.EqualFold(e.key.Value, name) {
			hk, hv = e.key, orKey(e)
		}
	}
	if hk == nil {
		return nil, nil
	}
	return &node{hk}, &node{hv}
}

func orKey(e entry) *yaml.Node {
	if e.val == nil || e.val.Kind == 0 {
		return e.key
	}
	return e.val
}

// claimNode finds the value node of a claim_pattern entry by its decoded key.
func (f *file) claimNode(key string) *node {
	idx := f.claimIndex()
	if idx.field == nil {
		return nil
	}
	if n, ok := idx.byDecoded[key]; ok {
		return n
	}
	return idx.field
}

// claimIdx maps claim_pattern keys to their nodes, built once per file: looking each key up by
// scanning the mapping made a file with 100k claims quadratic (about 40 minutes).
type claimIdx struct {
	field     *node
	byDecoded map[string]*node // decoded key (YAML 1.1 resolved) → value node (first wins)
	byRaw     map[string]*node // key as written → key node (first wins)
}

func (f *file) claimIndex() *claimIdx {
	if f.claims != nil {
		return f.claims
	}
	idx := &claimIdx{byDecoded: map[string]*node{}, byRaw: map[string]*node{}}
	f.claims = idx
	_, cp := f.field("claim_pattern")
	if cp == nil {
		return idx
	}
	idx.field = cp
	for _, e := range entries(cp.Node) {
		k := e.key.Value
		if _, ok := idx.byRaw[k]; !ok {
			idx.byRaw[k] = &node{e.key}
		}
		if s, ok := yaml11String(k); ok && e.key.Style == 0 {
			k = s
		}
		if _, ok := idx.byDecoded[k]; !ok {
			idx.byDecoded[k] = &node{orKey(e)}
		}
	}
	return idx
}

// compilePolicy reports every Compile() failure of a decoded trust policy; true when it compiles.
func (f *file) compilePolicy() bool {
	problems := f.tp.ProblemsWith(policy.CheckAnchored)
	for _, p := range problems {
		switch {
		case strings.Contains(p.Msg, "got both"):
			rule := p.Field[:strings.IndexByte(p.Field, '_')] + "-one-of"
			k, _ := f.field(p.Field)
			f.add(rule, k, "both %s and %s are set; keep exactly one (%s)%s", strings.TrimSuffix(p.Field, "_pattern"), p.Field, p.Msg, notCaught)
		case strings.Contains(p.Msg, "got neither"):
			f.add(p.Field+"-one-of", f.docStart(), "neither %s nor %s_pattern is set; add exactly one (%s)%s", p.Field, p.Field, p.Msg, notCaught)
		default:
			n := f.claimNode(p.Key)
			what := "claim_pattern[" + strconv.Quote(p.Key) + "]"
			if p.Field != "claim_pattern" {
				_, n = f.field(p.Field)
				what = p.Field
			}
			f.add("invalid-regex", n, "%s does not compile as ^…$ under Go RE2: %s%s%s", what, re2Error(p.Err), re2Hint(p.Err), notCaught)
		}
	}
	return len(problems) == 0
}

// notCaught reminds that the server's "Trust Policy Validation" check run only strict-parses, so
// Compile failures pass it and then fail every exchange.
const notCaught = "; the server's check run does not catch this, every exchange fails with 404"

// re2Error strips Go's "error parsing regexp: " prefix.
func re2Error(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

// re2Hint names the non-RE2 construct (look-around, back-references, possessive quantifiers …).
func re2Hint(err error) string {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return ""
	}
	e := se.Expr
	switch {
	case strings.HasPrefix(e, "(?="), strings.HasPrefix(e, "(?!"):
		return "; look-ahead is not supported by RE2: list the allowed values instead, e.g. (main|release-.+)"
	case strings.HasPrefix(e, "(?<=") || strings.HasPrefix(e, "(?<!"):
		return "; look-behind is not supported by RE2"
	case strings.HasPrefix(e, "(?>"):
		return "; atomic groups are not supported by RE2"
	case se.Code == syntax.ErrInvalidEscape && len(e) == 2 && e[1] >= '1' && e[1] <= '9':
		return "; back-references are not supported by RE2"
	case se.Code == syntax.ErrInvalidRepeatOp && (strings.HasSuffix(e, "++") || strings.HasSuffix(e, "*+") || strings.HasSuffix(e, "?+")):
		return "; possessive quantifiers are not supported by RE2"
	case se.Code == syntax.ErrMissingParen || se.Code == syntax.ErrUnexpectedParen:
		return "; the server adds ^ and $ around the pattern without a group, so parentheses must balance within it"
	case se.Code == syntax.ErrMissingRepeatArgument:
		return "; a quantifier needs something before it (write .* rather than *)"
	}
	return ""
}

// compileIssuers reports every allowlist Compile() failure at its entry.
func (f *file) compileIssuers() {
	for _, p := range f.iss.Problems() {
		_, n := f.field(p.Field)
		if p.Key != "" && n != nil && n.Kind == yaml.SequenceNode {
			if i, err := strconv.Atoi(p.Key); err == nil && i < len(n.Content) {
				n = &node{n.Content[i]}
			}
		}
		switch {
		case p.Field == "mode":
			f.add("allowlist-mode", n, "%s", p.Msg)
		case strings.HasPrefix(p.Msg, "must list"):
			f.add("allowlist-empty", f.docStart(), "%s; delete the file to allow every issuer instead", p.Msg)
		case strings.HasPrefix(p.Msg, "too many"):
			f.add("allowlist-too-many", n, "%s", p.Msg)
		case p.Field == "issuers":
			f.add("allowlist-issuer", n, "%s", p.Msg)
		case strings.Contains(p.Msg, "too long"):
			f.add("allowlist-pattern-too-long", n, "%s", p.Msg)
		case strings.Contains(p.Msg, "span past the host"):
			f.add("allowlist-pattern-span", n, "%s", p.Msg)
		default:
			f.add("allowlist-pattern-invalid", n, "%s%s", p.Msg, re2Hint(p.Err))
		}
	}
	_ = policy.KindIssuers
}
