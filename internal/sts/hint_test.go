package sts

import (
	"regexp"
	"strings"
	"testing"

	"github.com/octo-sts/action/internal/policy"
)

// cliWords and actionsWords are what a reader of the other front end cannot act on.
var (
	cliWords     = regexp.MustCompile(`(^|[\s(` + "`" + `])--[a-z]|octo-sts (lint|check|exchange)\b|printed above`)
	actionsWords = regexp.MustCompile("mode: lint|`domain` input|step's env|printed above")
)

// TestHintFrontends: every hint (each class, and each server answer Hint names by code) gives
// Actions advice to the action and CLI advice to the CLI, never the other's.
func TestHintFrontends(t *testing.T) {
	var errs []*Error
	for _, c := range []Class{ClassInput, ClassIDToken, ClassBadRequest, ClassUnauthorized, ClassDenied, ClassNotFound,
		ClassRateLimited, ClassServer, ClassHTTP, ClassNetwork, ClassTimeout, ClassBadResponse} {
		errs = append(errs, &Error{Class: c})
	}
	for _, g := range []policy.Generation{policy.Legacy, policy.Current} {
		for _, c := range []policy.Code{policy.CodeIssuerNotPermitted, policy.CodeAllowlistConfig, policy.CodeTokenExchangeFailure,
			policy.CodePolicyForbidden, policy.CodeAppNotConfigured, policy.CodeNoInstallation} {
			a := policy.ExchangeAnswer(g, c, "x")
			errs = append(errs, &Error{Class: ClassDenied, Status: a.Status, Message: a.Message})
		}
	}
	req := Request{Scope: "acme/app", Identity: "deploy"}
	for _, e := range errs {
		if m := cliWords.FindString(e.Hint(req, "", Actions)); m != "" {
			t.Errorf("%s %d %q: the action's hint gives CLI advice %q: %s", e.Class, e.Status, e.Message, m, e.Hint(req, "", Actions))
		}
		if m := actionsWords.FindString(e.Hint(req, "", CLI)); m != "" {
			t.Errorf("%s %d %q: the CLI's hint gives Actions advice %q: %s", e.Class, e.Status, e.Message, m, e.Hint(req, "", CLI))
		}
	}
	if h := (&Error{Class: ClassNotFound}).Hint(req, "", CLI); !strings.Contains(h, "octo-sts lint") {
		t.Errorf("the CLI's 404 hint does not name octo-sts lint: %s", h)
	}
	if h := (&Error{Class: ClassNotFound}).Hint(req, "", Actions); !strings.Contains(h, "mode: lint") {
		t.Errorf("the action's 404 hint does not name mode: lint: %s", h)
	}
}
