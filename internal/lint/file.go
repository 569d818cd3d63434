package lint

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/octo-sts/action/internal/policy"
)

// file is one policy file being linted: its bytes, kind, the server's verdict and the findings so far.
type file struct {
	path     string
	data     []byte
	kind     policy.Kind
	opts     Options
	findings []Finding

	root   *yaml.Node // content of the first document (nil if empty or unparsable by yaml.v3)
	topEs  []entry    // root's key/value pairs, computed once
	topOK  bool
	extra  []*yaml.Node // later documents, ignored by the server
	v3err  error
	srvErr error // the server's decode error, nil when it decodes

	tp *policy.TrustPolicy // repo policy, or the embedded policy of an org policy
	// byGen holds tp compiled per selected generation (nil until compiled(); empty if one fails).
	byGen   map[policy.Generation]*policy.TrustPolicy
	evalTPs []*policy.TrustPolicy // the distinct compiled policies admits() must ask
	pm      map[string]string     // decoded permissions, name → level
	org     *policy.OrgTrustPolicy
	iss     *policy.OrgTrustedIssuers

	claims *claimIdx // claim_pattern keys → nodes, built on first use
	sfx    []string  // subject tails the exposure analysis tries, built on first use
}

func newFile(p string, data []byte, kind policy.Kind, o Options) *file {
	return &file{path: p, data: data, kind: kind, opts: o}
}

func (f *file) run() {
	f.checkPlacement()
	f.parseNodes()
	if expanded, parsed, bomb := aliasBomb(f.root); bomb {
		f.add("yaml-alias-bomb", f.docStart(), "aliases expand this document's %d YAML nodes to more than %d; lint stops here, and the server's YAML decoder would expand them too and fall over. Write the values out instead of using anchors", parsed, expanded-1)
		return
	}
	f.decode()
	w := &walker{f: f}
	w.walkTop()
	f.checkDocuments()
	if f.srvErr != nil {
		f.explainDecodeError(w)
		f.compileLenient()
		return
	}
	f.decodeOthers()
	if f.iss != nil {
		f.compileIssuers()
	} else if f.compilePolicy() {
		f.semantics()
	}
	f.checkSchema()
}

// parseNodes reads every YAML document with yaml.v3 for positions; only the first counts.
func (f *file) parseNodes() {
	data := shortComments(f.data)
	if oneDocument(data) {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			f.v3err = err
		} else if len(doc.Content) > 0 {
			f.root = doc.Content[0]
		}
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	first := true
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			if first {
				f.v3err = err
			} else {
				f.extra = append(f.extra, &yaml.Node{Kind: yaml.DocumentNode, Line: lineOf(err)})
			}
			return
		}
		var content *yaml.Node
		if len(doc.Content) > 0 {
			content = doc.Content[0]
		}
		if first {
			f.root = content
			first = false
		} else {
			d := doc
			f.extra = append(f.extra, &d)
		}
	}
}

// oneDocument reports that data cannot hold a second YAML document: that takes a "---" or "..."
// marker. Such a file (nearly every policy) is parsed without the stream decoder's reader and
// buffers; the parse is the same.
func oneDocument(data []byte) bool {
	return !bytes.Contains(data, []byte("---")) && !bytes.Contains(data, []byte("..."))
}

var lineRE = regexp.MustCompile(`line (\d+)`)

// lineOf extracts "line N" from a YAML error message (neither YAML library reports columns).
func lineOf(err error) int {
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 1
}

// decode runs the server's own strict decoder for the file's kind, as the primary generation.
func (f *file) decode() {
	if f.kind == policy.KindIssuers {
		f.iss, f.srvErr = policy.DecodeIssuers(f.data)
		return
	}
	f.tp, f.org, f.srvErr = policy.Decode(f.opts.primary(), f.kind, f.data)
}

// decodeOthers reports a file the primary generation decodes but another selected one refuses:
// today only legacy, which knows neither app nor app_pattern (nor their org-policy coercion).
func (f *file) decodeOthers() {
	if f.kind == policy.KindIssuers {
		return
	}
	if f.root != nil && !slices.ContainsFunc(f.top(), isAppKey) {
		return // without app keys the two decoders are the same shape (tested by FuzzDecode)
	}
	for _, g := range f.opts.gens() {
		if g == f.opts.primary() {
			continue
		}
		_, _, err := policy.Decode(g, f.kind, f.data)
		if err == nil {
			continue
		}
		k, _ := f.field("app")
		if k == nil {
			k, _ = f.field("app_pattern")
		}
		rule := RuleWrongType
		if unknownRE.MatchString(err.Error()) {
			rule = RuleUnknownKey
		}
		f.add(rule, k, "a %s server refuses this file (%s): app and app_pattern exist only on current servers (octo-sts/app#1635), so every exchange with a %s server fails with 404; remove the pin, or lint with --server current if every server you use is current",
			g, serverMessage(err), g)
	}
}

// serverMessage trims sigs.k8s.io/yaml's wrapping so messages quote what matters.
func serverMessage(err error) string {
	s := err.Error()
	for _, p := range []string{"error converting YAML to JSON: ", "error unmarshaling JSON: while decoding JSON: "} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.Join(strings.Fields(s), " ")
}

// docStart is where "the whole file" findings go: the first key, or line 1.
func (f *file) docStart() *node {
	if f.root != nil {
		if f.root.Kind == yaml.MappingNode && len(f.root.Content) > 0 {
			return &node{f.root.Content[0]}
		}
		return &node{f.root}
	}
	return nil
}

var docMarkerRE = regexp.MustCompile(`(?m)^(---|\.\.\.)(?:[ \t].*)?$`)

// checkDocuments warns when anything follows the first document: the server ignores it.
func (f *file) checkDocuments() {
	if len(f.extra) == 0 {
		return
	}
	// The marker that ends the first document: skip a leading "---" before any content.
	line := 0
	seenContent := false
	for i, l := range strings.Split(string(f.data), "\n") {
		t := strings.TrimSpace(l)
		if docMarkerRE.MatchString(l) {
			if seenContent {
				line = i + 1
				break
			}
			continue
		}
		if t != "" && !strings.HasPrefix(t, "#") {
			seenContent = true
		}
	}
	if line == 0 {
		line = max(f.extra[0].Line, 1)
	}
	f.add("multi-document", f.lineNode(line), "the server reads only the first YAML document; everything from line %d on is ignored. Move it to its own file", line)
}

// anchored is a trust-policy pattern's matcher as the legacy server anchors it (policy.Legacy,
// the looser of the two for a top-level "|"), for matching the advisory probes: the model's own,
// compiled once for the server's check, Compile and every probe.
func anchored(src string) (*regexp.Regexp, error) {
	return policy.CompilePattern(policy.Legacy, src)
}

// compileCanFail reports whether Compile() could refuse what a lenient decode of the file gives,
// so the second decode runs only when it can find something: Compile refuses only a pattern, or
// an issuer or subject missing or empty. Keys are mapped to fields as the decoder maps them
// (canonical), every one of them, since the last of two spellings wins.
func (f *file) compileCanFail() bool {
	if f.root == nil {
		return true
	}
	known := policy.Fields(f.opts.primary(), f.kind)
	set := map[string]bool{}
	for _, e := range f.top() {
		switch name, _ := canonical(e.key.Value, known); {
		case strings.HasSuffix(name, "_pattern"):
			return true
		case name == "issuer" || name == "subject":
			if v := resolve(e.val); v == nil || v.Kind != yaml.ScalarNode || v.Value == "" || v.Tag == "!!null" {
				return true
			}
			set[name] = true
		}
	}
	return !set["issuer"] || !set["subject"]
}

// compileLenient reports Compile() problems too when the only decode failure is an unknown key,
// so one lint run lists every fix; the file is rejected either way.
func (f *file) compileLenient() {
	if f.kind == policy.KindIssuers || !unknownRE.MatchString(f.srvErr.Error()) || !f.compileCanFail() {
		return
	}
	var otp policy.OrgTrustPolicy
	target := any(&otp)
	if f.kind == policy.KindRepo {
		target = &otp.TrustPolicy
	}
	if err := sigsyaml.Unmarshal(f.data, target); err != nil {
		return
	}
	f.tp = &otp.TrustPolicy
	f.compilePolicy()
}

// top returns the first document's top-level entries, computed once per file.
func (f *file) top() []entry {
	if !f.topOK {
		f.topEs, f.topOK = entries(f.root), true
	}
	return f.topEs
}

// isAppKey reports a top-level key the decoder maps to app or app_pattern (case-insensitively).
func isAppKey(e entry) bool {
	return strings.EqualFold(e.key.Value, "app") || strings.EqualFold(e.key.Value, "app_pattern")
}
