// Package memo holds the one bounded, concurrency-safe memo used for pure answers that lint asks
// for again and again (compiled patterns, pattern checks and samples, schema results), so memory
// never grows with the number of files linted.
package memo

import "sync"

// entryOverhead is what one entry costs beyond its own bytes (map slot, key and value headers):
// a profile of 100,000 files found it larger than the strings themselves.
const entryOverhead = 96

// Bounded remembers values by key within a byte budget; when an entry would exceed it, it forgets
// everything and starts again (the answers are pure, so forgetting only costs time).
type Bounded[K comparable, V any] struct {
	mu    sync.Mutex
	m     map[K]V
	bytes int
	max   int
}

// New returns a memo holding at most max bytes, counted as Put is told plus entryOverhead each.
func New[K comparable, V any](max int) *Bounded[K, V] {
	return &Bounded[K, V]{m: map[K]V{}, max: max}
}

// Get returns the value remembered for k.
func (b *Bounded[K, V]) Get(k K) (V, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[k]
	return v, ok
}

// Put remembers v for k; size is the bytes the key and value hold.
func (b *Bounded[K, V]) Put(k K, v V, size int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bytes+size+entryOverhead > b.max {
		clear(b.m)
		b.bytes = 0
	}
	b.m[k] = v
	b.bytes += size + entryOverhead
}
