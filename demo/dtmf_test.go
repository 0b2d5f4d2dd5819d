package demo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDTMFEvent(t *testing.T) {
	for in, want := range map[rune]byte{'0': 0, '9': 9, '*': 10, '#': 11, 'A': 12, 'd': 15} {
		got, ok := dtmfEvent(in)
		assert.True(t, ok)
		assert.Equal(t, want, got, string(in))
	}
	for _, bad := range []rune{'E', 'x', ' ', '+'} {
		_, ok := dtmfEvent(bad)
		assert.False(t, ok, string(bad))
	}
}

func TestDTMFQueue(t *testing.T) {
	var q dtmfQueue
	_, ok := q.next(0)
	assert.False(t, ok, "an empty queue sends audio")
	require.ErrorIs(t, q.add("12x"), ErrBadDTMF)
	require.ErrorIs(t, q.add(""), ErrBadDTMF)
	require.NoError(t, q.add("5#"))

	type pkt struct {
		event  byte
		end    bool
		dur    int
		ts     uint32
		marker bool
	}
	var got []pkt
	now := uint32(1000)
	audio := 0
	for range 40 {
		p, ok := q.next(now)
		if ok {
			got = append(got, pkt{p.payload[0], p.payload[1]&0x80 != 0, int(p.payload[2])<<8 | int(p.payload[3]), p.ts, p.marker})
		} else {
			audio++
		}
		now += frameSamples
	}
	want := []pkt{
		// RFC 4733 §2.5: one timestamp per event, growing duration, marker on the
		// first packet, the end packet three times.
		{5, false, 160, 1000, true}, {5, false, 320, 1000, false}, {5, false, 480, 1000, false},
		{5, false, 640, 1000, false}, {5, true, 800, 1000, false}, {5, true, 800, 1000, false}, {5, true, 800, 1000, false},
		// 3 ticks of audio, then '#'.
		{11, false, 160, 2600, true}, {11, false, 320, 2600, false}, {11, false, 480, 2600, false},
		{11, false, 640, 2600, false}, {11, true, 800, 2600, false}, {11, true, 800, 2600, false}, {11, true, 800, 2600, false},
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 40-len(want), audio)
}
