package lint

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Input is one file to lint in memory: its repo-relative path and contents.
type Input struct {
	Path string
	Data []byte
}

// Many lints in-memory files on every core (files are independent) and returns the sorted
// findings: the reference Stream is checked against, and the parallel benchmark's driver.
func Many(inputs []Input, o Options) []Finding {
	workers := min(runtime.GOMAXPROCS(0), len(inputs))
	results := make([][]Finding, len(inputs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(inputs) {
					return
				}
				results[i] = Bytes(inputs[i].Path, inputs[i].Data, o)
			}
		})
	}
	wg.Wait()
	var out []Finding
	for _, r := range results {
		out = append(out, r...)
	}
	return Sort(out)
}
