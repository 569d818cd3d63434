// Package lint checks Octo STS policy files against our JSON schemas and every rule the server
// applies, and reports findings with exact positions so they land on the right pull-request line.
package lint

import (
	"cmp"
	"slices"
)

// Severity orders findings for --fail-on and maps to annotation levels.
type Severity string

// The three levels, from most to least serious.
const (
	SevError   Severity = "error"   // the server (or GitHub at mint time) will refuse this policy
	SevWarning Severity = "warning" // accepted, but insecure or not doing what it seems to
	SevNotice  Severity = "notice"  // accepted and harmless, worth knowing
)

// Rank makes severities comparable: higher is more serious.
func (s Severity) Rank() int {
	switch s {
	case SevError:
		return 3
	case SevWarning:
		return 2
	case SevNotice:
		return 1
	}
	return 0
}

// Finding is one problem at one place; positions are 1-based lines and columns (columns count characters).
type Finding struct {
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	EndLine   int      `json:"end_line"`
	EndColumn int      `json:"end_column"`
	Rule      string   `json:"rule"`
	Severity  Severity `json:"severity"`
	Class     Class    `json:"class"`
	Message   string   `json:"message"`
}

// Refuses reports whether the finding means the server refuses the file: an error of the refused
// class (an exposed policy is accepted by the server, which is the problem; an unmintable one is
// accepted too, and GitHub refuses the token).
func (f Finding) Refuses() bool { return f.Severity == SevError && f.Class == ClassRefused }

// Unmintable reports an error GitHub's token API certainly refuses: every exchange ends in 403.
func (f Finding) Unmintable() bool { return f.Severity == SevError && f.Class == ClassUnmintable }

// Sort orders findings by file, position, rule and message and drops exact duplicates, so output is
// stable across runs whatever order rules ran in.
func Sort(fs []Finding) []Finding {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
			cmp.Compare(a.EndLine, b.EndLine),
			cmp.Compare(a.EndColumn, b.EndColumn),
		)
	})
	return slices.Compact(fs)
}
