// Package linttest builds hostile policy files and trees for the linter's bounds tests and
// benchmarks, shared by internal/lint and the CLI so both face the same inputs.
package linttest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// AliasBomb returns a YAML document of about size bytes whose aliases expand exponentially (the
// "billion laughs" shape, widened until it fills size).
func AliasBomb(size int) []byte {
	var b bytes.Buffer
	b.WriteString("issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nclaim_pattern:\n  x: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; b.Len() < size-200; i++ {
		fmt.Fprintf(&b, "  x%d: &a%d [", i, i)
		for j := range 9 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.Bytes()
}

// ManyClaims returns a policy with n claim_pattern entries in one flow mapping (100k fit in 1 MB).
func ManyClaims(n int) []byte {
	return flowClaims(n, func(i int) string { return strconv.FormatInt(int64(i), 36) + ": x" })
}

// DistinctClaims returns a policy with n claim_pattern entries whose keys and values all differ and
// read as plain strings (70k fit in 1 MB): every one is a pattern of its own to hold in memory.
func DistinctClaims(n int) []byte {
	return flowClaims(n, func(i int) string { return fmt.Sprintf("k%x: v%x", i, i) })
}

// flowClaims writes a policy whose claim_pattern is one flow mapping of n entries.
func flowClaims(n int, entry func(int) string) []byte {
	var b bytes.Buffer
	b.WriteString("issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\nclaim_pattern: {")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(entry(i))
	}
	b.WriteString("}\npermissions: {contents: read}\n")
	return b.Bytes()
}

// HostileTree creates, under dir, a repository whose .github/chainguard holds every hostile entry
// the linter must refuse without reading: links to /proc/self/fd/1, /dev/zero and a file outside
// the tree, a link to a directory outside, a FIFO, a file over 1 MB, a 1 MiB alias bomb and a
// 100k-claim file and a file of 70k distinct claim patterns. It returns the chainguard directory.
func HostileTree(dir string) (string, error) {
	cg := filepath.Join(dir, ".github", "chainguard")
	if err := os.MkdirAll(cg, 0o755); err != nil {
		return "", err
	}
	outside := filepath.Join(dir, "..", filepath.Base(dir)+"-outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		return "", err
	}
	secret := filepath.Join(outside, "secret.sts.yaml")
	if err := os.WriteFile(secret, []byte("issuer: https://secret.example\nsubject: TOP-SECRET-OUTSIDE\n"), 0o600); err != nil {
		return "", err
	}
	for name, target := range map[string]string{
		"stdout.sts.yaml":  "/proc/self/fd/1",
		"zero.sts.yaml":    "/dev/zero",
		"environ.sts.yaml": "/proc/self/environ",
		"outside.sts.yaml": secret,
		"linked-dir":       outside,
	} {
		if err := os.Symlink(target, filepath.Join(cg, name)); err != nil {
			return "", err
		}
	}
	if err := syscall.Mkfifo(filepath.Join(cg, "fifo.sts.yaml"), 0o644); err != nil {
		return "", err
	}
	files := map[string][]byte{
		"big.sts.yaml":      append([]byte("issuer: https://token.actions.githubusercontent.com\nsubject: x\n# "), bytes.Repeat([]byte("a"), 1<<20)...),
		"bomb.sts.yaml":     AliasBomb(1 << 20),
		"claims.sts.yaml":   ManyClaims(100_000),
		"distinct.sts.yaml": DistinctClaims(70_000),
		"ok.sts.yaml":       []byte("issuer: https://token.actions.githubusercontent.com\nsubject: repo:acme/app:ref:refs/heads/main\npermissions:\n  contents: read\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(cg, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return cg, nil
}
