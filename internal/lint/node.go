package lint

import (
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// node wraps a yaml.v3 node so findings can span a key or a scalar value precisely.
type node struct {
	*yaml.Node
}

// span returns start and end positions; a scalar's end is its start plus its rendered width on one
// line (multi-line scalars end at the end of the first line).
func (n *node) span() (line, col, eline, ecol int) {
	if n == nil || n.Node == nil {
		return 1, 1, 1, 1
	}
	line, col = max(n.Line, 1), max(n.Column, 1)
	eline = line
	if n.Kind == yaml.ScalarNode {
		w := utf8.RuneCountInString(n.Value)
		switch n.Style {
		case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
			w += 2
		case yaml.LiteralStyle, yaml.FoldedStyle:
			w = 1
		}
		for i, r := range n.Value {
			if r == '\n' {
				w = utf8.RuneCountInString(n.Value[:i])
				break
			}
		}
		ecol = col + max(w, 1)
	} else {
		ecol = col + 1
	}
	return line, col, eline, ecol
}

// resolve follows aliases so rules see the aliased content.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}
