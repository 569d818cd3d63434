package action

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// asPost makes env look like a genuine post step: the state and marker a main step leaves.
func asPost(t testing.TB, env map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	nonce := strings.Repeat("ab", 16)
	if err := os.WriteFile(filepath.Join(dir, markerPrefix+nonce), markerContent(nonce), 0o600); err != nil {
		t.Fatal(err)
	}
	env["GITHUB_STATE"] = filepath.Join(dir, "state")
	env["STATE_phase"], env["STATE_nonce"] = "main", nonce
	return env
}

// The reproduction: STATE_phase (and STATE_token) planted in the main step's environment
// through GITHUB_ENV must neither make it exit 0 silently nor revoke the planted token.
func TestMainPostConfusionFailsClosed(t *testing.T) {
	t.Parallel()
	for name, planted := range map[string]map[string]string{
		"phase only":              {"STATE_phase": "main"},
		"phase and token":         {"STATE_phase": "main", "STATE_token": "ghs_plantedtoken000001"},
		"phase, nonce, no marker": {"STATE_phase": "main", "STATE_nonce": strings.Repeat("cd", 16), "STATE_token": "ghs_plantedtoken000001"},
		"nonce only":              {"STATE_nonce": strings.Repeat("cd", 16)},
		"malformed nonce":         {"STATE_phase": "main", "STATE_nonce": "../../etc/passwd", "STATE_token": "ghs_plantedtoken000001"},
		"other phase value":       {"STATE_phase": "post", "STATE_nonce": strings.Repeat("cd", 16)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.api.Accept("ghs_plantedtoken000001")
			for k, v := range planted {
				h.env[k] = v
			}
			code := h.main()
			out := h.stdout.String()
			if code == exitOK || !strings.Contains(out, "::error title=octo-sts%3A main or post step?::") || !strings.Contains(out, "GITHUB_ENV") {
				t.Fatalf("exit %d, want a failure that explains the confusion:\n%s", code, out)
			}
			if r := h.api.Revoked(); len(r) != 0 {
				t.Fatalf("revoked a planted token: %v", r)
			}
			if h.sts.Requests() != 0 {
				t.Fatal("exchanged despite the confusion")
			}
			if strings.Contains(out, "ghs_plantedtoken000001") {
				t.Fatal("echoed the planted token")
			}
		})
	}
}

// A genuine main then post: the marker is consumed, so replaying the post environment fails.
func TestPostMarkerWorksOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if code := h.main(); code != exitOK {
		t.Fatalf("main exit %d\n%s", code, h.stdout.String())
	}
	if code := h.post(); code != exitOK || len(h.api.Revoked()) != 1 {
		t.Fatalf("post exit %d, revoked %v\n%s", code, h.api.Revoked(), h.stdout.String())
	}
	if code := h.post(); code == exitOK {
		t.Fatal("a replayed post environment ran as the post step again")
	}
}
