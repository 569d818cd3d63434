package lint

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// directiveRE is a suppression comment: `# octo-sts: ignore RULE[,RULE] reason`.
var directiveRE = regexp.MustCompile(`(?:^|\s)#\s*octo-sts:\s*ignore\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)(?:\s+(\S.*))?$`)

// directive is one suppression comment: rules it names, and the line it covers (0: the whole file).
type directive struct {
	rules  []string
	line   int // the line it covers, 0 for the whole file
	at     int // the comment's own line
	reason string
}

// directives reads suppression comments. A comment on a line of its own covers the whole file; a
// comment after a value covers that line.
func directives(data []byte) []directive {
	if !bytes.Contains(data, []byte("octo-sts:")) { // no copy of the file for the common case
		return nil
	}
	var out []directive
	for i, l := range strings.Split(string(data), "\n") {
		m := directiveRE.FindStringSubmatch(strings.TrimRight(l, "\r"))
		if m == nil {
			continue
		}
		d := directive{line: i + 1, at: i + 1, reason: strings.TrimSpace(m[2])}
		for _, r := range strings.Split(m[1], ",") {
			d.rules = append(d.rules, strings.TrimSpace(r))
		}
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			d.line = 0
		}
		out = append(out, d)
	}
	return out
}

// suppress drops findings the user chose to ignore: --ignore (Options.Ignore, set in the workflow
// or command line a reviewer sees) drops any rule; a comment in the policy file drops warnings and
// notices only, since the file is what a pull request changes and an error there (the server
// refuses it, or strangers get write tokens) must not be silenced by the change under review.
// A comment without a reason is ignored and says so.
func suppress(fs []Finding, data []byte, ignore []string) []Finding {
	if len(fs) == 0 {
		return fs
	}
	ds := directives(data)
	if len(ds) == 0 && len(ignore) == 0 {
		return fs
	}
	var out []Finding
	for _, f := range fs {
		if slices.Contains(ignore, f.Rule) {
			continue
		}
		if d, ok := covering(ds, f); ok {
			switch {
			case d.reason == "":
				f.Message += " (the ignore comment needs a reason: # octo-sts: ignore " + f.Rule + " <why>)"
			case f.Severity == SevError:
				f.Message += fmt.Sprintf(" (the ignore comment on line %d cannot silence an error; fix it, or pass --ignore %s where the lint job runs)", d.at, f.Rule)
			default:
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

func covering(ds []directive, f Finding) (directive, bool) {
	for _, d := range ds {
		if (d.line == 0 || d.line == f.Line) && slices.Contains(d.rules, f.Rule) {
			return d, true
		}
	}
	return directive{}, false
}
