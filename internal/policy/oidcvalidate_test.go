package policy

import (
	"strings"
	"testing"
)

// TestAudienceRuleNamesWhatIsRefused keeps the rule a message quotes in step with the validator:
// every forbidden character is listed in the rule and refused by IsValidAudience.
func TestAudienceRuleNamesWhatIsRefused(t *testing.T) {
	for _, r := range audienceForbidden {
		if !strings.ContainsRune(AudienceRule, r) {
			t.Errorf("AudienceRule does not list %q", r)
		}
		if aud := "octo" + string(r) + "sts.dev"; IsValidAudience(aud) {
			t.Errorf("IsValidAudience(%q) = true, but the rule forbids %q", aud, r)
		}
	}
	if !strings.Contains(AudienceRule, "255") || IsValidAudience(strings.Repeat("a", 256)) {
		t.Errorf("AudienceRule %q and the 255-character limit disagree", AudienceRule)
	}
}
