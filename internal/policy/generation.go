// Not a mirror of an upstream file: the server's two behaviours, named so every verdict can say
// which one it belongs to (docs/server.md "Generations").

package policy

import (
	"fmt"
	"strings"
)

// Generation names one behaviour of the Octo STS server; the hosted instance is deployed by hand,
// so a client cannot know which one answers and must be able to ask for either, or both.
type Generation string

// The two generations the model knows.
const (
	// Legacy is octo-sts/app at cb87fc1 (2026-08-21): patterns compiled as "^"+p+"$", no App pin,
	// policy-read failures answered 404 or 429.
	Legacy Generation = "legacy"
	// Current is upstream main after #1643, #1635, #1682 and #1684 (merged by 2026-09-21): patterns
	// compiled alone and as "^(?:"+p+")$", app/app_pattern, 503/403 for policy-read failures.
	Current Generation = "current"
)

// Generations lists every generation in a stable order (legacy first) for "all".
var Generations = []Generation{Legacy, Current}

// generationAliases are the dated names accepted besides the two canonical ones.
var generationAliases = map[string]Generation{
	"legacy": Legacy, "2026-08-21": Legacy, "cb87fc1": Legacy,
	"current": Current, "2026-09-21": Current,
}

// ParseGenerations reads a --server / `server` value: "all" (or "") is every generation, otherwise
// one name or dated alias, so scripts can pin the behaviour they deploy against.
func ParseGenerations(s string) ([]Generation, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "all" {
		return Generations, nil
	}
	if g, ok := generationAliases[s]; ok {
		return []Generation{g}, nil
	}
	return nil, fmt.Errorf("unknown server generation %q: want legacy (the 2026-08-21 server, alias 2026-08-21), current (upstream after 2026-09-21, alias 2026-09-21) or all", s)
}

// Valid reports whether g is one of the known generations.
func (g Generation) Valid() bool { return g == Legacy || g == Current }

// Anchored is the expression generation g compiles for trust-policy pattern p (legacy "^p$",
// current "^(?:p)$"), shown to users so they see what the server matches.
func (g Generation) Anchored(p string) string {
	if g == Current {
		return "^(?:" + p + ")$"
	}
	return "^" + p + "$"
}
