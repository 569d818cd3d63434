package lint

import (
	yaml "go.yaml.in/yaml/v3"
)

// maxExpansion bounds how many nodes a document may expand to through aliases, relative to the
// nodes it actually contains: legitimate anchors repeat a few values, a bomb multiplies them.
func maxExpansion(parsed int) int { return 4*parsed + 10_000 }

// aliasBomb reports whether root, with every alias expanded, would exceed maxExpansion; it
// counts each node once (memoised), so the check itself is linear in the file and runs before
// any decoder (ours or the server's) can expand anything.
func aliasBomb(root *yaml.Node) (expanded, parsed int, bomb bool) {
	if root == nil {
		return 0, 0, false
	}
	parsed, aliases := countNodes(root)
	if !aliases {
		return parsed, parsed, false // nothing expands: no memo, no second walk
	}
	memo := map[*yaml.Node]int{}
	limit := maxExpansion(parsed)
	expanded = expand(root, memo, limit, 0)
	return expanded, parsed, expanded > limit
}

// countNodes counts n's nodes and says whether any is an alias.
func countNodes(n *yaml.Node) (int, bool) {
	total, aliases := 1, n.Kind == yaml.AliasNode
	for _, c := range n.Content {
		k, a := countNodes(c)
		total += k
		aliases = aliases || a
	}
	return total, aliases
}

// expand returns the expanded size of n, saturating just above limit; depth guards against an
// alias cycle (yaml.v3 refuses those, but the check must not rely on it).
func expand(n *yaml.Node, memo map[*yaml.Node]int, limit, depth int) int {
	if n == nil || depth > 10_000 {
		return limit + 1
	}
	if v, ok := memo[n]; ok {
		return v
	}
	memo[n] = limit + 1 // a cycle back to n counts as a bomb
	total := 1
	if n.Kind == yaml.AliasNode {
		total = expand(n.Alias, memo, limit, depth+1)
	} else {
		for _, c := range n.Content {
			total += expand(c, memo, limit, depth+1)
			if total > limit {
				total = limit + 1
				break
			}
		}
	}
	memo[n] = total
	return total
}
