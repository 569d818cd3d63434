package lint

import (
	"github.com/octo-sts-action/octo-sts/internal/policy"
)

// file is one policy file being linted: its bytes, kind, the server's verdict and the findings so far.
type file struct {
	path     string
	data     []byte
	kind     policy.Kind
	opts     Options
	findings []Finding
}

func newFile(p string, data []byte, kind policy.Kind, o Options) *file {
	return &file{path: p, data: data, kind: kind, opts: o}
}

func (f *file) run() {
	if err := policy.Accepts(f.kind, f.data); err != nil {
		f.add("yaml-syntax", nil, "%s", err)
	}
}
