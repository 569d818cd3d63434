package policy

import (
	"fmt"
	"strings"
	"testing"
)

func yamlList(key string, items ...string) string {
	var b strings.Builder
	b.WriteString(key + ":\n")
	for _, it := range items {
		fmt.Fprintf(&b, "  - '%s'\n", strings.ReplaceAll(it, "'", "''"))
	}
	return b.String()
}

// TestAllowlistCatalogue covers spec §5.4 (O-rows) through the decoder and Compile.
func TestAllowlistCatalogue(t *testing.T) {
	t.Parallel()
	accept := map[string]string{
		"O1":   "issuers: [" + gh + "]\n",
		"O2a":  "mode: enforce\nissuers: [" + gh + "]\n",
		"O2b":  "mode: audit\nissuers: [" + gh + "]\n",
		"O15":  yamlList("issuers", gh, "https://accounts.google.com", "https://gitlab.com", "https://oidc.eks.us-west-2.amazonaws.com/id/ABCDEF123456", "https://tenant.us.auth0.com/", "http://localhost", "http://127.0.0.1", "https://a.example.com/Path", "http://localhost:8080", gh),
		"O16a": yamlList("issuers", repeat("https://a%d.example.com", 64)...),
		"O16b": yamlList("issuer_patterns", repeat(`https://a%d\.example\.com`, 16)...),
		"O16c": yamlList("issuer_patterns", "https://"+strings.Repeat("a", 256-len(`https://\.example\.com`))+`\.example\.com`),
		"O21":  "Issuers: [" + gh + "]\n",
		"O27":  yamlList("issuer_patterns", `https://host\.example\.com/id/[A-Z0-9]+`, `https://oidc\.eks\.[a-z0-9-]+\.amazonaws\.com/id/[A-Z0-9]+`, `https://example\.com/realms/[a-z0-9-]+`, `https://login\.microsoftonline\.com/[a-f0-9-]+/v2\.0`, `https://a\.example\.com|https://b\.example\.com`),
		"O29":  yamlList("issuer_patterns", `https://a\x2Fb\.example\.com`, `https://a\x{2F}b\.example\.com`, `https://a\057b\.example\.com`),
		"O30":  yamlList("issuer_patterns", `https://[[:alpha:]]+\.example\.com`, `https://[[:lower:]]+\.example\.com`, `https://[[:alnum:]]+\.example\.com`, `https://[[:word:]]+\.example\.com`, `https://[[:digit:]]+\.example\.com`),
		"O31":  yamlList("issuer_patterns", `https://[a-z\]]+\.example\.com`, `https://a[.]example\.com`, `https://[a-z.]+\.example\.com`, `https://[a-z\].]+\.example\.com`),
		"O34":  yamlList("issuer_patterns", `https://(a|b)\.example\.com/x`, `(?s)https://x\.com`, `https://x\.com/[a-z]{1}`, `https://\w+\.com`, `https://\d+\.com`, `https://x\.com/(a|b)`, `https://x\.com(/a|/b)`),
		"8.9":  yamlList("issuer_patterns", `https://a[/]b\.com`, `https://a[\x{2F}]b\.com`, `(https://a\.example\.com|https://b\.example\.org)`),
		"8.5":  "issuers: [" + gh + "]\nIssuers: [http://x]\n",
	}
	reject := map[string]string{
		"O3a":  "mode: Enforce\nissuers: [" + gh + "]\n",
		"O3b":  "mode: 'off'\nissuers: [" + gh + "]\n",
		"O3c":  "mode: AUDIT\nissuers: [" + gh + "]\n",
		"O4a":  "mode: enforce\n",
		"O4b":  "issuers: []\nissuer_patterns: []\n",
		"O4c":  "",
		"O10":  yamlList("issuer_patterns", "[unclosed"),
		"O13":  yamlList("issuers", "http://evil.example.com"),
		"O13b": yamlList("issuers", "https://"),
		"O13c": yamlList("issuers", "https://example.com?a=b"),
		"O13d": yamlList("issuers", "https://u:p@example.com"),
		"O13e": yamlList("issuers", "https://exämple.com"),
		"O14a": yamlList("issuers", "https://Accounts.Google.com"),
		"O14b": yamlList("issuers", "HTTPS://accounts.google.com"),
		"O14c": yamlList("issuers", "https://Example.com/foo"),
		"O16a": yamlList("issuers", repeat("https://a%d.example.com", 65)...),
		"O16b": yamlList("issuer_patterns", repeat(`https://a%d\.example\.com`, 17)...),
		"O16c": yamlList("issuer_patterns", "https://"+strings.Repeat("a", 257-len(`https://\.example\.com`))+`\.example\.com`),
		"O17":  "issuers: [" + gh + "]\nissuer_pattern: x\n",
		"O18":  "issuers: [" + gh + "]\nenabled: true\n",
		"O19":  "issuers: [\n",
		"O20":  "mode: audit\nmode: enforce\nissuers: [" + gh + "]\n",
		"O22":  yamlList("issuer_patterns", `https://.*.example.com`),
		"O22b": yamlList("issuer_patterns", `https://[a-z0-9-]+.example.com`),
		"O24":  yamlList("issuer_patterns", `https://\S+\.example\.com`, `https://[\s\S]+\.example\.com`),
		"O24b": yamlList("issuer_patterns", `https://[^]]+\.example\.com`),
		"O24c": yamlList("issuer_patterns", `https://[[:/]+\.example\.com`),
		"O25":  yamlList("issuer_patterns", `token\.example\.com)|(`),
		"O26":  yamlList("issuer_patterns", `https://(x\.com/)?trusted\.example\.com`),
		"O26b": yamlList("issuer_patterns", `https://(good\.example\.com|evil\.com/x/trusted\.example\.com)`),
		"O28":  yamlList("issuer_patterns", `https://[[:bogus:]]+\.example\.com`),
		"O32":  yamlList("issuer_patterns", `https://.*.example.com(`),
		"O33a": yamlList("issuer_patterns", `https://a\.example\.com|http://b\.example\.com`),
		"O33b": yamlList("issuer_patterns", `https://a\.example\.com(/x)?`),
		"O33c": yamlList("issuer_patterns", `https://x\.com/{1}`),
		"O33d": yamlList("issuer_patterns", `https://token.actions.githubusercontent.com`),
		"8.9b": yamlList("issuer_patterns", `https://a\.example\.com|http://localhost`),
		"8.9c": yamlList("issuer_patterns", strings.Repeat("ä", 130)),
	}
	for id, doc := range accept {
		if err := Accepts(Legacy, KindIssuers, []byte(doc)); err != nil {
			t.Errorf("%s: want accept, got %v\n%s", id, err, doc)
		}
	}
	for id, doc := range reject {
		if err := Accepts(Legacy, KindIssuers, []byte(doc)); err == nil {
			t.Errorf("%s: want reject, got accept\n%s", id, doc)
		}
	}
}

func repeat(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

func TestAllowlistMatching(t *testing.T) {
	t.Parallel()
	oti := OrgTrustedIssuers{
		Issuers:        []string{gh},
		IssuerPatterns: []string{`https://a\.example\.com|https://b\.example\.com`, `(?i)https://x\.example\.com`},
	}
	a, err := oti.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for iss, want := range map[string]bool{
		gh: true, "https://TOKEN.actions.githubusercontent.com": false,
		"https://a.example.com": true, "https://b.example.com": true, "https://a.example.com.evil": false,
		"evil-prefix-https://a.example.com": false, "https://X.EXAMPLE.COM": true,
	} {
		if got := a.Allows(iss); got != want {
			t.Errorf("Allows(%q) = %v, want %v", iss, got, want)
		}
	}
	if a.Mode != "enforce" {
		t.Errorf("default mode = %q, want enforce", a.Mode)
	}
}
