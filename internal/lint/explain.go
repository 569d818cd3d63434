package lint

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/octo-sts/action/internal/policy"
)

var (
	dupRE     = regexp.MustCompile(`line (\d+): key (.+?) already set in map`)
	unknownRE = regexp.MustCompile(`unknown field "(.*)"`)
	typeRE    = regexp.MustCompile(`cannot unmarshal (\w+) into Go (?:struct field ([\w.]+)|value) of type ([\w.\[\]]+)`)
)

// explainDecodeError turns the server's decode failure into one or more located errors. The
// verdict always comes from the server's decoder; the walk only adds positions and suggestions.
func (f *file) explainDecodeError(w *walker) {
	msg := serverMessage(f.srvErr)
	switch {
	case strings.Contains(msg, "already set in map"):
		ms := dupRE.FindAllStringSubmatch(f.srvErr.Error(), -1)
		if len(ms) == 0 {
			f.add("duplicate-key", f.docStart(), "the server rejects the file: %s", msg)
		}
		for _, m := range ms {
			line := atoi(m[1])
			key := strings.Trim(m[2], `"`)
			f.add("duplicate-key", f.keyOnLine(line, key), "key %s is set twice in the same mapping (the server rejects the file: %q already set); keep one", describeKey(m[2]), key)
		}
	case unknownRE.MatchString(msg):
		if len(w.unknown) == 0 {
			f.add("unknown-key", f.docStart(), "the server rejects the file: %s", msg)
			return
		}
		for _, e := range w.unknown {
			f.reportUnknown(e)
		}
	case typeRE.MatchString(msg):
		f.explainType(typeRE.FindStringSubmatch(msg), msg)
	case strings.HasPrefix(msg, "yaml: "):
		line := lineOf(f.srvErr)
		if at, col, hint := syntaxHint(f.data, line, msg); hint != "" && at != line {
			// The finding points at the cause; the parser's words name the later line it gave up on.
			f.add("yaml-syntax", f.syntaxNode(at, col), "%s; the YAML parser reports it as %s (the server cannot parse the file and answers every exchange with 404)", hint, strings.TrimPrefix(msg, "yaml: "))
		} else if hint != "" {
			f.add("yaml-syntax", f.syntaxNode(at, col), "%s; likely fix: %s (the server cannot parse the file and answers every exchange with 404)", strings.TrimPrefix(msg, "yaml: "), hint)
		} else {
			f.add("yaml-syntax", f.lineNode(line), "%s (the server cannot parse the file and answers every exchange with 404)", strings.TrimPrefix(msg, "yaml: "))
		}
	default:
		f.add("yaml-syntax", f.docStart(), "the server cannot decode the file: %s", msg)
	}
}

func describeKey(k string) string {
	if strings.HasPrefix(k, `"`) {
		return k
	}
	return k + " (an unquoted YAML 1.1 value: y/yes/on become true, n/no/off become false)"
}

func (f *file) reportUnknown(e entry) {
	k := e.key.Value
	if e.canon == "permissions" {
		if s := suggest(k, policy.PermissionNames); s != "" {
			f.add("unknown-key", &node{e.key}, "unknown permission %q: did you mean %q? (the server rejects the whole file)", k, s)
		} else {
			f.add("unknown-key", &node{e.key}, "unknown permission %q; permission names are go-github's snake_case names such as contents, issues, pull_requests (the server rejects the whole file)", k)
		}
		return
	}
	if strings.EqualFold(k, "repositories") && f.kind == policy.KindRepo {
		if f.opts.Repository == "" {
			// Unsure which repository this is: "remove it" would give an org policy's token
			// every repository, so ask for the repository instead.
			f.add("repositories-not-allowed", &node{e.key}, "`repositories` is only accepted in org policies in the org policy repository (%s), and lint does not know which repository this is (no GITHUB_REPOSITORY, git remote or --repository). If this is <org>/%s, lint with --repository <org>/%s; otherwise remove it, a repository policy always scopes the token to its own repository", f.opts.orgPolicyRepo(), f.opts.orgPolicyRepo(), f.opts.orgPolicyRepo())
		} else {
			f.add("repositories-not-allowed", &node{e.key}, "`repositories` is only accepted in org policies in the org policy repository (%s); %s is not it, so remove it here: a repository policy always scopes the token to its own repository", f.opts.orgPolicyRepo(), f.opts.Repository)
		}
		return
	}
	known := (&walker{f: f}).topFields()
	if s := suggest(k, known); s != "" {
		f.add("unknown-key", &node{e.key}, "unknown key %q: did you mean %q? (the server rejects the whole file)", k, s)
		return
	}
	f.add("unknown-key", &node{e.key}, "unknown key %q; a %s accepts only %s (the server rejects the whole file)", k, kindName(f.kind), strings.Join(known, ", "))
}

func kindName(k policy.Kind) string {
	switch k {
	case policy.KindOrg:
		return "org trust policy"
	case policy.KindIssuers:
		return "trusted-issuers allowlist"
	}
	return "repository trust policy"
}

// suggest finds the known name closest to k: same letters after normalising case, hyphens and
// camelCase, or within a small edit distance.
func suggest(k string, known []string) string {
	norm := normalise(k)
	for _, n := range known {
		if n == norm || normalise(n) == norm {
			return n
		}
	}
	best, bestD := "", 3
	for _, n := range known {
		if d := editDistance(norm, n); d < bestD || (d == bestD && best == "") && d <= 2 {
			best, bestD = n, d
		}
	}
	if bestD <= 2 || (bestD <= 3 && len(norm) > 8) {
		return best
	}
	return ""
}

func normalise(k string) string {
	if normal(k) {
		return k // the server's names are already lower snake case: no copy
	}
	var b strings.Builder
	for i, r := range k {
		switch {
		case r >= 'A' && r <= 'Z':
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r + 'a' - 'A')
		case r == '-' || r == ' ' || r == '.':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(b.String(), "__", "_")
}

// normal reports whether normalise would return k unchanged: lower case, digits and single
// underscores only.
func normal(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') || c == '_' && i > 0 && k[i-1] == '_' {
			return false
		}
	}
	return true
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// explainType locates "cannot unmarshal X into Go struct field T.a.b of type Y".
func (f *file) explainType(m []string, msg string) {
	got, fieldPath, want := m[1], m[2], m[3]
	var parts []string
	for _, p := range strings.Split(fieldPath, ".") {
		if p != "" && !(p[0] >= 'A' && p[0] <= 'Z') {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		f.add("wrong-type", f.rootNode(), "the file must be a YAML mapping of %s fields, but it is %s", kindName(f.kind), jsonKind(got))
		return
	}
	n := f.locate(parts, got)
	field := strings.Join(parts, ".")
	switch {
	case (got == "bool" || got == "number") && want == "string":
		f.add("wrong-type", n, "%s: this unquoted value is a YAML %s; %s are decoded without the string conversion repository policies get, so the server rejects the file. Quote it", field, got, kindPlural(f.kind))
	case want == "string" && parts[0] == "claim_pattern":
		f.add("wrong-type", n, "each claim_pattern value must be a string (a regular expression), but this one is %s (the server rejects the file)", jsonKind(got))
	case want == "string":
		f.add("wrong-type", n, "%s must be a string, but it is %s (the server rejects the file)", field, jsonKind(got))
	case strings.HasPrefix(want, "[]"):
		f.add("wrong-type", n, "%s must be a list of strings, e.g. [%s], but it is %s (the server rejects the file)", field, "app", jsonKind(got))
	case field == "permissions":
		f.add("wrong-type", n, "permissions must be a map of permission names to levels, e.g. `contents: read`, but it is %s (the server rejects the file)", jsonKind(got))
	default:
		f.add("wrong-type", n, "%s must be a map of names to strings, but it is %s (the server rejects the file)", field, jsonKind(got))
	}
	_ = msg
}

func kindPlural(k policy.Kind) string {
	if k == policy.KindIssuers {
		return "allowlist values"
	}
	return "org policies (the policy repository)"
}

func jsonKind(k string) string {
	switch k {
	case "object":
		return "a map"
	case "array":
		return "a list"
	case "number":
		return "a number"
	case "bool":
		return "a boolean"
	}
	return "a " + k
}

// locate finds the node for a decoded field path like ["permissions","contents"] or
// ["claim_pattern"] (map keys are not in Go's message: pick the first value of the offending shape).
func (f *file) locate(parts []string, got string) *node {
	cur := f.root
	var last *yaml.Node
	for i, p := range parts {
		var hit *entry
		known := (&walker{f: f}).topFields()
		if i > 0 && parts[0] == "permissions" {
			known = policy.PermissionNames
		}
		for _, e := range entries(cur) {
			if n, _ := canonical(e.key.Value, known); n == p {
				e := e
				hit = &e
			}
		}
		if hit == nil {
			break
		}
		last, cur = hit.val, hit.val
		if last == nil {
			last = hit.key
		}
	}
	if last == nil {
		return f.docStart()
	}
	if last.Kind == yaml.MappingNode && (parts[len(parts)-1] == "claim_pattern" || parts[len(parts)-1] == "permissions") && got != "object" {
		for _, e := range entries(last) {
			if shapeIs(e.val, got) {
				return &node{e.val}
			}
		}
	}
	if last.Kind == yaml.SequenceNode {
		for _, it := range last.Content {
			if shapeIs(resolve(it), got) {
				return &node{it}
			}
		}
	}
	return &node{last}
}

func shapeIs(n *yaml.Node, got string) bool {
	if n == nil {
		return false
	}
	switch got {
	case "object":
		return n.Kind == yaml.MappingNode
	case "array":
		return n.Kind == yaml.SequenceNode
	case "bool", "number":
		if n.Kind != yaml.ScalarNode || n.Style != 0 {
			return false
		}
		s, ok := yaml11String(n.Value)
		return ok && s != n.Value || slices.Contains([]string{"true", "false"}, n.Value) && got == "bool"
	}
	return n.Kind == yaml.ScalarNode
}

func (f *file) rootNode() *node {
	if f.root != nil {
		return &node{f.root}
	}
	return nil
}

// lineNode points at column 1 of a line (YAML syntax errors carry no column).
func (f *file) lineNode(line int) *node {
	return &node{&yaml.Node{Kind: yaml.DocumentNode, Line: max(line, 1), Column: 1}}
}

// keyOnLine finds a mapping key on the given line whose YAML 1.1 value is key (the later one).
func (f *file) keyOnLine(line int, key string) *node {
	var hit *yaml.Node
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Line == line {
					if s, ok := yaml11String(k.Value); k.Value == key || ok && s == key {
						hit = k
					}
				}
			}
		}
		for _, c := range n.Content {
			visit(c)
		}
	}
	visit(f.root)
	if hit == nil {
		return f.lineNode(line)
	}
	return &node{hit}
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

var _ = fmt.Sprintf
