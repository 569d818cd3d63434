package check

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"

	"github.com/octo-sts/action/internal/credhttp"
	"github.com/octo-sts/action/internal/policy"
)

// maxDiscoveryBytes is the server's MaximumResponseSize for discovery and JWKS bodies (spec §1.10).
const maxDiscoveryBytes = 100 << 10

// The server's messages for the verification steps (spec §1.6 rows 4–7), from the model; the
// same in both generations.
var (
	MsgInvalidBearer = policy.ExchangeAnswer(policy.Legacy, policy.CodeBearerInvalid).Message
	MsgIssuerFormat  = policy.ExchangeAnswer(policy.Legacy, policy.CodeIssuerFormat).Message
	MsgProvider      = policy.ExchangeAnswer(policy.Legacy, policy.CodeProvider).Message
	MsgVerify        = policy.ExchangeAnswer(policy.Legacy, policy.CodeVerify).Message
)

// defaultHTTPBudget bounds discovery: the server retries unreachable issuers for minutes, we do not.
const defaultHTTPBudget = 30 * time.Second

// VerifyOptions configures signature verification: JWKS (a JWK Set JSON) selects an offline static
// key set instead of the issuer's discovery document.
type VerifyOptions struct {
	JWKS       []byte
	HTTPClient *http.Client     // for discovery and JWKS; nil uses a client with the server's limits
	Now        func() time.Time // clock for exp/nbf; nil is time.Now
}

// Verification is the outcome of checking a JWT like the server's verifier: Status and Message are
// the server's answer (0 and "" when verification passed) and Reason is the detail the server
// only logs, shown to the user as a hint.
type Verification struct {
	Checked bool
	Offline bool // verified against --jwks rather than the issuer's discovery document
	Status  int
	Message string
	Reason  string
	// Unreachable is set when discovery failed from this machine: the server (elsewhere) may
	// well reach the issuer, so the signature was not checked rather than found bad.
	Unreachable bool
}

// OK reports whether the token passed verification.
func (v *Verification) OK() bool { return v != nil && v.Checked && v.Status == 0 }

// Verify checks raw with coreos/go-oidc as the server does: discovery from the (normalised) issuer,
// the discovered algorithms, no audience check, no expiry leeway, 5 min nbf leeway. It never
// returns the token in any message.
func Verify(ctx context.Context, raw string, opts VerifyOptions) *Verification {
	res := &Verification{Checked: true, Offline: opts.JWKS != nil}
	payload, err := SplitJWT(raw)
	if err != nil {
		res.Status, res.Message, res.Reason = http.StatusBadRequest, MsgInvalidBearer, err.Error()
		return res
	}
	var head struct {
		Issuer string `json:"iss"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		res.Status, res.Message, res.Reason = http.StatusBadRequest, MsgInvalidBearer, "the payload is not a JSON object with a string iss"
		return res
	}
	iss := NormalizeIssuer(head.Issuer)
	if !policy.IsValidIssuer(iss) {
		res.Status, res.Message, res.Reason = http.StatusBadRequest, MsgIssuerFormat, fmt.Sprintf("issuer %q is not a valid OIDC issuer URL (https, no query, fragment or userinfo)", iss)
		return res
	}
	cfg := &oidc.Config{SkipClientIDCheck: true, Now: opts.Now}
	var verifier *oidc.IDTokenVerifier
	if opts.JWKS != nil {
		keys, algs, err := ParseJWKS(opts.JWKS)
		if err != nil {
			res.Status, res.Message, res.Reason = http.StatusBadRequest, MsgProvider, "--jwks: "+err.Error()
			return res
		}
		cfg.SupportedSigningAlgs = algs
		verifier = oidc.NewVerifier(iss, &oidc.StaticKeySet{PublicKeys: keys}, cfg)
	} else {
		client := opts.HTTPClient
		if client == nil {
			client = discoveryClient()
		}
		pctx := oidc.ClientContext(ctx, client)
		p, err := oidc.NewProvider(pctx, iss)
		if err != nil {
			res.Status, res.Message, res.Reason = http.StatusBadRequest, MsgProvider, "discovery for "+iss+" failed: "+err.Error()
			res.Unreachable = true
			return res
		}
		verifier = p.VerifierContext(pctx, cfg)
	}
	if _, err := verifier.Verify(ctx, raw); err != nil {
		res.Status, res.Message, res.Reason = http.StatusUnauthorized, MsgVerify, verifyReason(err)
		return res
	}
	return res
}

// verifyReason turns go-oidc's error into the explanation a user needs.
func verifyReason(err error) string {
	var exp *oidc.TokenExpiredError
	if errors.As(err, &exp) {
		if exp.Expiry.IsZero() || exp.Expiry.Unix() == 0 {
			return "the token has no exp claim; the server requires one"
		}
		return fmt.Sprintf("the token expired at %s (the server allows no clock skew on exp); mint a fresh token right before the exchange", exp.Expiry.UTC().Format(time.RFC3339))
	}
	return err.Error()
}

// ParseJWKS reads a JWK Set JSON into public keys for oidc.StaticKeySet, with the signing
// algorithms they declare (all of go-oidc's when none do).
func ParseJWKS(data []byte) ([]crypto.PublicKey, []string, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, nil, fmt.Errorf("not a JWK Set ({\"keys\":[…]}): %w", err)
	}
	var keys []crypto.PublicKey
	seen := map[string]bool{}
	var algs []string
	for i, k := range set.Keys {
		pub := k.Public()
		if !pub.Valid() {
			return nil, nil, fmt.Errorf("keys[%d] is not an RSA, EC or Ed25519 public key", i)
		}
		keys = append(keys, pub.Key)
		if k.Algorithm != "" && !seen[k.Algorithm] {
			seen[k.Algorithm] = true
			algs = append(algs, k.Algorithm)
		}
	}
	if len(keys) == 0 {
		return nil, nil, errors.New("the JWK Set has no keys")
	}
	if len(algs) == 0 {
		algs = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}
	}
	return keys, algs, nil
}

// ReadJWKS reads the --jwks file.
func ReadJWKS(path string) ([]byte, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("--jwks: %w", err)
	}
	if len(data) > maxTokenBytes {
		return nil, fmt.Errorf("--jwks %s: larger than %d bytes", path, maxTokenBytes)
	}
	return data, nil
}

// discoveryClient mirrors the server's provider client: bounded bodies and redirects only to
// valid issuers. Because it must follow the issuer across origins as the server does, it carries
// no credential at all (credhttp.Anonymous strips any a library might add).
func discoveryClient() *http.Client {
	return credhttp.Anonymous(&http.Client{
		Timeout:   defaultHTTPBudget,
		Transport: limitTransport{http.DefaultTransport},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("too many redirects")
			}
			u := *req.URL
			u.RawQuery, u.Fragment, u.Path, u.RawPath = "", "", "", ""
			if !policy.IsValidIssuer(u.String()) {
				return fmt.Errorf("redirect to %s refused (not a valid issuer URL)", u.String())
			}
			return nil
		},
	})
}

// limitTransport truncates response bodies at the server's 100 KiB, so oversized documents fail here too.
type limitTransport struct{ rt http.RoundTripper }

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = limitedBody{io.LimitReader(resp.Body, maxDiscoveryBytes), resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	c io.Closer
}

func (b limitedBody) Close() error { return b.c.Close() }
