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

// target is one thing Stream reports on, held compactly because a tree of 100,000 files keeps
// every name until its turn: a file the walk found is its directory's index and its base name; a
// path given as it is, or refused outright, is an entry of the run's given list.
type target struct {
	dir  int32  // index in run.dirs, or -1-i for run.given[i]
	name string // base name of a walked file
}

// run is what the walk found: directories once each, and the paths named directly.
type run struct {
	dirs  []string // walked directories, to read files from
	shown []string // each one's display path with a trailing "/" ("" for the root itself)
	given []givenPath
}

// givenPath is a file named on the command line, or a directory refused outright.
type givenPath struct {
	path, shown string
	refused     []Finding // the refusal (none when --ignore drops it), when path is ""
}

// parts is t's display path in two pieces, so sorting compares names without building them.
func (w *run) parts(t target) (string, string) {
	if t.dir < 0 {
		return w.given[-1-t.dir].shown, ""
	}
	return w.shown[t.dir], t.name
}

// path is the file to read for t ("" for a refusal).
func (w *run) path(t target) string {
	if t.dir < 0 {
		return w.given[-1-t.dir].path
	}
	return filepath.Join(w.dirs[t.dir], t.name)
}

// compare orders targets by display path, as lint.Sort orders findings.
func (w *run) compare(a, b target) int {
	a1, a2 := w.parts(a)
	b1, b2 := w.parts(b)
	return compareJoined(a1, a2, b1, b2)
}

// compareJoined compares a1+a2 with b1+b2 byte by byte without concatenating them.
func compareJoined(a1, a2, b1, b2 string) int {
	for {
		if a1 == "" {
			a1, a2 = a2, ""
		}
		if b1 == "" {
			b1, b2 = b2, ""
		}
		if a1 == "" || b1 == "" {
			return cmp.Compare(len(a1), len(b1))
		}
		n := min(len(a1), len(b1))
		if c := strings.Compare(a1[:n], b1[:n]); c != 0 {
			return c
		}
		a1, b1 = a1[n:], b1[n:]
	}
}

// Stream lints files and directories like Paths, handing emit each file's findings (sorted and
// de-duplicated, possibly none) in lint.Sort order of the whole run, so concatenating every call
// gives what Paths returns. Workers on every core read and lint files while at most a small
// window of results waits for its turn: memory does not grow with the number of files. It
// returns how many files it linted, or the first I/O error in that order (emit has then seen
// every file before it), or emit's error.
func Stream(root string, paths []string, o Options, emit func([]Finding) error) (int, error) {
	w, targets, err := walkTargets(root, paths, o)
	if err != nil {
		return 0, err
	}
	// Sort compares File first: running files in display-path order makes each file's sorted
	// findings a contiguous, ordered piece of the whole.
	slices.SortStableFunc(targets, w.compare)
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
				p := w.path(targets[i])
				if p == "" {
					slots[i%len(slots)] <- result{fs: w.given[-1-targets[i].dir].refused}
					continue
				}
				fs, err := lintPath(root, p, o)
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
			if len(pending) > 0 && (i == 0 || w.compare(targets[i], targets[i-1]) != 0) {
				_ = emit(Sort(pending)) // the file before the failure is whole: report it
			}
			return 0, r.err
		}
		// The same file named twice is one piece, de-duplicated as a whole run's Sort does.
		if i > 0 && w.compare(targets[i], targets[i-1]) != 0 {
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
func walkTargets(root string, paths []string, o Options) (*run, []target, error) {
	w := &run{}
	var out []target
	given := func(g givenPath) {
		w.given = append(w.given, g)
		out = append(out, target{dir: int32(-len(w.given))})
	}
	for _, p := range paths {
		info, err := os.Lstat(p)
		if err != nil {
			return nil, nil, err
		}
		if !info.IsDir() {
			given(givenPath{path: p, shown: display(root, p)})
			continue
		}
		if link := linkInPath(root, p); link != "" {
			shown := display(root, p)
			r := suppress([]Finding{refusedFinding(shown, "not-regular-file", fmt.Sprintf("is reached through the symbolic link %s; lint does not follow links", display(root, link)))}, nil, o.Ignore)
			given(givenPath{shown: shown, refused: r})
			continue
		}
		// WalkDir never follows links: a linked file or directory arrives as a link entry.
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && IsPolicyPath(fp) {
				// Links, FIFOs, devices and oversized files are refused when read.
				out = append(out, w.file(root, fp))
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return w, out, nil
}

// file records walked file fp under its directory, which consecutive files share.
func (w *run) file(root, fp string) target {
	dir := filepath.Dir(fp)
	if n := len(w.dirs); n == 0 || w.dirs[n-1] != dir {
		shown := display(root, dir) + "/"
		if shown == "./" {
			shown = ""
		}
		w.dirs = append(w.dirs, strings.Clone(dir))
		w.shown = append(w.shown, shown)
	}
	return target{dir: int32(len(w.dirs) - 1), name: strings.Clone(filepath.Base(fp))}
}
