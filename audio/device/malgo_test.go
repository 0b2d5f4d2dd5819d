//go:build cgo

package device

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The miniaudio null backend runs the real callback path (ring buffers, conversion) on a clocked
// thread without hardware.
func TestMalgoNullBackend(t *testing.T) {
	capture, playback, err := List("null")
	require.NoError(t, err)
	require.NotEmpty(t, capture)
	require.NotEmpty(t, playback)

	d, err := Open(Config{Backend: "null"})
	require.NoError(t, err)
	frame := make([]int16, FrameSamples)
	deadline := time.Now().Add(5 * time.Second)
	got := 0
	for got < 4*FrameSamples && time.Now().Before(deadline) {
		n, err := d.Read(frame)
		require.NoError(t, err)
		got += n
		require.NoError(t, d.Write(frame))
		time.Sleep(20 * time.Millisecond)
	}
	assert.GreaterOrEqual(t, got, 4*FrameSamples, "the capture callback delivers samples")
	st := d.Stats()
	assert.Positive(t, st.CaptureShortReads+st.PlaybackUnderflow+uint64(got), "counters move")
	require.NoError(t, d.Close())
	require.NoError(t, d.Close(), "idempotent")
}

func TestMalgoUnknownDevice(t *testing.T) {
	_, err := Open(Config{Backend: "null", Capture: "no such microphone"})
	require.ErrorIs(t, err, ErrNoDevice)
	_, err = Open(Config{Backend: "bogus"})
	require.Error(t, err)
}

// A real device is used when one exists; otherwise Open must say ErrNoDevice clearly.
func TestMalgoDefaultDevice(t *testing.T) {
	if testing.Short() {
		t.Skip("touches the sound system")
	}
	d, err := Open(Config{})
	if errors.Is(err, ErrNoDevice) {
		t.Skipf("no sound device on this machine: %v", err)
	}
	require.NoError(t, err)
	require.NoError(t, d.Close())
}

// The miniaudio callback must not allocate (it runs on a real-time audio thread).
func TestCallbackDoesNotAllocate(t *testing.T) {
	d := newDevice(nil)
	in := make([]byte, 2*FrameSamples)
	out := make([]byte, 2*FrameSamples)
	d.playback.Write(make([]int16, FrameSamples/2))
	allocs := testing.AllocsPerRun(100, func() {
		d.onData(out, in, FrameSamples)
		var f [FrameSamples]int16
		_, _ = d.Read(f[:])
	})
	assert.Zero(t, allocs)
	assert.Positive(t, d.Stats().PlaybackUnderflow, "underflow counted")
	for range 100 {
		d.onData(nil, in, FrameSamples) // nobody reads: the ring fills up
	}
	assert.Positive(t, d.Stats().CaptureOverflow, "overflow counted")
}
