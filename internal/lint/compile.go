package lint

import (
	"errors"
	"fmt"
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

// problemKey identifies one Compile() problem across generations.
type problemKey struct {
	code       policy.Code
	field, key string
}

// compilePolicy reports every Compile() failure of a decoded trust policy under each selected
// generation, once per problem, saying which generation refuses when they differ; true when every
// generation compiles it.
func (f *file) compilePolicy() bool {
	gens := f.opts.gens()
	var order []problemKey
	first := map[problemKey]policy.Problem{}
	by := map[problemKey][]policy.Generation{}
	for _, g := range gens {
		for _, p := range f.tp.ProblemsFor(g) {
			k := problemKey{p.Code, p.Field, p.Key}
			if _, seen := first[k]; !seen {
				first[k] = p
				order = append(order, k)
			}
			by[k] = append(by[k], g)
		}
	}
	for _, k := range order {
		note := ""
		if k.code != policy.CodeAppBoth && k.code != policy.CodeAppPatternInvalid { // legacy's refusal of app is its own finding
			note = generationNote(by[k], gens)
		}
		f.reportProblem(first[k], note)
	}
	return len(order) == 0
}

// generationNote says which generation refuses when not all selected ones do.
func generationNote(refusing, selected []policy.Generation) string {
	if len(refusing) == len(selected) || len(refusing) != 1 {
		return ""
	}
	if refusing[0] == policy.Current {
		return " (only a current server refuses this: since octo-sts/app#1643 it compiles each pattern on its own before ^(?:…)$; a legacy server accepts it as ^…$, where it does not mean what it seems)"
	}
	return " (only a legacy server refuses this)"
}

// unusablePattern says which one to keep when the pattern of a both-set pair would not compile
// either: the server stops at the pair, so the pattern's own error would only surface next.
func (f *file) unusablePattern(code policy.Code, exact string) string {
	src := map[policy.Code]string{policy.CodeIssuerBoth: f.tp.IssuerPattern, policy.CodeSubjectBoth: f.tp.SubjectPattern,
		policy.CodeAudienceBoth: f.tp.AudiencePattern, policy.CodeAppBoth: f.tp.AppPattern}[code]
	for _, g := range f.opts.gens() {
		if err := policy.CheckPattern(g, src); err != nil {
			return fmt.Sprintf("; %s_pattern would not compile either (%v), so keep %s", exact, err, exact)
		}
	}
	return ""
}

func (f *file) reportProblem(p policy.Problem, note string) {
	rule := ruleForCode(p.Code)
	switch p.Code {
	case policy.CodeIssuerBoth, policy.CodeSubjectBoth, policy.CodeAudienceBoth, policy.CodeAppBoth:
		k, _ := f.field(p.Field)
		exact := strings.TrimSuffix(p.Field, "_pattern")
		f.add(rule, k, "both %s and %s are set; keep exactly one (%s)%s%s%s", exact, p.Field, p.Msg, f.unusablePattern(p.Code, exact), note, notCaught)
	case policy.CodeIssuerNeither, policy.CodeSubjectNeither:
		f.add(rule, f.docStart(), "neither %s nor %s_pattern is set; add exactly one (%s)%s%s", p.Field, p.Field, p.Msg, note, notCaught)
	default:
		n := f.claimNode(p.Key)
		what := "claim_pattern[" + strconv.Quote(p.Key) + "]"
		if p.Field != "claim_pattern" {
			_, n = f.field(p.Field)
			what = p.Field
		}
		f.add(rule, n, "%s does not compile under Go RE2: %s%s%s%s", what, re2Error(p.Err), re2Hint(p.Err), note, notCaught)
	}
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
		return "; parentheses must balance within the pattern itself (a legacy server adds ^ and $ without a group, a current one compiles the pattern alone first)"
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
		switch rule := ruleForCode(p.Code); p.Code {
		case policy.CodeAllowlistEmpty:
			f.add(rule, f.docStart(), "%s; delete the file to allow every issuer instead", p.Msg)
		case policy.CodeAllowlistPatternInvalid:
			f.add(rule, n, "%s%s", p.Msg, re2Hint(p.Err))
		default:
			f.add(rule, n, "%s", p.Msg)
		}
	}
}
