package cli

import (
	"strings"
	"testing"
)

func TestActionCommand(t *testing.T) {
	t.Parallel()
	if code, _, stderr := run(t, "", nil, "action", "extra"); code != ExitUsage || !strings.Contains(stderr, "takes no arguments") {
		t.Errorf("code %d %q", code, stderr)
	}
	// With no arguments inside Actions the router runs the action; with no inputs it must fail
	// with one titled annotation naming the missing input.
	code, stdout, _ := run(t, "", map[string]string{"GITHUB_ACTIONS": "true"})
	if code != ExitUsage || strings.Count(stdout, "::error ") != 1 || !strings.Contains(stdout, `input \"scope\" is empty`) && !strings.Contains(stdout, `input "scope" is empty`) {
		t.Errorf("code %d stdout %q", code, stdout)
	}
}
