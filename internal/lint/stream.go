package lint

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// target is one thing Stream reports on: a file the walk found, or a path it refused outright.
type target struct {
	shown   string    // display path: findings are ordered by it
	file    string    // path to read and lint ("" for a refusal)
	refused []Finding // the refusal (none when --ignore drops it), when file is ""
}

// Stream lints files and directories like Paths, handing emit each file's findings (sorted and
// de-duplicated, possibly none) in lint.Sort order of the whole run, so concatenating every call
// gives what Paths returns. Workers on every core read and lint files while at most a small
// window of results waits for its turn: memory does not grow with the number of files. It
// returns how many files it linted, or the first I/O error in that order (emit may already
// have seen earlier files then), or emit's error.
func Stream(root string, paths []string, o Options, emit func([]Finding) error) (int, error) {
	targets, err := walkTargets(root, paths, o)
	if err != nil {
		return 0, err
	}
	// Sort compares File first: running files in display-path order makes each file's sorted
	// findings a contiguous, ordered piece of the whole.
	slices.SortStableFunc(targets, func(a, b target) int { return cmp.Compare(a.shown, b.shown) })
	workers := min(runtime.GOMAXPROCS(0), len(targets))
	window := make(chan struct{}, 4*workers+8) // results computed ahead of emit, at most
	type result struct {
		fs  []Finding
		err error
	}
	// Index i waits in slots[i%len]: the window keeps every unread index within len of the one
	// emit reads next, so a slot is free again before it is reused.
	slots := make([]chan result, cap(window))
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				window <- struct{}{}
				i := int(next.Add(1)) - 1
				if i >= len(targets) || stop.Load() {
					return // its window token is never needed again
				}
				t := targets[i]
				if t.file == "" {
					slots[i%len(slots)] <- result{fs: t.refused}
					continue
				}
				fs, err := lintPath(root, t.file, o)
				slots[i%len(slots)] <- result{fs: fs, err: err}
			}
		})
	}
	defer func() {
		stop.Store(true)
		go func() { // take the tokens blocked workers wait to put, so they see stop and end
			for range window {
			}
		}()
		wg.Wait()
		close(window)
	}()
	var pending []Finding
	for i := range targets {
		r := <-slots[i%len(slots)]
		<-window
		if r.err != nil {
			return 0, r.err
		}
		// The same file named twice is one piece, de-duplicated as a whole run's Sort does.
		if i > 0 && targets[i].shown != targets[i-1].shown {
			if err := emit(Sort(pending)); err != nil {
				return 0, err
			}
			pending = nil
		}
		pending = append(pending, r.fs...)
	}
	if len(targets) > 0 {
		if err := emit(Sort(pending)); err != nil {
			return 0, err
		}
	}
	return len(targets), nil
}

// walkTargets collects the files to lint (names only: workers read them) and the directories
// refused for a link on the way.
func walkTargets(root string, paths []string, o Options) ([]target, error) {
	var out []target
	for _, p := range paths {
		info, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, newTarget(root, p))
			continue
		}
		if link := linkInPath(root, p); link != "" {
			shown := display(root, p)
			r := suppress([]Finding{refusedFinding(shown, "not-regular-file", fmt.Sprintf("is reached through the symbolic link %s; lint does not follow links", display(root, link)))}, nil, o.Ignore)
			out = append(out, target{shown: shown, refused: r})
			continue
		}
		// WalkDir never follows links: a linked file or directory arrives as a link entry.
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && IsPolicyPath(fp) {
				out = append(out, newTarget(root, fp)) // links, FIFOs, devices and oversized files are refused when read
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// newTarget names file p; its display path shares p's bytes when it is p's tail (the usual case),
// since a tree of 100,000 files keeps every name until its turn.
func newTarget(root, p string) target {
	shown := display(root, p)
	if strings.HasSuffix(p, shown) {
		shown = p[len(p)-len(shown):]
	}
	return target{shown: shown, file: p}
}
