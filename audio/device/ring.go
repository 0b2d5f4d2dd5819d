package device

import "sync/atomic"

// Ring is a single-producer single-consumer lock-free ring of samples. The device callback is one
// side, the media goroutine the other; neither blocks nor allocates. When full, writes drop the
// newest samples (counted as overflow); when empty, reads return short (counted as underflow by
// the caller).
type Ring struct {
	buf  []int16
	mask uint64
	r, w atomic.Uint64 // r written by the consumer only, w by the producer only
	over atomic.Uint64 // samples dropped because the ring was full
}

// NewRing returns a ring holding at least n samples (rounded up to a power of two).
func NewRing(n int) *Ring {
	size := 1
	for size < n {
		size <<= 1
	}
	return &Ring{buf: make([]int16, size), mask: uint64(size - 1)}
}

// Len is the number of samples ready to read.
func (q *Ring) Len() int { return int(q.w.Load() - q.r.Load()) }

// Write appends up to len(p) samples and returns how many fit; the rest count as overflow.
func (q *Ring) Write(p []int16) int {
	w, r := q.w.Load(), q.r.Load()
	free := uint64(len(q.buf)) - (w - r)
	n := uint64(len(p))
	if n > free {
		q.over.Add(n - free)
		n = free
	}
	for i := uint64(0); i < n; i++ {
		q.buf[(w+i)&q.mask] = p[i]
	}
	q.w.Store(w + n)
	return int(n)
}

// Read takes up to len(p) samples and returns how many it got.
func (q *Ring) Read(p []int16) int {
	r, w := q.r.Load(), q.w.Load()
	n := min(uint64(len(p)), w-r)
	for i := uint64(0); i < n; i++ {
		p[i] = q.buf[(r+i)&q.mask]
	}
	q.r.Store(r + n)
	return int(n)
}

// Discard drops up to n of the oldest samples and returns how many it dropped. Like Read it
// belongs to the consumer: bounding a backlog from the reading side keeps the ring
// single-producer/single-consumer (the producer never moves r).
func (q *Ring) Discard(n int) int {
	if n <= 0 {
		return 0
	}
	r, w := q.r.Load(), q.w.Load()
	k := min(uint64(n), w-r)
	q.r.Store(r + k)
	return int(k)
}

// Overflow is the number of samples dropped because the ring was full.
func (q *Ring) Overflow() uint64 { return q.over.Load() }
