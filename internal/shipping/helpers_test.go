package shipping

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/octo-sts/action/internal/sts/ststest"
)

// repoRoot is the repository's top directory (this package lives two levels below it).
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

var (
	buildOnce sync.Once
	binPath   string
	binErr    error
	binDir    string
)

// binary builds cmd/octo-sts once per test process: the tests run the shipped binary, not a
// function, so flag parsing, exit codes and the real HTTP client are part of what is tested.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "octo-sts-shipping-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "octo-sts"+exeSuffix)
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/octo-sts")
		cmd.Dir = repoRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = &buildError{err: err, out: string(out)}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string {
	return "go build ./cmd/octo-sts: " + e.err.Error() + "\n" + e.out
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// exeSuffix is the executable file extension of this OS.
var exeSuffix = map[bool]string{true: ".exe"}[runtime.GOOS == "windows"]

// fakes are the three loopback services of an exchange, plus the STS CA as a PEM file so a
// separate process trusts the TLS fake through SSL_CERT_FILE.
type fakes struct {
	id  *ststest.IDTokenServer
	sts *ststest.STS
	api *ststest.GitHubAPI
	ca  string
}

var signer = func() *ststest.Signer {
	s, err := ststest.NewSigner()
	if err != nil {
		panic(err)
	}
	return s
}()

func startFakes(t testing.TB, scope, identity string) *fakes {
	t.Helper()
	f := ststest.Start(t, signer, scope, identity)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.STS.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &fakes{id: f.ID, sts: f.STS, api: f.API, ca: ca}
}

// actionInputs reads an action metadata file's inputs and their defaults.
func actionInputs(t testing.TB, path string) map[string]*string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Inputs map[string]struct {
			Default *string `json:"default"`
		} `json:"inputs"`
	}
	if err := yaml.Unmarshal(b, &meta); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(meta.Inputs) == 0 {
		t.Fatalf("%s declares no inputs", path)
	}
	out := map[string]*string{}
	for k, v := range meta.Inputs {
		out[k] = v.Default
	}
	return out
}

// workflowToken is what `${{ github.token }}` evaluates to in these tests.
const workflowToken = "ghs_workflowtoken000000000000000"

// inputEnv is the INPUT_* environment the runner gives an action for a step's `with:`: every
// declared input, the step's value or else the evaluated default, under its upper-cased name
// with hyphens kept.
func inputEnv(t testing.TB, metadata string, with map[string]string) []string {
	t.Helper()
	decl := actionInputs(t, metadata)
	var env []string
	for name, def := range decl {
		v, ok := with[name]
		if !ok && def != nil {
			v = strings.ReplaceAll(*def, "${{ github.token }}", workflowToken)
		}
		if !ok && def == nil {
			continue
		}
		env = append(env, "INPUT_"+strings.ToUpper(strings.ReplaceAll(name, " ", "_"))+"="+v)
	}
	for name := range with {
		if _, ok := decl[name]; !ok {
			t.Fatalf("%s has no input %q: a v1 workflow using it would get a warning", metadata, name)
		}
	}
	return env
}

// job is one runner job's file-command files and workspace.
type job struct {
	dir string
}

func newJob(t testing.TB) *job {
	t.Helper()
	j := &job{dir: t.TempDir()}
	for _, f := range []string{"output", "state", "env", "summary"} {
		if err := os.WriteFile(j.path(f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(j.path("workspace"), 0o700); err != nil {
		t.Fatal(err)
	}
	return j
}

func (j *job) path(name string) string { return filepath.Join(j.dir, name) }

// runnerEnv is the environment the runner sets for any action step of a push to main.
func (j *job) runnerEnv(f *fakes) []string {
	env := []string{
		"GITHUB_ACTIONS=true", "CI=true",
		"HOME=" + j.dir, "PATH=" + os.Getenv("PATH"),
		"GITHUB_WORKSPACE=" + j.path("workspace"),
		"GITHUB_EVENT_NAME=push", "GITHUB_REPOSITORY=octo-org/app", "GITHUB_ACTOR=octocat",
		"GITHUB_API_URL=" + f.api.URL,
		"GITHUB_OUTPUT=" + j.path("output"), "GITHUB_STATE=" + j.path("state"),
		"GITHUB_ENV=" + j.path("env"), "GITHUB_STEP_SUMMARY=" + j.path("summary"),
		"ACTIONS_ID_TOKEN_REQUEST_URL=" + f.id.RequestURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN=" + f.id.RequestToken,
		"SSL_CERT_FILE=" + f.ca,
	}
	if runtime.GOOS == "windows" {
		env = append(env, "SystemRoot="+os.Getenv("SystemRoot")) // Windows processes need it
	}
	return env
}

// fileCommands parses a GITHUB_OUTPUT/GITHUB_STATE/GITHUB_ENV file (heredoc entries only: the
// binary never writes the one-line form, which could be split by a value).
func fileCommands(t testing.TB, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok || i+2 >= len(lines) || lines[i+2] != delim {
			t.Fatalf("%s: malformed entry at line %d:\n%s", path, i+1, b)
		}
		out[name] = lines[i+1]
		i += 2
	}
	return out
}

// stateEnv turns the state file into the STATE_* variables the runner gives the post step.
func stateEnv(t testing.TB, j *job) []string {
	var env []string
	for k, v := range fileCommands(t, j.path("state")) {
		env = append(env, "STATE_"+k+"="+v)
	}
	return env
}

// run executes a command with exactly env and returns its exit code and stdout+stderr; a
// command still running after a minute is killed and fails the test.
func run(t testing.TB, env []string, name string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v did not finish within a minute:\n%s", name, args, out.String())
	}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String()
		}
		t.Fatalf("%s: %v", name, err)
	}
	return 0, out.String()
}
