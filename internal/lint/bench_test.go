package lint

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/octo-sts/action/internal/policy"
)

// benchCorpus generates n realistic, varied repository policies (clean and with findings).
func benchCorpus(n int) [][]byte {
	out := make([][]byte, n)
	for i := range n {
		out[i] = benchPolicy(i)
	}
	return out
}

// benchPolicy is the i-th policy of benchCorpus.
func benchPolicy(i int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# policy %d\n", i)
	switch i % 4 {
	case 0:
		b.WriteString("issuer: https://token.actions.githubusercontent.com\n")
		fmt.Fprintf(&b, "subject: repo:org%d/repo%d:ref:refs/heads/main\n", i%97, i)
	case 1:
		b.WriteString("issuer_pattern: https://token\\.actions\\.githubusercontent\\.com\n")
		fmt.Fprintf(&b, "subject_pattern: repo:org%d/repo%d:ref:refs/(heads/main|tags/v[0-9]+)\n", i%97, i)
		fmt.Fprintf(&b, "claim_pattern:\n  job_workflow_ref: org%d/repo%d/\\.github/workflows/release\\.yaml@refs/heads/main\n  event_name: (push|workflow_dispatch)\n", i%97, i)
	case 2:
		b.WriteString("issuer: https://token.actions.githubusercontent.com\n")
		fmt.Fprintf(&b, "subject_pattern: repo:org%d/.*\n", i%97)
		b.WriteString("audience: octo-sts.dev\n")
	case 3:
		b.WriteString("Issuer: https://accounts.google.com\n")
		fmt.Fprintf(&b, "subject: \"%d\"\n", 100000+i)
		b.WriteString("permissions: {pull-requests: write}\n")
	}
	if i%4 != 3 {
		b.WriteString("permissions:\n  contents: read\n  pull_requests: write\n  issues: write\n  workflows: write\n")
	}
	return b.Bytes()
}

const benchFiles = 10000

// BenchmarkLint10k lints 10,000 generated policies per iteration and reports files/s; compare
// with BenchmarkUnmarshalStrict10k, the server's bare decode of the same files.
func BenchmarkLint10k(b *testing.B) {
	corpus := benchCorpus(benchFiles)
	o := Options{Repository: "acme/app"}
	Bytes("warm.sts.yaml", corpus[0], o) // compile schemas outside the timer
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		for i, data := range corpus {
			Bytes(".github/chainguard/p"+strconv.Itoa(i)+".sts.yaml", data, o)
		}
	}
	b.ReportMetric(float64(b.N*benchFiles)/time.Since(start).Seconds(), "files/s")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

// BenchmarkLintParallel10k lints the corpus on all cores in one pass, as Stream does for
// `octo-sts lint` with a directory (without the walk and reads).
func BenchmarkLintParallel10k(b *testing.B) {
	corpus := benchCorpus(benchFiles)
	inputs := make([]Input, len(corpus))
	for i, data := range corpus {
		inputs[i] = Input{Path: ".github/chainguard/p" + strconv.Itoa(i) + ".sts.yaml", Data: data}
	}
	o := Options{Repository: "acme/app"}
	Bytes("warm.sts.yaml", corpus[0], o)
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		Many(inputs, o)
	}
	b.ReportMetric(float64(b.N*benchFiles)/time.Since(start).Seconds(), "files/s")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

func BenchmarkUnmarshalStrict10k(b *testing.B) {
	corpus := benchCorpus(benchFiles)
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		for _, data := range corpus {
			var tp policy.TrustPolicy
			_ = yaml.UnmarshalStrict(data, &tp)
		}
	}
	b.ReportMetric(float64(b.N*benchFiles)/time.Since(start).Seconds(), "files/s")
}

// peakRSSMiB reads the process's high-water resident set size (Linux), 0 elsewhere.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// benchTree writes n generated policies under a fresh .github/chainguard and returns its root.
func benchTree(b *testing.B, n int) string {
	b.Helper()
	root := b.TempDir()
	dir := filepath.Join(root, ".github", "chainguard")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range n { // one at a time: the tree, not the benchmark, holds the corpus
		if err := os.WriteFile(filepath.Join(dir, "p"+strconv.Itoa(i)+".sts.yaml"), benchPolicy(i), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return root
}

// benchStream is `octo-sts lint` on a tree of n files: walk, read and lint on every core,
// findings handed over file by file (counted, then dropped). Run one size per process (-bench
// 'Stream10k$') for a meaningful peak-RSS-MiB: the high-water mark never goes down.
func benchStream(b *testing.B, n int) {
	root := benchTree(b, n)
	o := Options{Repository: "acme/app"}
	Bytes("warm.sts.yaml", benchPolicy(0), o)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		found := 0
		files, err := Stream(root, []string{filepath.Join(root, ".github", "chainguard")}, o, func(fs []Finding) error {
			found += len(fs)
			return nil
		})
		if err != nil || files != n || found == 0 {
			b.Fatalf("Stream: %d files, %d findings, %v", files, found, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/time.Since(start).Seconds(), "files/s")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

func BenchmarkStream1k(b *testing.B)   { benchStream(b, 1000) }
func BenchmarkStream10k(b *testing.B)  { benchStream(b, 10000) }
func BenchmarkStream100k(b *testing.B) { benchStream(b, 100000) }
