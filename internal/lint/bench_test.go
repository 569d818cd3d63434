package lint

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/octo-sts/action/internal/lint/linttest"
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

// benchPolicy is the i-th policy of benchCorpus; one in ten carries a licence header, the
// comment block that made yaml.v3's position parse slow.
func benchPolicy(i int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# policy %d\n", i)
	if i%10 == 5 {
		for range 60 {
			b.WriteString("# Copyright 2026 Example Corp. Licensed under the Apache License, Version 2.0.\n")
		}
	}
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
	m := linttest.StartMeter(b)
	for b.Loop() {
		for i, data := range corpus {
			Bytes(".github/chainguard/p"+strconv.Itoa(i)+".sts.yaml", data, o)
		}
	}
	m.Report(benchFiles)
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
	m := linttest.StartMeter(b)
	for b.Loop() {
		Many(inputs, o)
	}
	m.Report(benchFiles)
}

// BenchmarkUnmarshalStrict10k is the yardstick: the server's bare decode of the same files, one
// after another. Its cpu-ms/kfile against BenchmarkLintParallel10k's is what lint costs beyond
// the parse, whatever else the machine is doing.
func BenchmarkUnmarshalStrict10k(b *testing.B) {
	corpus := benchCorpus(benchFiles)
	m := linttest.StartMeter(b)
	for b.Loop() {
		for _, data := range corpus {
			var tp policy.TrustPolicy
			_ = yaml.UnmarshalStrict(data, &tp)
		}
	}
	m.Report(benchFiles)
}

// BenchmarkUnmarshalStrictParallel10k is the bare decode on every core, as lint runs.
func BenchmarkUnmarshalStrictParallel10k(b *testing.B) {
	corpus := benchCorpus(benchFiles)
	m := linttest.StartMeter(b)
	for b.Loop() {
		var wg sync.WaitGroup
		var next atomic.Int64
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < len(corpus); i = int(next.Add(1)) - 1 {
					var tp policy.TrustPolicy
					_ = yaml.UnmarshalStrict(corpus[i], &tp)
				}
			})
		}
		wg.Wait()
	}
	m.Report(benchFiles)
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
	m := linttest.StartMeter(b)
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
	m.Report(n)
}

func BenchmarkStream1k(b *testing.B)   { benchStream(b, 1000) }
func BenchmarkStream10k(b *testing.B)  { benchStream(b, 10000) }
func BenchmarkStream100k(b *testing.B) { benchStream(b, 100000) }
