package lint

import (
	"os"
	"path/filepath"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/octo-sts/action/internal/policy"
)

// checkLenientSkip fails when compileCanFail says Compile cannot refuse a file that a lenient
// decode then shows it would (the skipped second decode would have found something).
func checkLenientSkip(t *testing.T, data []byte, kind policy.Kind) {
	t.Helper()
	f := newFile(".github/chainguard/x.sts.yaml", data, kind, Options{})
	f.parseNodes()
	if _, _, bomb := aliasBomb(f.root); bomb || f.compileCanFail() {
		return
	}
	var otp policy.OrgTrustPolicy
	target := any(&otp)
	if kind == policy.KindRepo {
		target = &otp.TrustPolicy
	}
	if err := sigsyaml.Unmarshal(data, target); err != nil {
		return
	}
	for _, g := range policy.Generations {
		if ps := otp.TrustPolicy.ProblemsFor(g); len(ps) > 0 {
			t.Fatalf("%q: compileCanFail said no, but %s's Compile refuses: %v", data, g, ps[0])
		}
	}
}

var lenientSeeds = []string{
	"issuer: x\nsubject: y\npermissions: {pull-requests: write}\n",
	"issuer: x\nsubject: y\nISSUER: ''\nbogus: 1\n",
	"issuer: x\nsubject: y\niſſuer: ''\nbogus: 1\n",
	"issuer: x\nsubject: ~\nbogus: 1\n",
	"Issuer: x\nSubject: \"\"\nbogus: 1\n",
	"a: &a {issuer: x, subject: ''}\n<<: *a\nissuer: x\nbogus: 1\n",
	"issuer: x\nsubject: y\nclaim_patterN: {a: '('}\nbogus: 1\n",
}

func TestCompileCanFail(t *testing.T) {
	for _, s := range lenientSeeds {
		checkLenientSkip(t, []byte(s), policy.KindRepo)
	}
	for _, dir := range []string{"ok", "err"} {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "lint", dir, "*", "*.yaml"))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			checkLenientSkip(t, data, policy.KindRepo)
			checkLenientSkip(t, data, policy.KindOrg)
		}
	}
}

func FuzzCompileCanFail(f *testing.F) {
	for _, s := range lenientSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 2048 {
			return
		}
		checkLenientSkip(t, data, policy.KindRepo)
		checkLenientSkip(t, data, policy.KindOrg)
	})
}
