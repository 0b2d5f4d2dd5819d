package jitter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// stream drives a buffer with a steady 20 ms stream that skips the packets in gaps (never sent)
// and delays those in late by the given number of frames; it returns, per pop, what played and
// the delay from send to playout of the audio frames.
func stream(b *Buffer, n int, gaps map[int]bool, late map[int]int) (kinds []FrameKind, delays map[int]time.Duration) {
	delays = map[int]time.Duration{}
	type arr struct {
		at time.Time
		i  int
	}
	var q []arr
	for i := range n {
		if !gaps[i] {
			q = append(q, arr{t0.Add(time.Duration(i)*frame + time.Duration(late[i])*frame + time.Millisecond), i})
		}
	}
	for k := range n {
		now := t0.Add(time.Duration(k)*frame + 5*time.Millisecond)
		for j := 0; j < len(q); {
			if !q[j].at.After(now) {
				b.Push(pkt(uint16(q[j].i), uint32(q[j].i)*160), q[j].at)
				q = append(q[:j], q[j+1:]...)
				continue
			}
			j++
		}
		f := b.Pop(now)
		kinds = append(kinds, f.Kind)
		if f.Kind == FrameAudio {
			delays[int(f.Seq)] = now.Sub(t0.Add(time.Duration(f.Seq) * frame))
		}
	}
	return kinds, delays
}

// A burst of lost packets that empties the buffer is concealed without adding delay: the stream
// had no late packet, so the buffer does not wait for them.
func TestLossBurstAddsNoDelay(t *testing.T) {
	b := New(Config{})
	// The burst comes after four seconds: the start's frame of margin has been given back.
	_, delays := stream(b, 400, map[int]bool{200: true, 201: true, 202: true}, nil)
	assert.Equal(t, delays[199], delays[203], "same delay after the burst")
	assert.Equal(t, delays[199], delays[398])
	assert.Equal(t, uint64(3), b.Stats().Lost)
	assert.Zero(t, b.Stats().Late)
}

// A packet that is merely late (or a sender that pauses) is not lost: the frames declared lost
// while waiting are taken back and the packet plays, a frame later, as if the buffer had waited.
func TestLatePacketAfterEmptyPopIsRewound(t *testing.T) {
	b := New(Config{})
	_, delays := stream(b, 400, nil, map[int]int{200: 2, 201: 2, 202: 2, 203: 2})
	for i := 200; i < 204; i++ {
		assert.Contains(t, delays, i, "packet %d played", i)
	}
	assert.Zero(t, b.Stats().Late)
	assert.Greater(t, delays[204], delays[199], "the delay grew to take the late packets")
}
