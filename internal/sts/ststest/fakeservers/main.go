// Command fakeservers runs the ststest fakes as one process for the container test: it starts
// the ID-token endpoint, a TLS Octo STS and a GitHub API on loopback, writes their URLs and the
// STS CA certificate into -dir, logs every issued JWT, minted token and revocation there, and
// serves a control endpoint to script the STS. It stops on SIGINT/SIGTERM.
package main

import (
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/octo-sts/action/internal/secret"
	"github.com/octo-sts/action/internal/sts/ststest"
)

func main() {
	dir := flag.String("dir", "", "directory for fakes.env, ca.pem and logs (required)")
	scope := flag.String("scope", "octo-org/app", "scope the fake STS has a policy for")
	identity := flag.String("identity", "deploy", "identity the fake STS has a policy for")
	flag.Parse()
	if *dir == "" {
		log.Fatal("-dir is required")
	}
	signer, err := ststest.NewSigner()
	check(err)
	id, err := ststest.NewIDTokenServer("", signer)
	check(err)
	defer id.Close()
	s, err := ststest.NewSTS("", signer, *scope, *identity)
	check(err)
	defer s.Close()
	api, err := ststest.NewGitHubAPI("")
	check(err)
	defer api.Close()

	var mu sync.Mutex
	appendLine := func(name, line string) {
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(filepath.Join(*dir, name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		check(err)
		defer f.Close()
		_, err = fmt.Fprintln(f, line)
		check(err)
	}
	id.OnIssue = func(jwt string) { appendLine("jwt.log", jwt) }
	s.OnMint = func(tok string) { api.Accept(tok); appendLine("minted.log", tok) }
	api.OnRevoke = func(tok string) { appendLine("revoked.log", tok) }

	ctl, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	mux := http.NewServeMux()
	mux.HandleFunc("/script", func(w http.ResponseWriter, r *http.Request) {
		s.Script(strings.Split(r.URL.Query().Get("steps"), ",")...)
		fmt.Fprintln(w, "ok")
	})
	// /stateless switches the STS to a 520-character stateless token and answers "token hash".
	mux.HandleFunc("/stateless", func(w http.ResponseWriter, r *http.Request) {
		tok := ststest.StatelessToken()
		s.SetToken(tok)
		fmt.Fprintln(w, tok, secret.Hash(tok))
	})
	go func() { _ = http.Serve(ctl, mux) }()

	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	check(os.WriteFile(filepath.Join(*dir, "ca.pem"), ca, 0o644))
	env := fmt.Sprintf("ID_URL=%s\nID_REQUEST_TOKEN=%s\nSTS_DOMAIN=%s\nAPI_URL=%s\nGH_TOKEN=%s\nGH_TOKEN_HASH=%s\nCONTROL_ADDR=%s\n",
		id.RequestURL, id.RequestToken, s.Domain, api.URL, s.Token, secret.Hash(s.Token), ctl.Addr())
	tmp := filepath.Join(*dir, "fakes.env.tmp")
	check(os.WriteFile(tmp, []byte(env), 0o600))
	check(os.Rename(tmp, filepath.Join(*dir, "fakes.env")))
	log.Printf("fakes ready: STS https://%s, ID token %s, API %s", s.Domain, id.URL, api.URL)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
