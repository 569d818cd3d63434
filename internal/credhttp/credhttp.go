// Package credhttp is the one transport policy for every HTTP client that carries a credential:
// a client bound to an origin (scheme, host, port) sends nothing to any other origin, whether a
// redirect, a pagination link or a library re-adding Authorization on each hop asks it to.
package credhttp

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// MaxRedirects bounds same-origin redirects, so a redirect loop fails fast instead of spinning.
const MaxRedirects = 5

// OriginError is a refused request: the credential was given for Bound, the request or redirect
// wanted Target. Callers treat it as permanent (retrying cannot change where a server points).
type OriginError struct {
	Bound, Target string
	Redirect      bool
}

// Error names both origins so the user can see which host tried to take the credential where.
func (e *OriginError) Error() string {
	if e.Redirect {
		return fmt.Sprintf("refused a redirect from %s to %s: the credential is only ever sent to %s", e.Bound, e.Target, e.Bound)
	}
	return fmt.Sprintf("refused a request to %s: the credential is only ever sent to %s", e.Target, e.Bound)
}

// Origin returns scheme://host:port for u with the default port made explicit and case folded,
// so http://H and https://h:443 compare as the different and equal origins they are.
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// NewTransport is the base transport of every outbound call: Go's default transport cloned, so
// HTTPS_PROXY/NO_PROXY and SSL_CERT_FILE keep working behind corporate proxies and private CAs.
func NewTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	return tr
}

// Bind returns a copy of base (nil: a client on NewTransport) that only talks to rawURL's origin:
// every request to another origin fails before it is sent, a cross-origin redirect is an
// *OriginError naming both origins, and same-origin redirects are followed up to MaxRedirects.
func Bind(base *http.Client, rawURL string) (*http.Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%q is not an http(s) URL with a host", rawURL)
	}
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	inner := c.Transport
	if inner == nil {
		inner = NewTransport()
	}
	bound := Origin(u)
	c.Transport = &guard{bound: bound, next: inner}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if target := Origin(req.URL); target != bound {
			return &OriginError{Bound: bound, Target: target, Redirect: true}
		}
		if len(via) > MaxRedirects {
			return fmt.Errorf("stopped after %d redirects within %s", MaxRedirects, bound)
		}
		return nil
	}
	return c, nil
}

// guard is the last line: whatever built the request (go-github adds Authorization on every hop,
// pagination follows server-supplied links), nothing leaves for another origin.
type guard struct {
	bound string
	next  http.RoundTripper
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if target := Origin(req.URL); target != g.bound {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &OriginError{Bound: g.bound, Target: target}
	}
	return g.next.RoundTrip(req)
}

// Anonymous returns a copy of base whose requests never carry a credential header, for clients
// that must reach wherever a server sends them (OIDC discovery follows redirects as the Octo STS
// server does) and so must have nothing to leak.
func Anonymous(base *http.Client) *http.Client {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	inner := c.Transport
	if inner == nil {
		inner = NewTransport()
	}
	c.Transport = stripper{inner}
	return c
}

type stripper struct{ next http.RoundTripper }

func (s stripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" || req.Header.Get("Cookie") != "" || req.URL.User != nil {
		req = req.Clone(req.Context())
		req.Header.Del("Authorization")
		req.Header.Del("Cookie")
		req.URL.User = nil
	}
	return s.next.RoundTrip(req)
}
