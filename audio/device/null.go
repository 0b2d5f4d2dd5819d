package device

import (
	"sync"
	"time"
)

// Null is a pure-Go device: as a Source it delivers silence, as a Sink it discards. With Paced set
// Read and Write wait for the next 20 ms boundary, like a real device clock, for tools that loop on
// a device without a ticker of their own; audio.Session needs no pacing and must not use it.
type Null struct {
	Paced bool

	mu     sync.Mutex
	next   time.Time
	frames uint64
}

func (n *Null) pace() {
	if !n.Paced {
		return
	}
	n.mu.Lock()
	now := time.Now()
	if n.next.IsZero() || n.next.Before(now.Add(-time.Second)) {
		n.next = now
	}
	n.next = n.next.Add(20 * time.Millisecond)
	wait := n.next.Sub(now)
	n.mu.Unlock()
	if wait > 0 {
		time.Sleep(wait)
	}
}

// Read fills frame with silence.
func (n *Null) Read(frame []int16) (int, error) {
	n.pace()
	clear(frame)
	n.count()
	return len(frame), nil
}

// Write discards frame.
func (n *Null) Write([]int16) error {
	n.pace()
	n.count()
	return nil
}

func (n *Null) count() {
	n.mu.Lock()
	n.frames++
	n.mu.Unlock()
}

// Frames is how many frames were read or written.
func (n *Null) Frames() uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.frames
}

// Close does nothing; it exists so Null can stand in for a device.
func (n *Null) Close() error { return nil }
