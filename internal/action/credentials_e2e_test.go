package action

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/secret"
	"github.com/octo-sts/action/internal/sts/ststest"
)

// hexRun matches the phase nonce the main step saves in its state.
var hexRun = regexp.MustCompile(`[0-9a-f]{32}`)

// A 520-character stateless installation token (ghs_<app id>_<JWT>) passes through the exchange,
// the outputs, export-env, the state, the summary hash and the post step's revocation intact.
func TestStatelessTokenEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := ststest.StatelessToken()
	h.sts.Token = tok
	h.env["INPUT_EXPORT-ENV"] = "GH_TOKEN"
	if code := h.main(); code != exitOK {
		t.Fatalf("main exit %d\n%s", code, h.stdout.String())
	}
	if out := h.outputs("output"); out["token"] != tok || out["token-hash"] != secret.Hash(tok) {
		t.Errorf("outputs %q", out)
	}
	if env := h.outputs("env"); env["GH_TOKEN"] != tok {
		t.Errorf("export-env wrote %q", env)
	}
	if st := h.outputs("state"); st["token"] != tok {
		t.Errorf("state token %q", st["token"])
	}
	if !strings.Contains(h.stdout.String(), "::add-mask::"+tok+"\n") || !strings.Contains(h.stdout.String(), fmt.Sprintf("Token hash: %x", sha256.Sum256([]byte(tok)))) {
		t.Errorf("the whole token was not masked, or the hash line is missing:\n%s", h.stdout.String())
	}
	if !strings.Contains(h.file("summary"), secret.Hash(tok)) && !strings.Contains(h.file("summary"), mdEscape(secret.Hash(tok))) {
		t.Errorf("summary lacks the token hash:\n%s", h.file("summary"))
	}
	if code := h.post(); code != exitOK {
		t.Fatalf("post exit %d", code)
	}
	if r := h.api.Revoked(); len(r) != 1 || r[0] != tok {
		t.Errorf("revoked %d tokens, want the stateless one", len(r))
	}
	h.assertNoLeaks("GH_TOKEN")
}

// A hostile STS answering 200 with a "token" that is not one must not get it masked or written:
// it could otherwise make the runner mask ordinary words ("octo-sts") or invisible characters.
func TestHostileTokenIsNeitherMaskedNorWritten(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"octo-sts", "abc", "ghs_aaaaaaaaaaaaaaaaaaaa\u200b", "ghs_aaaaaaaaaaaaaaaaaaaa\u202e", "ghs_aaaaaaaaaa aaaaaaaaaaa", strings.Repeat("g", 4097)} {
		h := newHarness(t)
		h.sts.Token = tok
		h.env["INPUT_EXPORT-ENV"] = "GH_TOKEN"
		if code := h.main(); code != exitFailure {
			t.Fatalf("%.20q: exit %d", tok, code)
		}
		out := h.stdout.String()
		// The state holds a random hex nonce, which may contain a short hex-like token by chance.
		written := h.file("output") + h.file("env") + hexRun.ReplaceAllString(h.file("state"), "")
		if strings.Contains(out, "::add-mask::"+tok) || strings.Contains(written, tok) {
			t.Errorf("%.20q was masked or written", tok)
		}
		// As a value of its own: random text (nonces, a JWT's signature) may contain "abc".
		alone := regexp.MustCompile(`(^|[^A-Za-z0-9_-])` + regexp.QuoteMeta(tok) + `($|[^A-Za-z0-9_-])`)
		if loc := alone.FindStringIndex(strings.ReplaceAll(out, "octo-sts", "")); loc != nil && tok != "octo-sts" {
			t.Errorf("%.20q echoed", tok)
		}
	}
}

// Inputs that could start a workflow command when echoed are refused, naming the input and the
// fix, before anything is masked, requested or printed; the value itself is never echoed.
func TestInputCommandStartsAreRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ input, value string }{
		{"INPUT_IDENTITY", "##[stop-commands]x"},
		{"INPUT_IDENTITY", "::stop-commands::x"},
		{"INPUT_SCOPE", "::add-mask::octo-org"},
		{"INPUT_DOMAIN", "##[set-output name=x]y"},
		{"INPUT_AUDIENCE", "::warning::x"},
		{"INPUT_EXPORT-ENV", "##[group]X"},
		{"INPUT_MODE", "::debug::x"},
		{"INPUT_TIMEOUT", "#\u00ad#[stop-commands]x"},
		{"INPUT_GITHUB-TOKEN", "::ghp_notatoken::"},
	} {
		h := newHarness(t)
		h.env[c.input] = c.value
		code := h.main()
		out := h.stdout.String()
		name := strings.ToLower(strings.TrimPrefix(c.input, "INPUT_"))
		if code != exitUsage || !strings.Contains(out, fmt.Sprintf("input %q contains", name)) || !strings.Contains(out, "remove it") {
			t.Errorf("%s=%q: exit %d, want a refusal naming the input:\n%s", c.input, c.value, code, out)
		}
		if strings.Contains(out, c.value) {
			t.Errorf("%s: the value was echoed", c.input)
		}
		if h.sts.Requests() != 0 || len(h.id.Issued()) != 0 {
			t.Errorf("%s: requests were made despite the refusal", c.input)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "::") && !strings.HasPrefix(l, "::error ") {
				t.Errorf("%s: unexpected command line %q", c.input, l)
			}
		}
	}
}
