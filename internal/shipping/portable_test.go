package shipping

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

const portableVersion = "v9.9.9"

// portableAsset is the release asset the portable entry point picks on this machine.
var portableAsset = fmt.Sprintf("octo-sts-%s-%s%s", runtime.GOOS, runtime.GOARCH, exeSuffix)

// releaseServer fakes GitHub's release downloads over TLS: the asset URL redirects to a
// storage URL, as github.com does, which serves the bytes.
type releaseServer struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	gets  int
}

func newReleaseServer(t *testing.T, files map[string][]byte) *releaseServer {
	t.Helper()
	r := &releaseServer{files: files}
	r.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if name, ok := strings.CutPrefix(req.URL.Path, "/download/"+portableVersion+"/"); ok {
			http.Redirect(w, req, "/objects/"+name, http.StatusFound)
			return
		}
		r.mu.Lock()
		b, ok := r.files[strings.TrimPrefix(req.URL.Path, "/objects/")]
		r.gets++
		r.mu.Unlock()
		if !ok {
			http.NotFound(w, req)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *releaseServer) downloads() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gets
}

// connectProxy is an HTTPS_PROXY on loopback that records the CONNECT targets it tunnels.
type connectProxy struct {
	*httptest.Server
	mu      sync.Mutex
	targets []string
}

func newConnectProxy(t *testing.T) *connectProxy {
	t.Helper()
	p := &connectProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		p.mu.Lock()
		p.targets = append(p.targets, req.Host)
		p.mu.Unlock()
		up, err := net.Dial("tcp", req.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		go func() { _, _ = io.Copy(up, conn); up.Close() }()
		_, _ = io.Copy(conn, up)
		conn.Close()
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *connectProxy) tunnels() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

// portableCheckout copies portable/ as a workflow sees it at a release ref: the action files
// plus VERSION and checksums.txt (omitted when sums is nil, as on a branch).
func portableCheckout(t *testing.T, sums map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "portable")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(repoRoot(t), "portable")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "VERSION" || e.Name() == "checksums.txt" || e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if sums != nil {
		var b strings.Builder
		for name, sum := range sums {
			fmt.Fprintf(&b, "%s  %s\n", sum, name)
		}
		if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "VERSION"), []byte(portableVersion+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// portableEnv is a job's environment for the portable action: the runner's variables, the
// v1 inputs with portable/action.yml's defaults, a fresh RUNNER_TEMP, the loopback release as
// the download base, the proxy, and the release server's CA for Node.
func portableEnv(t *testing.T, j *job, f *fakes, rel *releaseServer, proxy string) []string {
	t.Helper()
	ca := filepath.Join(j.dir, "release-ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rel.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	with := map[string]string{"scope": "octo-org/app", "identity": "deploy", "domain": f.sts.Domain}
	env := append(j.runnerEnv(f), inputEnv(t, filepath.Join(repoRoot(t), "portable", "action.yml"), with)...)
	env = append(env,
		"RUNNER_TEMP="+j.path("runner-temp"),
		"OCTO_STS_PORTABLE_BASE_URL="+rel.URL+"/download/"+portableVersion,
		"NODE_EXTRA_CA_CERTS="+ca,
	)
	if proxy != "" {
		env = append(env, "HTTPS_PROXY="+proxy, "NO_PROXY=")
	}
	return env
}

func nodeBinary(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skip: node is not installed; the portable entry point is a Node action")
	}
	return node
}

// TestPortable runs portable/main.js and post.js with Node against a loopback release and the
// fakes: download through HTTPS_PROXY, checksum verified, the real binary exchanging and
// revoking; and refuses bytes whose checksum differs from the committed one.
func TestPortable(t *testing.T) {
	node := nodeBinary(t)
	good, err := os.ReadFile(binary(t))
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{portableAsset: sha256Hex(good), "octo-sts-plan9-mips": strings.Repeat("0", 64)}

	t.Run("main and post through a proxy", func(t *testing.T) {
		f := startFakes(t, "octo-org/app", "deploy")
		rel := newReleaseServer(t, map[string][]byte{portableAsset: good})
		proxy := newConnectProxy(t)
		action := portableCheckout(t, sums)
		j := newJob(t)
		env := portableEnv(t, j, f, rel, proxy.URL)
		code, log := run(t, env, node, filepath.Join(action, "main.js"))
		if code != 0 {
			t.Fatalf("main.js exited %d:\n%s", code, log)
		}
		checkV1Main(t, j, f, log)
		if !strings.Contains(log, "SHA-256 "+sums[portableAsset]+" verified") {
			t.Errorf("main does not report the verified checksum:\n%s", log)
		}
		relHost := strings.TrimPrefix(rel.URL, "https://")
		if got := proxy.tunnels(); len(got) != 2 || got[0] != relHost || got[1] != relHost {
			t.Errorf("proxy tunnels = %v, want the asset URL and its redirect, both to %s", got, relHost)
		}
		code, postLog := run(t, append(env, stateEnv(t, j)...), node, filepath.Join(action, "post.js"))
		if code != 0 {
			t.Fatalf("post.js exited %d:\n%s", code, postLog)
		}
		if got := f.api.Revoked(); len(got) != 1 || got[0] != f.sts.Token {
			t.Fatalf("post revoked %v, want the minted token:\n%s", got, postLog)
		}
		if n := rel.downloads(); n != 1 {
			t.Errorf("post downloaded again (%d downloads), want it to reuse the verified binary", n)
		}
		assertNoLeak(t, f.sts.Token, log+postLog)
	})

	t.Run("refuses a binary whose checksum differs", func(t *testing.T) {
		f := startFakes(t, "octo-org/app", "deploy")
		tampered := append(append([]byte(nil), good...), 0)
		rel := newReleaseServer(t, map[string][]byte{portableAsset: tampered})
		action := portableCheckout(t, sums)
		j := newJob(t)
		env := portableEnv(t, j, f, rel, "")
		code, log := run(t, env, node, filepath.Join(action, "main.js"))
		if code != 1 {
			t.Fatalf("main.js exited %d, want 1:\n%s", code, log)
		}
		if !strings.Contains(log, "::error title=octo-sts%3A portable entry point::checksum mismatch for "+portableAsset) ||
			!strings.Contains(log, "got SHA-256 "+sha256Hex(tampered)) || !strings.Contains(log, "Refusing to run it") {
			t.Errorf("no checksum-mismatch error naming both hashes:\n%s", log)
		}
		if n := len(f.id.Issued()); n != 0 || f.sts.Requests() != 0 {
			t.Errorf("the tampered binary ran: %d ID tokens, %d exchanges", n, f.sts.Requests())
		}
		left, _ := filepath.Glob(filepath.Join(j.path("runner-temp"), "octo-sts-portable", "*", "*"))
		if len(left) != 0 {
			t.Errorf("the refused download was left on disk: %v", left)
		}
		code, postLog := run(t, append(env, stateEnv(t, j)...), node, filepath.Join(action, "post.js"))
		if code != 0 || strings.TrimSpace(postLog) != "" || f.sts.Requests() != 0 {
			t.Errorf("post after a refused main: exit %d, output %q, %d exchanges; want a silent no-op", code, postLog, f.sts.Requests())
		}
	})

	t.Run("post re-verifies the cached binary", func(t *testing.T) {
		f := startFakes(t, "octo-org/app", "deploy")
		rel := newReleaseServer(t, map[string][]byte{portableAsset: good})
		action := portableCheckout(t, sums)
		j := newJob(t)
		env := portableEnv(t, j, f, rel, "")
		if code, log := run(t, env, node, filepath.Join(action, "main.js")); code != 0 {
			t.Fatalf("main.js exited %d:\n%s", code, log)
		}
		cached := filepath.Join(j.path("runner-temp"), "octo-sts-portable", sums[portableAsset], portableAsset)
		if err := os.WriteFile(cached, []byte("#!/bin/sh\necho replaced\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		code, postLog := run(t, append(env, stateEnv(t, j)...), node, filepath.Join(action, "post.js"))
		if code != 0 || strings.Contains(postLog, "replaced") {
			t.Fatalf("post ran the replaced binary or failed (exit %d):\n%s", code, postLog)
		}
		if rel.downloads() != 2 || len(f.api.Revoked()) != 1 {
			t.Errorf("post did not fetch a verified copy and revoke: %d downloads, %d revocations", rel.downloads(), len(f.api.Revoked()))
		}
	})

	t.Run("errors do not print a mirror's password", func(t *testing.T) {
		f := startFakes(t, "octo-org/app", "deploy")
		rel := newReleaseServer(t, map[string][]byte{})
		action := portableCheckout(t, sums)
		j := newJob(t)
		mirror := strings.Replace(rel.URL, "https://", "https://mirror-user:s3cret-mirror-pw@", 1) + "/download/" + portableVersion
		env := append(portableEnv(t, j, f, rel, ""), "OCTO_STS_PORTABLE_BASE_URL="+mirror)
		code, log := run(t, env, node, filepath.Join(action, "main.js"))
		want := "GET " + rel.URL + "/download/" + portableVersion + "/" + portableAsset + " answered 404"
		if code != 1 || !strings.Contains(log, want) {
			t.Errorf("exit %d, want 1 and %q:\n%s", code, want, log)
		}
		if strings.Contains(log, "s3cret-mirror-pw") || strings.Contains(log, "mirror-user") {
			t.Errorf("the error prints the mirror's credentials:\n%s", log)
		}
	})

	t.Run("a base URL that is not a URL says how to set it", func(t *testing.T) {
		f := startFakes(t, "octo-org/app", "deploy")
		rel := newReleaseServer(t, map[string][]byte{portableAsset: good})
		action := portableCheckout(t, sums)
		j := newJob(t)
		env := append(portableEnv(t, j, f, rel, ""), "OCTO_STS_PORTABLE_BASE_URL=mirror.example/pw-secret")
		code, log := run(t, env, node, filepath.Join(action, "main.js"))
		want := "OCTO_STS_PORTABLE_BASE_URL is not a URL: set it to the https:// address"
		if code != 1 || !strings.Contains(log, want) || strings.Contains(log, "pw-secret") || rel.downloads() != 0 {
			t.Errorf("exit %d, %d downloads, want 1, none and %q without the value:\n%s", code, rel.downloads(), want, log)
		}
	})

	t.Run("a bad proxy setting is named, its value never printed", func(t *testing.T) {
		f := startFakes(t, "octo-org/app", "deploy")
		rel := newReleaseServer(t, map[string][]byte{portableAsset: good})
		action := portableCheckout(t, sums)
		for _, c := range []struct{ variable, value, want string }{
			{"HTTPS_PROXY", "http://user:pw-secret@[bad", "HTTPS_PROXY is not a URL: set it to http://host:port"},
			{"HTTPS_PROXY", "socks5://user:pw-secret@127.0.0.1:1080", "HTTPS_PROXY is a socks5:// proxy: only http:// proxies are supported"},
			{"https_proxy", "socks5://user:pw-secret@127.0.0.1:1080", "https_proxy is a socks5:// proxy"},
		} {
			j := newJob(t)
			env := append(portableEnv(t, j, f, rel, ""), c.variable+"="+c.value, "NO_PROXY=")
			code, log := run(t, env, node, filepath.Join(action, "main.js"))
			if code != 1 || !strings.Contains(log, c.want) || rel.downloads() != 0 {
				t.Errorf("%s=%s: exit %d, %d downloads, want 1, none and %q:\n%s", c.variable, c.value, code, rel.downloads(), c.want, log)
			}
			if strings.Contains(log, "pw-secret") {
				t.Errorf("%s=%s: the error prints the proxy's password:\n%s", c.variable, c.value, log)
			}
		}
	})

	t.Run("a ref without release checksums", func(t *testing.T) {
		f := startFakes(t, "octo-org/app", "deploy")
		rel := newReleaseServer(t, map[string][]byte{portableAsset: good})
		action := portableCheckout(t, nil)
		j := newJob(t)
		code, log := run(t, portableEnv(t, j, f, rel, ""), node, filepath.Join(action, "main.js"))
		if code != 1 || !strings.Contains(log, "carries no release checksums") || rel.downloads() != 0 {
			t.Errorf("exit %d, %d downloads, want 1 and none with a clear error:\n%s", code, rel.downloads(), log)
		}
	})
}

// TestPortableMatchesAction: both entry points take the same inputs with the same defaults and
// give the same outputs, so switching `uses:` between them needs no other edit.
func TestPortableMatchesAction(t *testing.T) {
	root := repoRoot(t)
	a, p := actionInputs(t, filepath.Join(root, "action.yml")), actionInputs(t, filepath.Join(root, "portable", "action.yml"))
	if len(a) != len(p) {
		t.Errorf("action.yml has %d inputs, portable/action.yml %d", len(a), len(p))
	}
	for name, def := range a {
		pdef, ok := p[name]
		switch {
		case !ok:
			t.Errorf("portable/action.yml lacks input %q", name)
		case (def == nil) != (pdef == nil) || (def != nil && *def != *pdef):
			t.Errorf("input %q: defaults differ between action.yml and portable/action.yml", name)
		}
	}
	if outputsBlock(t, filepath.Join(root, "action.yml")) != outputsBlock(t, filepath.Join(root, "portable", "action.yml")) {
		t.Error("the outputs: blocks of action.yml and portable/action.yml differ")
	}
}

// outputsBlock is an action metadata file's outputs: section, verbatim.
func outputsBlock(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, "\noutputs:\n"), strings.Index(s, "\nruns:\n")
	if i < 0 || j < i {
		t.Fatalf("%s: no outputs: section before runs:", path)
	}
	return s[i:j]
}
