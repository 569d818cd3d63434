package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// v3Docs is what parseNodes gets from yaml.v3: every document's tree (comments left out, since
// lint never reads them) and the error that ends the stream, as text.
func v3Docs(data []byte) string {
	var b strings.Builder
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return b.String()
		}
		if err != nil {
			return b.String() + "error: " + err.Error()
		}
		writeNode(&b, &doc, 0)
	}
}

func writeNode(b *strings.Builder, n *yaml.Node, depth int) {
	if depth > 50 {
		return
	}
	fmt.Fprintf(b, "%*s%d %q %q %q %d:%d a=%q\n", depth, "", n.Kind, n.Tag, n.Value, n.Anchor, n.Line, n.Column, fmt.Sprint(n.Style))
	if n.Alias != nil {
		fmt.Fprintf(b, "%*salias %d:%d\n", depth, "", n.Alias.Line, n.Alias.Column)
	}
	for _, c := range n.Content {
		writeNode(b, c, depth+1)
	}
}

var commentSeeds = []string{
	"# licence\n# more\nissuer: https://x\nsubject: s\n",
	"# a\r\n# b\r\nissuer: x\r\n",
	"# a\rkey: |\r  # text\r",
	"# a\u0085key: v\n",
	"key: |\n  # text, not a comment\n  more\n# after\n",
	"key: >-\n  # text\n",
	"key: \"multi\n# text\n  line\"\n",
	"key: 'multi\n# text\n  line'\n",
	"key: plain\n  # comment ends the plain scalar\n  more\n",
	"key: a|b\n# c\nother: v\n",
	"- |\n # t\n",
	"? |\n # t\n: v\n",
	"--- |\n# t\n",
	"k\"x: \"abc\n# t\n\"\n",
	"   # indented\n\t# tab\nk: v\n# tail",
	"#\n#x\n",
	"k: [a,\n# c\n b]\n",
	"%YAML 1.2\n# c\n---\nk: v\n",
	"\ufeff# bom\nk: v\n",
}

// TestShortCommentsKeepsTheParse: the position parse of the cut text (with every cut allowed,
// however short) equals that of the original, node for node and error for error.
func TestShortCommentsKeepsTheParse(t *testing.T) {
	for _, s := range commentSeeds {
		if got, want := v3Docs(cutComments([]byte(s), 0)), v3Docs([]byte(s)); got != want {
			t.Errorf("%q:\ncut:\n%s\noriginal:\n%s", s, got, want)
		}
	}
	header := strings.Repeat("# a licence line, long enough to be worth cutting away\n", 20)
	if got := shortComments([]byte(header + "k: v\n# tail\n")); string(got) != strings.Repeat("#\n", 20)+"k: v\n#\n" {
		t.Errorf("header not cut: %q", got)
	}
	if in := []byte("# one line\nk: v\n"); &shortComments(in)[0] != &in[0] {
		t.Error("a short comment was copied")
	}
}

func FuzzShortComments(f *testing.F) {
	for _, s := range commentSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		if got, want := v3Docs(cutComments(data, 0)), v3Docs(data); got != want {
			t.Fatalf("%q:\ncut:\n%s\noriginal:\n%s", data, got, want)
		}
	})
}

// firstDoc is the stream decoder's first document and error, as parseNodes read every file before
// the one-document path.
func firstDoc(data []byte) string {
	var b strings.Builder
	var doc yaml.Node
	err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc)
	switch {
	case errors.Is(err, io.EOF):
	case err != nil:
		b.WriteString("error: " + err.Error())
	case len(doc.Content) > 0:
		writeNode(&b, doc.Content[0], 0)
	}
	return b.String()
}

// parsedRoot is what parseNodes keeps of the first document.
func parsedRoot(data []byte) string {
	var b strings.Builder
	f := &file{data: data}
	f.parseNodes()
	switch {
	case f.v3err != nil:
		b.WriteString("error: " + f.v3err.Error())
	case f.root != nil:
		writeNode(&b, f.root, 0)
	}
	return b.String()
}

// FuzzOneDocument: parseNodes' one-document path keeps the same first document (or error) as the
// stream decoder.
func FuzzOneDocument(f *testing.F) {
	for _, s := range append(commentSeeds, "", "# only\n", "a: [1, 2\n", "a: *x\n", "a: 1\n---\nb: 2\n", "a: 1\n...\n") {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		if got, want := parsedRoot(data), firstDoc(cutComments(data, minCut)); got != want {
			t.Fatalf("%q:\nparseNodes:\n%s\ndecoder:\n%s", data, got, want)
		}
	})
}
