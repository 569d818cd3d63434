package memo

import "testing"

// A memo keeps what fits and forgets everything, not just the newest, when the budget is reached.
func TestBounded(t *testing.T) {
	b := New[string, int](2 * (entryOverhead + 1))
	b.Put("a", 1, 1)
	b.Put("b", 2, 1)
	if v, ok := b.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(a) = %d, %v", v, ok)
	}
	b.Put("c", 3, 1) // over budget: starts again with only c
	if _, ok := b.Get("a"); ok {
		t.Error("a survived a flush")
	}
	if v, ok := b.Get("c"); !ok || v != 3 {
		t.Errorf("Get(c) = %d, %v", v, ok)
	}
}
