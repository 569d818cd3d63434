// Package check evaluates an OIDC token's claims against an Octo STS trust policy with the server's
// exact semantics and explains the result, so "my exchange fails with 403/404, why?" has a local answer.
package check

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// maxTokenBytes bounds a JWT or claims document read from a file; real ID tokens are a few KiB.
const maxTokenBytes = 1 << 20

// Claims is a token as the server sees it after decoding: the ID-token struct fields (decoded by
// encoding/json, so key matching is case-insensitive and the last matching key wins) and the raw
// top-level claims map that claim_pattern reads (spec §8.11).
type Claims struct {
	Issuer   string   // "iss" as the ID-token struct decodes it
	Subject  string   // "sub" as the ID-token struct decodes it
	Audience []string // "aud": a string becomes a one-element list, null one empty audience
	Expiry   time.Time
	IssuedAt time.Time
	// NotBefore is nil when the token has no nbf.
	NotBefore *time.Time
	// Raw is the top-level claims object exactly as JSON decoded it (numbers as float64).
	Raw map[string]any
}

// idToken mirrors go-oidc's unexported idToken struct (v3.21.0 oidc.go): same field types and tags,
// so a claim that go-oidc cannot decode is refused here too.
type idToken struct {
	Issuer       string                 `json:"iss"`
	Subject      string                 `json:"sub"`
	Audience     audience               `json:"aud"`
	Expiry       jsonTime               `json:"exp"`
	IssuedAt     jsonTime               `json:"iat"`
	NotBefore    *jsonTime              `json:"nbf"`
	Nonce        string                 `json:"nonce"`
	AtHash       string                 `json:"at_hash"`
	ClaimNames   map[string]string      `json:"_claim_names"`
	ClaimSources map[string]claimSource `json:"_claim_sources"`
}

type claimSource struct {
	Endpoint    string `json:"endpoint"`
	AccessToken string `json:"access_token"`
}

// audience decodes like go-oidc's: a string (null included, as "") or a list of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*a = audience{s}
		return nil
	}
	var auds []string
	if err := json.Unmarshal(b, &auds); err != nil {
		return err
	}
	*a = auds
	return nil
}

// jsonTime decodes like go-oidc's: a JSON number or numeric string of Unix seconds.
type jsonTime time.Time

func (j *jsonTime) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	var unix int64
	if t, err := n.Int64(); err == nil {
		unix = t
	} else {
		f, err := n.Float64()
		if err != nil {
			return err
		}
		unix = int64(f)
	}
	*j = jsonTime(time.Unix(unix, 0))
	return nil
}

// ErrUndecodable marks a token payload the server cannot decode; the exchange answers it with
// 400 "invalid bearer token" before looking at any policy.
var ErrUndecodable = errors.New(MsgInvalidBearer)

// ParseClaims decodes a JWT payload (or a claims file) the way the server does: the raw top-level
// object for claim_pattern and the ID-token struct for iss/sub/aud. The error wraps ErrUndecodable
// and names what is wrong, never the input itself.
func ParseClaims(payload []byte) (*Claims, error) {
	payload = bytes.TrimPrefix(payload, []byte("\xef\xbb\xbf"))
	var raw map[string]any
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, fmt.Errorf("%w: the claims are not a JSON object: %s", ErrUndecodable, jsonError(err))
	}
	if raw == nil {
		// JSON null decodes into the server's structs as "no claims"; it then fails on the empty issuer.
		raw = map[string]any{}
	}
	var t idToken
	if err := json.Unmarshal(payload, &t); err != nil {
		return nil, fmt.Errorf("%w: a standard claim has the wrong JSON type: %s", ErrUndecodable, jsonError(err))
	}
	c := &Claims{
		Issuer:   t.Issuer,
		Subject:  t.Subject,
		Audience: []string(t.Audience),
		Expiry:   time.Time(t.Expiry),
		IssuedAt: time.Time(t.IssuedAt),
		Raw:      raw,
	}
	if t.NotBefore != nil {
		nb := time.Time(*t.NotBefore)
		c.NotBefore = &nb
	}
	return c, nil
}

// jsonError keeps encoding/json's description but drops any quoted input it may echo.
func jsonError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("claim %q cannot be a JSON %s", te.Field, te.Value)
		}
		return fmt.Sprintf("expected an object, got a JSON %s", te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("JSON syntax error at byte %d", se.Offset)
	}
	return "not valid JSON"
}

// SplitJWT returns the base64url-decoded payload of a compact JWT the way the server's ExtractIssuer
// reads it: split on ".", at least two parts, part 1 decoded as unpadded base64url. It verifies
// nothing; errors never contain the token.
func SplitJWT(jwt string) ([]byte, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("%w: a JWT has dot-separated parts (header.payload.signature), this has %d", ErrUndecodable, len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: the payload (second part) is not unpadded base64url", ErrUndecodable)
	}
	return payload, nil
}

// ParseJWT decodes the claims of a compact JWT without verifying it (see Verify for that).
func ParseJWT(jwt string) (*Claims, error) {
	payload, err := SplitJWT(jwt)
	if err != nil {
		return nil, err
	}
	return ParseClaims(payload)
}

// NormalizeIssuer applies the one rewrite the server's ExtractIssuer makes before validating and
// fetching discovery: Google's schemeless issuer gains its scheme.
func NormalizeIssuer(iss string) string {
	if iss == "accounts.google.com" {
		return "https://accounts.google.com"
	}
	return iss
}

// TokenArg resolves the --token argument: a JWT itself, "@path" for a file, "@-" for stdin. A
// leading "Bearer " is removed exactly as the server removes it. Errors name the flag, never the token.
func TokenArg(arg string, stdin io.Reader) (string, error) {
	raw := arg
	if rest, ok := strings.CutPrefix(arg, "@"); ok {
		var data []byte
		var err error
		switch rest {
		case "":
			return "", errors.New("--token @: give a file name after @ (or @- for stdin)")
		case "-":
			if stdin == nil {
				return "", errors.New("--token @-: no standard input")
			}
			data, err = io.ReadAll(io.LimitReader(stdin, maxTokenBytes+1))
		default:
			data, err = readLimited(rest)
		}
		if err != nil {
			return "", fmt.Errorf("--token %s: %w", arg, err)
		}
		if len(data) > maxTokenBytes {
			return "", fmt.Errorf("--token %s: larger than %d bytes; is it really a JWT?", arg, maxTokenBytes)
		}
		raw = string(data)
	}
	raw = strings.TrimSpace(raw)
	raw = strings.TrimPrefix(raw, "Bearer ")
	if raw == "" {
		return "", errors.New("--token: empty; pass the JWT, @file or @- for stdin")
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", errors.New("--token: the token contains whitespace or control characters; pass exactly one JWT")
	}
	if strings.Count(raw, ".") < 1 {
		return "", errors.New("--token: not a JWT (header.payload.signature); to check a claims JSON file use --claims")
	}
	return raw, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxTokenBytes+1))
}

// ReadClaimsFile reads a --claims JSON file (the decoded payload, e.g. printed by the action's
// debug mode) and parses it like a token payload.
func ReadClaimsFile(path string, stdin io.Reader) (*Claims, error) {
	var data []byte
	var err error
	if path == "-" {
		if stdin == nil {
			return nil, errors.New("--claims -: no standard input")
		}
		data, err = io.ReadAll(io.LimitReader(stdin, maxTokenBytes+1))
	} else {
		data, err = readLimited(path)
	}
	if err != nil {
		return nil, fmt.Errorf("--claims: %w", err)
	}
	if len(data) > maxTokenBytes {
		return nil, fmt.Errorf("--claims %s: larger than %d bytes", path, maxTokenBytes)
	}
	c, err := ParseClaims(data)
	if err != nil {
		return nil, fmt.Errorf("--claims %s: %w", path, err)
	}
	return c, nil
}

// ClaimText renders a raw claim for a table cell: strings as they are, everything else as JSON.
func ClaimText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	return strings.TrimSuffix(string(marshal(v, false)), "\n")
}
