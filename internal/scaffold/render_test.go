package scaffold

import (
	"strings"
	"testing"
)

func TestRenderRefusesMissingValues(t *testing.T) {
	t.Parallel()
	_, err := render("policy.sts.yaml.tmpl", map[string]string{"Repo": "acme/app"})
	if err == nil || !strings.Contains(err.Error(), "no value for") {
		t.Fatalf("want a missing-value error, got %v", err)
	}
	if _, err := render("nope.tmpl", nil); err == nil {
		t.Fatal("want an error for an unknown template")
	}
}
