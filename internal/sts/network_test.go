package sts

import (
	"fmt"
	"net"
	"net/url"
	"testing"
)

// TestPermanentNetwork: a name that does not exist is not retried; a refused connection is.
func TestPermanentNetwork(t *testing.T) {
	nx := &url.Error{Op: "Get", URL: "https://nope.invalid", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}}}
	if permanentNetwork(nx) == "" {
		t.Error("NXDOMAIN must not be retried")
	}
	temp := &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}
	if permanentNetwork(temp) != "" {
		t.Error("a temporary DNS failure may be retried")
	}
	if permanentNetwork(fmt.Errorf("dial tcp: %w", &net.OpError{Op: "dial", Err: fmt.Errorf("connection refused")})) != "" {
		t.Error("a refused connection may be retried")
	}
}
