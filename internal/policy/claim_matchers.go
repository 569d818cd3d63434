// Support file (mirrors no upstream file): how the model holds claim_pattern's compiled matchers.

package policy

import (
	"regexp"
	"slices"
	"sync"
)

// claimMatchers holds a compiled policy's claim_pattern expressions. The server compiles every
// value in Compile(); the model has already parsed each one there (Problems: regexp.Compile's only
// errors are the parser's), so it compiles a value only when a token is matched against it, and
// once per distinct value. Verdicts are the same; a hostile 1 MB file with 70,000 distinct values
// no longer holds 70,000 automata per generation, and CheckToken, which stops at the first
// failure, does not pay for the rest.
type claimMatchers struct {
	gen    Generation
	source map[string]string // key → pattern as written
	keys   []string          // sorted once: CheckToken runs per candidate identity in the linter

	mu       sync.Mutex
	compiled map[string]*regexp.Regexp // pattern as written → its anchored matcher
}

func newClaimMatchers(g Generation, source map[string]string) *claimMatchers {
	keys := make([]string, 0, len(source))
	for k := range source {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return &claimMatchers{gen: g, source: source, keys: keys, compiled: map[string]*regexp.Regexp{}}
}

// expression is the expression the server compiles for key k (what its 403 message quotes).
func (m *claimMatchers) expression(k string) string { return m.gen.Anchored(m.source[k]) }

// match reports whether claim value v satisfies key k's pattern.
func (m *claimMatchers) match(k, v string) bool {
	p := m.source[k]
	m.mu.Lock()
	re, ok := m.compiled[p]
	if !ok {
		re, _ = CompilePattern(m.gen, p) // parsed in Problems: "" compiles too, matching only ""
		m.compiled[p] = re
	}
	m.mu.Unlock()
	return re.MatchString(v)
}
