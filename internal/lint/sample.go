package lint

import (
	"regexp/syntax"
	"slices"
	"strings"

	"github.com/octo-sts/action/internal/memo"
)

// maxSamples bounds how many example strings samples returns for one pattern.
const maxSamples = 8

// samples returns a few strings that the server's anchored pattern ^src$ matches, built from its
// parse tree (literals kept, classes as one member, repetitions at their minimum, every
// alternative of an alternation). The exposure analysis uses them as the values an identity
// would need; callers re-check each with the compiled pattern, so a wrong guess only loses a
// sample and can never report a false match.
func samples(src string) []string {
	if len(src) > maxProbedPattern {
		return nil
	}
	out, ok := sampleMemo.Get(src)
	if ok {
		return slices.Clone(out)
	}
	re, err := syntax.Parse(src, syntax.Perl)
	if err == nil {
		out = gen(re.Simplify(), 0)
	}
	size := len(src)
	for _, v := range out {
		size += len(v) + 16
	}
	sampleMemo.Put(src, out, size)
	return slices.Clone(out)
}

// sampleMemo remembers samples per pattern: the exposure analysis asks for the same pattern's
// samples several times per file (a profile of 10,000 policies spent 37 % re-parsing them), and
// policies in one tree share patterns.
var sampleMemo = memo.New[string, []string](1 << 20)

func gen(re *syntax.Regexp, depth int) []string {
	if depth > 200 {
		return nil
	}
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		return []string{string(classRune(re.Rune))}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"x"}
	case syntax.OpCapture:
		return gen(re.Sub[0], depth+1)
	case syntax.OpStar, syntax.OpQuest:
		return []string{""}
	case syntax.OpPlus:
		return gen(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		one := gen(re.Sub[0], depth+1)
		if len(one) == 0 {
			return nil
		}
		return []string{strings.Repeat(one[0], min(re.Min, 64))}
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			part := gen(s, depth+1)
			if len(part) == 0 {
				return nil
			}
			var next []string
			for _, a := range out {
				for _, b := range part {
					if len(next) < maxSamples {
						next = append(next, a+b)
					}
				}
			}
			out = next
		}
		return out
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			for _, v := range gen(s, depth+1) {
				if len(out) < maxSamples {
					out = append(out, v)
				}
			}
		}
		return out
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}
	}
	return nil
}

// classRune picks a readable member of a character class: a lower-case letter or digit if the
// class has one, else its first rune.
func classRune(ranges []rune) rune {
	for _, want := range []rune{'x', 'a', '1', '0'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want
			}
		}
	}
	if len(ranges) == 0 {
		return 'x'
	}
	return ranges[0]
}
