package action

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func multiHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.sts.Scope, h.sts.Identity = "", ""
	h.sts.Tokens = map[string]string{"deploy": "ghs_deploytoken000000000001", "infra": "ghs_infratoken0000000000002", "docs": "ghs_docstoken00000000000003"}
	h.env["INPUT_SCOPE"], h.env["INPUT_IDENTITY"] = "", ""
	return h
}

func TestSeveralTokens(t *testing.T) {
	t.Parallel()
	h := multiHarness(t)
	h.env["INPUT_TOKENS"] = "app octo-org/app deploy\n  infra  octo-org/infra infra\n\ndocs octo-org docs\n"
	if code := h.main(); code != 0 {
		t.Fatalf("main exit %d\n%s", code, h.stdout.String())
	}
	out := h.outputs("output")
	for alias, id := range map[string]string{"app": "deploy", "infra": "infra", "docs": "docs"} {
		if out[alias] != h.sts.Tokens[id] {
			t.Errorf("output %s = %q, want the %s token", alias, out[alias], id)
		}
		if !strings.Contains(h.stdout.String(), "::add-mask::"+h.sts.Tokens[id]+"\n") {
			t.Errorf("token %s not masked", alias)
		}
		if _, err := time.Parse(time.RFC3339, out[alias+"-expires-at"]); err != nil {
			t.Errorf("%s-expires-at %q: %v", alias, out[alias+"-expires-at"], err)
		}
	}
	if _, ok := out["token"]; ok {
		t.Error("a `token` output in the several-tokens form")
	}
	if code := h.post(); code != 0 {
		t.Fatalf("post exit %d", code)
	}
	got := h.api.Revoked()
	slices.Sort(got)
	want := []string{h.sts.Tokens["deploy"], h.sts.Tokens["docs"], h.sts.Tokens["infra"]}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("revoked %v, want all three", got)
	}
}

// A failure in the middle fails the step naming the pair, after revoking what was minted, and
// never tries the pairs after it.
func TestSeveralTokensFailureInTheMiddle(t *testing.T) {
	t.Parallel()
	h := multiHarness(t)
	h.env["INPUT_TOKENS"] = "app octo-org/app deploy\nbroken octo-org/app nosuchpolicy\ndocs octo-org docs\n"
	code := h.main()
	if code == 0 {
		t.Fatalf("main succeeded\n%s", h.stdout.String())
	}
	errs := strings.Join(errorsOf(h.stdout.String()), "\n")
	if !strings.Contains(errs, "broken (scope octo-org/app, identity nosuchpolicy)") {
		t.Errorf("error does not name the failing pair:\n%s", errs)
	}
	if r := h.api.Revoked(); len(r) != 1 || r[0] != h.sts.Tokens["deploy"] {
		t.Errorf("revoked %v, want only the token minted before the failure", r)
	}
	if n := h.sts.Requests(); n != 2 {
		t.Errorf("%d exchanges; the pair after the failure must not be tried", n)
	}
	if out := h.outputs("output"); len(out) != 0 {
		t.Errorf("outputs written by a failed step: %v", out)
	}
	if state := h.outputs("state"); state["tokens"] != "" {
		t.Errorf("state keeps tokens of a failed step: %v", state)
	}
}

// A token minted before a failure that cannot be revoked at once is left to the post step, which
// runs after a failed main step too, instead of staying live for up to an hour.
func TestSeveralTokensUnrevokedLeftToPost(t *testing.T) {
	t.Parallel()
	h := multiHarness(t)
	h.env["INPUT_TOKENS"] = "app octo-org/app deploy\nbroken octo-org/app nosuchpolicy\n"
	h.api.ForceStatus(403)
	if code := h.main(); code == 0 {
		t.Fatalf("main succeeded\n%s", h.stdout.String())
	}
	if r := h.api.Revoked(); len(r) != 0 {
		t.Fatalf("revoked %v while revocation was refused", r)
	}
	if state := h.outputs("state"); state["tokens"] != h.sts.Tokens["deploy"] {
		t.Fatalf("state tokens = %q, want the unrevoked token for the post step", state["tokens"])
	}
	h.api.ForceStatus(0)
	if code := h.post(); code != 0 {
		t.Fatalf("post exit %d", code)
	}
	if r := h.api.Revoked(); len(r) != 1 || r[0] != h.sts.Tokens["deploy"] {
		t.Errorf("post revoked %v, want the token main could not revoke", r)
	}
}

func TestTokensInputErrors(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ tokens, scope, want string }{
		"fields":       {"app octo-org/app", "", "ALIAS SCOPE IDENTITY"},
		"alias":        {"App octo-org/app deploy", "", "alias \"App\""},
		"reserved":     {"token octo-org/app deploy", "", "collides"},
		"duplicate":    {"a octo-org/app deploy\na octo-org/app deploy", "", "twice; give each token its own alias"},
		"too many":     {manyTokens(maxPairs + 1), "", "split them across several octo-sts steps"},
		"with scope":   {"a octo-org/app deploy", "octo-org/app", "cannot be combined"},
		"bad scope":    {"a octo/org/app deploy", "", `input "tokens" line 1: scope: "octo/org/app" is not a GitHub owner`},
		"bad identity": {"a octo-org/app deploy.sts.yaml", "", `input "tokens" line 1: identity: "deploy.sts.yaml" includes the file suffix`},
	} {
		t.Run(name, func(t *testing.T) {
			h := multiHarness(t)
			h.env["INPUT_TOKENS"], h.env["INPUT_SCOPE"] = c.tokens, c.scope
			if code := h.main(); code == 0 {
				t.Fatal("accepted")
			}
			if errs := strings.Join(errorsOf(h.stdout.String()), "\n"); !strings.Contains(errs, c.want) {
				t.Errorf("error lacks %q:\n%s", c.want, errs)
			}
			if h.sts.Requests() != 0 {
				t.Error("exchanged despite invalid input")
			}
		})
	}
}

func TestExpiresAt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if code := h.main(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	got, err := time.Parse(time.RFC3339, h.outputs("output")["expires-at"])
	if err != nil {
		t.Fatal(err)
	}
	if want := h.clock.Now().Add(time.Hour).Truncate(time.Second); !got.Equal(want) {
		t.Errorf("expires-at %s, want mint time + 1h = %s", got, want)
	}

	h = newHarness(t)
	sent := h.clock.Now().Add(42 * time.Minute).UTC().Truncate(time.Second)
	h.sts.Expiry = sent.Format(time.RFC3339Nano)
	if code := h.main(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got := h.outputs("output")["expires-at"]; got != sent.Format(time.RFC3339) {
		t.Errorf("expires-at %s, want the STS response's %s", got, sent.Format(time.RFC3339))
	}

	h = newHarness(t)
	h.sts.Expiry = h.clock.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339) // implausible: ignored
	if code := h.main(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got, want := h.outputs("output")["expires-at"], h.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339); got != want {
		t.Errorf("implausible expiry trusted: %s, want %s", got, want)
	}
}

func FuzzParsePairs(f *testing.F) {
	f.Add("app octo-org/app deploy\ninfra octo-org/infra infra")
	f.Add("token a b\n\n x y")
	f.Fuzz(func(t *testing.T, s string) {
		ps, errs := parsePairs(strings.Split(s, "\n"))
		if len(errs) > 0 {
			return
		}
		seen := map[string]bool{}
		for _, p := range ps {
			if !aliasRE.MatchString(p.alias) || reservedOutputs[p.alias] || seen[p.alias] {
				t.Fatalf("pair %+v accepted", p)
			}
			seen[p.alias] = true
		}
	})
}

// manyTokens is a tokens input of n distinct, valid lines.
func manyTokens(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "t%d octo-org/app deploy\n", i)
	}
	return b.String()
}
