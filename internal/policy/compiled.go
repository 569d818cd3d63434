// Support file (mirrors no upstream file): one matcher per generation and pattern, compiled once
// and shared by Compile, claim matching, the linter's probes and check's hints.

package policy

import (
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/octo-sts/action/internal/memo"
)

// CompilePattern compiles trust-policy pattern p as generation g does, with the server's error
// when it would refuse it. The matcher is remembered (within a budget) for the whole process: one
// lint run used to compile each pattern three times (the server's check, Compile, the linter's
// probes), and policies in one tree share issuer and claim patterns.
func CompilePattern(g Generation, p string) (*regexp.Regexp, error) {
	if len(p) > maxMemoPattern {
		return compileAnchored(g, p)
	}
	k := memoKey{g, p}
	if r, ok := matchers.Get(k); ok {
		return r.re, r.err
	}
	re, err := compileAnchored(g, p)
	matchers.Put(k, compiledPattern{re, err}, matcherBytes(p))
	return re, err
}

// compiledPattern is one remembered answer of CompilePattern.
type compiledPattern struct {
	re  *regexp.Regexp
	err error
}

// matchers remembers CompilePattern's answers; CheckPattern reads them too.
var matchers = memo.New[memoKey, compiledPattern](8 << 20)

// matcherBytes estimates what a compiled matcher holds: its program grows with the pattern.
func matcherBytes(p string) int { return 1024 + 128*len(p) }

// compileAnchored builds generation g's matcher for p. The leading empty group changes nothing
// about what matches (TestCompilePatternSemantics) but stops regexp from building a one-pass
// matcher, which costs more than the few tokens any policy is matched against (40% of the
// compile). Its error, when p is refused, is the server's: the parse of g.Anchored(p) — or, on a
// current server, of p alone first.
func compileAnchored(g Generation, p string) (*regexp.Regexp, error) {
	if g == Current && anchorsAlike(p) {
		// The current server first compiles p alone; what it then matches is legacy's language.
		if _, err := syntax.Parse(p, syntax.Perl); err != nil {
			return nil, err
		}
		if re, err := CompilePattern(Legacy, p); err == nil {
			return re, nil
		}
	}
	re, err := regexp.Compile("(?:)" + g.Anchored(p))
	if err != nil {
		// The empty group cannot make a parsable expression unparsable: the server's parse
		// fails too, and its error is the one to report.
		if perr := parsePattern(g, p); perr != nil {
			return nil, perr
		}
		return nil, err
	}
	// p alone can fail to parse while ^(?:p)$ parses only when p closes a group it never opened.
	if g == Current && strings.Contains(p, ")") {
		if _, perr := syntax.Parse(p, syntax.Perl); perr != nil {
			return nil, perr
		}
	}
	return re, nil
}

// anchorsAlike reports, from p's text alone, that ^p$ and ^(?:p)$ accept the same strings and
// that ^(?:p)$ compiles whenever p does: no top-level "|" and no flag group (only (?m) reaches
// the added "$", but flags are rare), no \Q (it would swallow the closing group), no counted
// repetition (the one way to approach RE2's size limit) and no nesting near its depth limit. A
// policy's patterns then compile once for both generations.
func anchorsAlike(p string) bool {
	return !strings.Contains(p, `\Q`) && !strings.Contains(p, "{") &&
		strings.Count(p, "(?") == strings.Count(p, "(?:") && strings.Count(p, "(") < 500 &&
		len(SplitTopLevel(p)) == 1
}

// parsePattern is the server's compile check without building a matcher (regexp.Compile's only
// errors are the parser's).
func parsePattern(g Generation, p string) error {
	if g == Current {
		if _, err := syntax.Parse(p, syntax.Perl); err != nil {
			return err
		}
	}
	_, err := syntax.Parse(g.Anchored(p), syntax.Perl)
	return err
}
