package lint

import (
	"slices"
	"strings"
	"testing"
)

func rulesOf(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func TestSuppression(t *testing.T) {
	t.Parallel()
	const base = "issuer: https://token.actions.githubusercontent.com\n"
	o := Options{Repository: "acme/app"}
	cases := []struct {
		name, src string
		ignore    []string
		want      []string // rules left
		note      string   // text some finding must carry
	}{
		{"line", base + "subject_pattern: repo:acme/app:.* # octo-sts: ignore broad-pattern every branch deploys previews\n", nil, nil, ""},
		{"file", "# octo-sts: ignore broad-pattern,unescaped-dot previews\n" + base + "subject_pattern: repo:acme/app:.*\n", nil, nil, ""},
		{"other line", base + "subject_pattern: repo:acme/app:.*\naudience: octo-sts.dev # octo-sts: ignore broad-pattern wrong line\n", nil, []string{"broad-pattern"}, ""},
		{"no reason", base + "subject_pattern: repo:acme/app:.* # octo-sts: ignore broad-pattern\n", nil, []string{"broad-pattern"}, "needs a reason"},
		{"error stays", base + "subject_pattern: repo:[^/]+/app:ref:refs/heads/main # octo-sts: ignore exposed trust me\npermissions:\n  contents: write\n", nil, []string{"exposed"}, "cannot silence an error"},
		{"flag", base + "subject_pattern: repo:[^/]+/app:ref:refs/heads/main\npermissions:\n  contents: write\n", []string{"exposed"}, nil, ""},
	}
	for _, c := range cases {
		o.Ignore = c.ignore
		fs := Bytes(".github/chainguard/p.sts.yaml", []byte(c.src), o)
		if got := rulesOf(fs); !slices.Equal(got, c.want) {
			t.Errorf("%s: rules %v, want %v\n%s", c.name, got, c.want, render(fs))
		}
		if c.note != "" && !slices.ContainsFunc(fs, func(f Finding) bool { return strings.Contains(f.Message, c.note) }) {
			t.Errorf("%s: no finding says %q\n%s", c.name, c.note, render(fs))
		}
	}
}
