package action

import (
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/sts/ststest"
)

// The hostile-STS battery's echo cases: a server (or proxy) that echoes the bearer JWT split over
// lines, base64-wrapped, JSON- or URL-escaped, inside a Location header with %0A, or in pieces,
// must leave no recoverable 20-character piece of it in the log, the summary or any file.
func TestHostileEchoesLeaveNoRecoverablePiece(t *testing.T) {
	t.Parallel()
	for _, step := range ststest.HostileEchoes {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.sts.Script(step)
			if code := h.main(); code != exitFailure {
				t.Fatalf("exit %d\n%s", code, h.stdout.String())
			}
			issued := h.id.Issued()
			if len(issued) == 0 {
				t.Fatal("no ID token was issued")
			}
			// ::add-mask:: lines carry the secret on purpose (the runner consumes them).
			var log []string
			for _, l := range strings.Split(h.stdout.String(), "\n") {
				if !strings.HasPrefix(l, "::add-mask::") {
					log = append(log, l)
				}
			}
			all := strings.Join(log, "\n") + "\n" + h.file("summary") + "\n" + h.file("output") + "\n" + h.file("env")
			for _, jwt := range issued {
				if p := ststest.Recoverable(all, jwt); p != "" {
					t.Errorf("recoverable piece %q of the JWT in:\n%s", p, all)
				}
			}
		})
	}
}
