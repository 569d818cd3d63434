package sts

import (
	"encoding/json"
	"time"
)

// maxExpiry bounds a reported expiry: GitHub installation tokens live one hour, so a later time is
// a misbehaving server and is ignored rather than promised to the user.
const maxExpiry = time.Hour + 5*time.Minute

// ParseExpiry reads the optional "expiry" of a successful exchange body (protojson of
// RawToken{token, refresh_token, expiry}: an RFC 3339 timestamp, or null as Octo STS sends today).
// It returns the zero time when absent, unparsable or implausible.
func ParseExpiry(body []byte) time.Time {
	var v struct {
		Expiry *string `json:"expiry"`
	}
	if json.Unmarshal(body, &v) != nil || v.Expiry == nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, *v.Expiry)
	if err != nil {
		return time.Time{}
	}
	return t
}

// PlausibleExpiry reports whether exp, reported at now, is within a token's lifetime.
func PlausibleExpiry(exp, now time.Time) bool {
	return !exp.IsZero() && exp.After(now) && exp.Sub(now) <= maxExpiry
}
