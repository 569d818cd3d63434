package cli

import (
	"bufio"
	"context"
	"fmt"
	stdio "io"
	"iter"
	"os"
	"strings"

	"github.com/octo-sts/action/internal/lint"
	"github.com/octo-sts/action/internal/policy"
	"github.com/octo-sts/action/internal/report"
)

// streamLint renders `octo-sts lint` in every format as lint.Stream hands over the findings,
// file by file, so memory does not grow with the number of files; the output is what rendering
// the whole sorted set would give, byte for byte. With --format github in Actions it also writes
// the step summary (GITHUB_STEP_SUMMARY), before the annotations that point at it.
func streamLint(ctx context.Context, io IO, f lintFlags, root string, paths, onDisk []string, opts lint.Options, stdinData []byte) int {
	stdinName := orDefault(f.stdinName, defaultLintPath+"/stdin.sts.yaml")
	view := newPathView(io.Getenv, f.format, root)
	// The findings that do not come from the walk (stdin, the workflow cross-check) are merged
	// into the stream at their place in lint.Sort order, the cross-check's as the stream gets there.
	var extra []lint.Finding
	var cross iter.Seq[lint.Finding]
	if f.workflows && f.repository != "" && len(onDisk) > 0 {
		cross = crossCheck(ctx, root, f.repository, f.orgPolicyRepo, io.Getenv).Findings()
	}
	files := 0
	if stdinData != nil {
		extra = append(extra, lint.Bytes(stdinName, stdinData, opts)...)
		files++
	}
	ro := report.Options{Quiet: f.quiet, Version: lintVersion(), OverflowHint: "run `octo-sts lint` for the full list"}
	if f.format == report.FormatText {
		ro.Color = useColor(f.color, f.output, io)
		if io.Getenv("GITHUB_ACTIONS") != "true" { // in Actions the problem matcher reads every line
			ro.Source = sourceReader(view.sourceDir(root), stdinName, stdinData)
		}
	}
	var md strings.Builder
	var summary *report.SummaryStream
	if f.format == report.FormatGitHub && io.Getenv("GITHUB_STEP_SUMMARY") != "" {
		ro.OverflowHint = "see the job summary"
		ro.Links = report.LinksFromEnv(io.Getenv)
		summary = report.NewSummaryStream(&md, ro)
	}
	out := &lazyOutput{path: f.output, stdout: io.Stdout}
	r, err := report.NewRenderer(out, f.format, ro)
	if err != nil {
		return out.fail(io, err)
	}
	failing := 0
	m := report.NewMerger(extra, cross, func(fs []lint.Finding) error {
		fs = view.show(fs) // after merging: pieces and extra findings meet in lint.Sort order
		if f.failOn != "" {
			failing += report.AtOrAbove(fs, f.failOn)
		}
		if summary != nil {
			_ = summary.Write(fs) // it writes at Close
		}
		return r.Write(fs)
	})
	defer m.Stop()
	if len(onDisk) > 0 {
		n, err := lint.Stream(root, onDisk, opts, m.Piece)
		if err != nil {
			return out.fail(io, err)
		}
		files += n
	}
	if files == 0 {
		fmt.Fprintf(io.Stderr, "octo-sts lint: %v under %s (looked for *.sts.yaml and %s); pass the policy files or directories to lint\n",
			lint.ErrNoFiles, strings.Join(paths, ", "), policy.IssuersFileName)
		return ExitUsage
	}
	if err := m.Flush(); err != nil {
		return out.fail(io, err)
	}
	if summary != nil {
		_ = summary.Close(files) // into a strings.Builder
		if err := addStepSummary(io.Getenv, md.String()); err != nil {
			fmt.Fprintf(io.Stderr, "octo-sts lint: writing the step summary (GITHUB_STEP_SUMMARY): %v\n", err)
			return ExitInternal
		}
	}
	if err := r.Close(files); err != nil {
		return out.fail(io, err)
	}
	if err := out.finish(); err != nil {
		return out.fail(io, err)
	}
	if failing > 0 {
		return ExitFindings
	}
	return ExitOK
}

// lazyOutput is the report's destination: standard output, or the --output file created at the
// first write (so a usage error found late leaves no file behind), buffered either way.
type lazyOutput struct {
	path   string
	stdout stdio.Writer
	file   *os.File    // open until finish
	info   os.FileInfo // the --output file this run created or truncated, to remove if it fails
	buf    *bufio.Writer
	err    error // the failure to open --output, reported as such
	werr   error // the first failure to write the report
}

func (o *lazyOutput) Write(p []byte) (int, error) {
	if err := o.open(); err != nil {
		return 0, err
	}
	n, err := o.buf.Write(p)
	if err != nil && o.werr == nil {
		o.werr = err
	}
	return n, err
}

func (o *lazyOutput) open() error {
	if o.buf != nil || o.err != nil {
		return o.err
	}
	if o.path == "" {
		o.buf = bufio.NewWriter(o.stdout)
		return nil
	}
	o.file, o.err = os.OpenFile(o.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if o.err != nil {
		return o.err
	}
	o.info, _ = o.file.Stat()
	o.buf = bufio.NewWriter(o.file)
	return nil
}

// finish flushes the report (creating an empty --output file when nothing was written).
func (o *lazyOutput) finish() error {
	if err := o.open(); err != nil {
		return err
	}
	err := o.buf.Flush()
	if err != nil && o.werr == nil {
		o.werr = err
	}
	if o.file != nil && err == nil {
		err = o.file.Close()
		o.file = nil
	}
	return err
}

// fail reports err (opening --output, writing the report, or reading the tree) and exits 3. A
// report cut short never passes for a whole one: the --output file is removed, and a report on
// standard output, flushed as far as it got, is said to be incomplete.
func (o *lazyOutput) fail(io IO, err error) int {
	switch {
	case o.err != nil:
		fmt.Fprintf(io.Stderr, "octo-sts lint: --output: %v; pass a writable file path\n", o.err)
	case o.werr != nil:
		fmt.Fprintf(io.Stderr, "octo-sts lint: writing the report: %v\n", o.werr)
	default:
		fmt.Fprintf(io.Stderr, "octo-sts lint: %v\n", err)
	}
	switch {
	case o.info != nil:
		o.discard()
	case o.buf != nil && o.werr == nil && o.buf.Flush() == nil:
		fmt.Fprintf(io.Stderr, "octo-sts lint: the report on standard output is incomplete: it stops where the run failed\n")
	}
	return ExitInternal
}

// discard removes the --output file of a failed run. A path that no longer names that regular
// file (a link to it, a device such as /dev/stdout) is not removed; a regular file behind it is
// emptied instead.
func (o *lazyOutput) discard() {
	if st, err := os.Lstat(o.path); err == nil && o.info.Mode().IsRegular() && os.SameFile(st, o.info) {
		_ = os.Remove(o.path)
	} else if o.file != nil && o.info.Mode().IsRegular() {
		_ = o.file.Truncate(0)
	}
	if o.file != nil {
		_ = o.file.Close()
		o.file = nil
	}
}
