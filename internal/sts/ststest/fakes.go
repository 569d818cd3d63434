package ststest

import "testing"

// Fakes is the three services an exchange touches, wired so every token the STS mints is
// revocable at the GitHub API; it saves each test that drives a whole exchange from wiring them.
type Fakes struct {
	ID  *IDTokenServer
	STS *STS
	API *GitHubAPI
}

// Start starts the three fakes on loopback, the STS holding a policy for scope and identity, and
// stops them when t ends.
func Start(t testing.TB, signer *Signer, scope, identity string) *Fakes {
	t.Helper()
	id, err := NewIDTokenServer("", signer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(id.Close)
	s, err := NewSTS("", signer, scope, identity)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	api, err := NewGitHubAPI("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	s.OnMint = api.Accept
	return &Fakes{ID: id, STS: s, API: api}
}
