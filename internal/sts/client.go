// Package sts talks to an Octo STS server: it builds the exchange request, decides which failures
// are worth retrying, and turns every outcome into a classified Error that names its fix.
package sts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/octo-sts/action/internal/credhttp"
)

// Defaults chosen from the server contract: exchanges normally take well under a second, but the
// server can hang on an unreachable issuer (it retries discovery for up to 15 minutes), so every
// request needs its own bound and the whole exchange a deadline.
const (
	DefaultTimeout        = 60 * time.Second
	DefaultRequestTimeout = 20 * time.Second
	DefaultMaxAttempts    = 8
	maxBody               = 64 << 10
)

// Request is what to exchange for: the target scope and the trust-policy identity.
type Request struct {
	Scope    string
	Identity string
}

// TokenSource yields a fresh OIDC token per exchange attempt: GitHub ID tokens live five minutes
// and a retried exchange must not present an expired or replayed one.
type TokenSource func(ctx context.Context) (string, error)

// Retryable is implemented by token-source errors so the exchange loop can tell a transient
// ID-token failure (network, 5xx, GitHub's "Pending" 403) from a permanent one.
type Retryable interface {
	Retryable() bool
}

// Clock is injectable so tests exercise backoff and deadlines without waiting.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time                                   { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }

// Sleep waits for d or until ctx ends, whichever is first, so every retry loop (exchange,
// revocation) stops waiting the moment its deadline passes.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is exponential with jitter so many jobs failing together do not retry in lockstep.
type Backoff struct {
	Initial time.Duration  // first delay; default 1s
	Max     time.Duration  // cap per delay; default 10s
	Rand    func() float64 // [0,1) jitter source; default math/rand
}

// Delay is the wait before retry number n (1-based): Initial·2^(n-1) capped at Max, jittered
// into [d/2, d).
func (b Backoff) Delay(n int) time.Duration {
	initial, maxD, rnd := b.Initial, b.Max, b.Rand
	if initial <= 0 {
		initial = time.Second
	}
	if maxD <= 0 {
		maxD = 10 * time.Second
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	d := initial
	for i := 1; i < n && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	return d/2 + time.Duration(rnd()*float64(d/2))
}

// Attempt describes one failed try, reported before the client waits, so a user watching a slow
// job sees why it is waiting.
type Attempt struct {
	N        int
	Endpoint string
	Status   int
	Err      error // a classified *Error for this single attempt
	Wait     time.Duration
}

// Client exchanges OIDC tokens at one Octo STS domain. The zero value plus Domain works.
type Client struct {
	Domain         string // host[:port]; https is always used
	HTTPClient     *http.Client
	Timeout        time.Duration // overall deadline across retries
	RequestTimeout time.Duration // bound for each ID-token fetch and each exchange request
	MaxAttempts    int
	Clock          Clock
	Backoff        Backoff
	UserAgent      string
	// OnIDToken runs as soon as an ID token is obtained and before it is sent anywhere: the
	// action masks it here so no later line can show it.
	OnIDToken func(jwt string)
	// OnAttempt reports each failed attempt that will be retried.
	OnAttempt func(Attempt)
}

// Result is a successful exchange.
type Result struct {
	Token    string
	Attempts int
	Elapsed  time.Duration
	// Summary is the one-line retry summary, e.g. "1 attempt in 0.3s; last: 200".
	Summary string
	// Expiry is the token's expiry when the STS response carries one (Octo STS sends "expiry":
	// null today); zero otherwise.
	Expiry time.Time
}

func (c *Client) clock() Clock {
	if c.Clock != nil {
		return c.Clock
	}
	return realClock{}
}

// ExchangeURL is the request the client sends (without credentials), shown in debug output and
// used by tests; parameters go through url.Values so nothing needs hand-escaping.
func (c *Client) ExchangeURL(req Request) string {
	q := url.Values{}
	// Both names with the same value: servers before 2025-08 read only the deprecated "scope",
	// newer ones prefer a single "scopes" (spec §1.2).
	q.Set("scope", req.Scope)
	q.Set("scopes", req.Scope)
	q.Set("identity", req.Identity)
	u := url.URL{Scheme: "https", Host: c.Domain, Path: "/sts/exchange", RawQuery: q.Encode()}
	return u.String()
}

// Exchange validates req, then trades OIDC tokens from src for a GitHub token, retrying only
// failures a retry can fix, within the overall deadline.
func (c *Client) Exchange(ctx context.Context, req Request, src TokenSource) (*Result, error) {
	for _, err := range []error{ValidateDomain(c.Domain), ValidateScope(req.Scope), ValidateIdentity(req.Identity)} {
		if err != nil {
			return nil, &Error{Class: ClassInput, Message: err.Error(), Err: err}
		}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	maxAttempts := c.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	clk := c.clock()
	start := clk.Now()
	deadline := start.Add(timeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	for n := 1; ; n++ {
		var expiry time.Time
		tok, err, retry, after := c.once(ctx, req, src, deadline, &expiry)
		elapsed := clk.Now().Sub(start)
		if err == nil {
			return &Result{Token: tok, Attempts: n, Elapsed: elapsed, Summary: summary(n, elapsed, "200"), Expiry: expiry}, nil
		}
		err.Attempts, err.Elapsed = n, elapsed
		if !retry {
			return nil, err
		}
		if n >= maxAttempts {
			err.GaveUp = true
			err.Message = strings.TrimPrefix(err.Message+fmt.Sprintf(" (gave up after %d attempts)", n), " ")
			return nil, err
		}
		wait := c.Backoff.Delay(n)
		if after > 0 {
			wait = after
		}
		if remaining := deadline.Sub(clk.Now()); wait >= remaining || ctx.Err() != nil {
			err.GaveUp = true
			msg := fmt.Sprintf("(gave up: the %s timeout would pass before the next attempt", timeout)
			if after > 0 {
				msg += fmt.Sprintf("; the server asked to wait %s", after)
			}
			err.Message = strings.TrimPrefix(err.Message+" "+msg+")", " ")
			return nil, err
		}
		if c.OnAttempt != nil {
			c.OnAttempt(Attempt{N: n, Endpoint: err.Endpoint, Status: err.Status, Err: err, Wait: wait})
		}
		if serr := clk.Sleep(ctx, wait); serr != nil {
			err.GaveUp = true
			return nil, err
		}
	}
}

// once runs one attempt: fresh ID token, then one exchange request.
func (c *Client) once(ctx context.Context, req Request, src TokenSource, deadline time.Time, expiry *time.Time) (token string, _ *Error, retry bool, retryAfter time.Duration) {
	rt := c.RequestTimeout
	if rt <= 0 {
		rt = DefaultRequestTimeout
	}
	// Never let one request outlive the overall deadline as measured by the injected clock.
	if remaining := deadline.Sub(c.clock().Now()); remaining < rt {
		rt = max(remaining, time.Millisecond)
	}

	ictx, icancel := context.WithTimeout(ctx, rt)
	jwt, err := src(ictx)
	icancel()
	if err != nil {
		var r Retryable
		retry := errors.As(err, &r) && r.Retryable()
		var status int
		var se interface{ HTTPStatus() int }
		if errors.As(err, &se) {
			status = se.HTTPStatus()
		}
		class := ClassIDToken
		if ctx.Err() != nil {
			class, retry = ClassTimeout, false
		}
		return "", &Error{Class: class, Endpoint: "id-token", Status: status, Message: err.Error(), Err: err}, retry, 0
	}
	if jwt == "" {
		return "", &Error{Class: ClassIDToken, Endpoint: "id-token", Message: "the OIDC token source returned an empty token"}, false, 0
	}
	if c.OnIDToken != nil {
		c.OnIDToken(jwt)
	}
	scrub := func(s string) string { return scrubJWT(s, jwt) }

	rctx, rcancel := context.WithTimeout(ctx, rt)
	defer rcancel()
	hreq, err := http.NewRequestWithContext(rctx, http.MethodGet, c.ExchangeURL(req), nil)
	if err != nil {
		return "", &Error{Class: ClassInput, Endpoint: "sts", Message: err.Error(), Err: err}, false, 0
	}
	hreq.Header.Set("Authorization", "Bearer "+jwt)
	hreq.Header.Set("Accept", "application/json")
	ua := c.UserAgent
	if ua == "" {
		ua = "octo-sts/action"
	}
	hreq.Header.Set("User-Agent", ua)

	hc := c.HTTPClient
	if hc == nil {
		hc = NewHTTPClient()
	}
	bound, err := credhttp.Bind(hc, hreq.URL.String())
	if err != nil {
		return "", &Error{Class: ClassInput, Endpoint: "sts", Message: err.Error(), Err: err}, false, 0
	}
	resp, err := bound.Do(hreq)
	if err != nil {
		msg := scrub(networkMessage(err))
		var oe *credhttp.OriginError
		switch {
		case errors.As(err, &oe):
			return "", &Error{Class: ClassBadResponse, Endpoint: "sts", Message: scrub(oe.Error()) + "; an Octo STS server never redirects an exchange: check that domain is the STS host itself, not a proxy or a moved address", Err: oe}, false, 0
		case ctx.Err() != nil:
			return "", &Error{Class: ClassTimeout, Endpoint: "sts", Message: "no answer from " + c.Domain + " before the overall timeout", Err: ctx.Err()}, false, 0
		case rctx.Err() != nil:
			return "", &Error{Class: ClassTimeout, Endpoint: "sts", Message: fmt.Sprintf("%s did not answer within %s", c.Domain, rt), Err: rctx.Err()}, true, 0
		}
		if why := permanentNetwork(err); why != "" {
			return "", &Error{Class: ClassNetwork, Endpoint: "sts", Message: msg + " — " + why, Err: errors.New(msg)}, false, 0
		}
		return "", &Error{Class: ClassNetwork, Endpoint: "sts", Message: msg, Err: errors.New(msg)}, true, 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if rctx.Err() != nil {
			return "", &Error{Class: ClassTimeout, Endpoint: "sts", Status: resp.StatusCode, Message: fmt.Sprintf("%s did not finish its answer within %s", c.Domain, rt)}, true, 0
		}
		msg := scrub(networkMessage(err))
		return "", &Error{Class: ClassNetwork, Endpoint: "sts", Status: resp.StatusCode, Message: "reading the response: " + msg}, true, 0
	}
	oversized := len(body) > maxBody
	if resp.StatusCode == http.StatusOK {
		if oversized {
			return "", &Error{Class: ClassBadResponse, Endpoint: "sts", Status: 200, Message: fmt.Sprintf("response body is larger than %d KiB; is domain pointing at an Octo STS server?", maxBody>>10)}, false, 0
		}
		tok, perr := ParseToken(body)
		if perr != nil {
			// net/http can hand back a response that raced our own cancellation: a handler that
			// gave up because we hung up answers an empty 200. That is our timeout, not the
			// server's verdict.
			switch {
			case ctx.Err() != nil:
				return "", &Error{Class: ClassTimeout, Endpoint: "sts", Message: "no answer from " + c.Domain + " before the overall timeout", Err: ctx.Err()}, false, 0
			case rctx.Err() != nil:
				return "", &Error{Class: ClassTimeout, Endpoint: "sts", Message: fmt.Sprintf("%s did not answer within %s", c.Domain, rt), Err: rctx.Err()}, true, 0
			}
			return "", &Error{Class: ClassBadResponse, Endpoint: "sts", Status: 200, Message: perr.Error()}, false, 0
		}
		*expiry = ParseExpiry(body)
		return tok, nil, false, 0
	}
	if oversized {
		body = body[:maxBody]
	}
	// Scrub the raw body, then the decoded text (JSON escapes can hide an echo from the first
	// pass) before clean() truncates it: a cut token is a fragment no scrub matches. Scrub once
	// more after clean(), which drops control characters that could have split an echo.
	raw, _ := rawErrorText([]byte(scrub(string(body))))
	msg := scrub(clean(scrub(raw)))
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		msg = fmt.Sprintf("the server answered with a redirect (to %q), which an Octo STS server never does; the bearer token was not sent there. Check that domain is the STS host itself, not a proxy or a moved address", clean(scrub(resp.Header.Get("Location"))))
	}
	class, retry := classify(resp.StatusCode)
	var after time.Duration
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), c.clock().Now()); ok {
			after = d
		}
	}
	return "", &Error{Class: class, Endpoint: "sts", Status: resp.StatusCode, Message: msg}, retry, after
}

// scrubJWT removes the bearer token and each of its segments from server text: a server (or a
// proxy) that echoes the Authorization header must not get it into the log.
func scrubJWT(s, jwt string) string {
	if jwt == "" {
		return s
	}
	s = strings.ReplaceAll(s, jwt, "***")
	for part := range strings.SplitSeq(jwt, ".") {
		if len(part) >= 8 {
			s = strings.ReplaceAll(s, part, "***")
		}
	}
	return s
}

// permanentNetwork says why a transport error cannot be fixed by retrying ("" when it might be):
// a host name that does not exist, or a certificate that does not verify.
func permanentNetwork(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return "the host name does not exist; check the domain (not retried)"
	}
	var verr *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &verr) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) {
		return "the server's TLS certificate does not verify; check the domain, or SSL_CERT_FILE for a private CA (not retried)"
	}
	return ""
}

// networkMessage keeps the useful part of a transport error ("connection refused",
// "certificate signed by unknown authority") without Go's nested "Get \"url\":" prefixes.
func networkMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	msg := err.Error()
	if errors.As(err, &oe) && oe.Err != nil {
		msg = oe.Op + ": " + oe.Err.Error()
	}
	if strings.Contains(msg, "certificate") {
		msg += " (for a private CA set SSL_CERT_FILE to a PEM bundle that includes it)"
	}
	return msg
}

// NewHTTPClient is the transport every outbound call uses: a clone of Go's default transport, so
// HTTPS_PROXY/NO_PROXY (ProxyFromEnvironment) and SSL_CERT_FILE keep working behind corporate
// proxies and private CAs. Timeouts come from request contexts, not the client.
func NewHTTPClient() *http.Client {
	tr := credhttp.NewTransport()
	tr.ResponseHeaderTimeout = DefaultRequestTimeout
	return &http.Client{Transport: tr}
}
