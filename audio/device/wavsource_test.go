package device

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio/tone"
)

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.wav")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

// readAll reads a non-looping source to its end in 20 ms frames.
func readAll(t *testing.T, s *WAVSource) []int16 {
	t.Helper()
	frame := make([]int16, FrameSamples)
	var got []int16
	for {
		n, err := s.Read(frame)
		if errors.Is(err, io.EOF) {
			return got
		}
		require.NoError(t, err)
		got = append(got, frame[:n]...)
	}
}

// Every format DecodeWAV takes streams to the same 8 kHz mono tone, at the same level.
func TestWAVSourceFormats(t *testing.T) {
	for _, tt := range []struct {
		rate, channels int
		extra          bool
	}{{8000, 1, false}, {8000, 2, true}, {16000, 1, false}, {16000, 2, false}, {48000, 1, true}, {48000, 2, false}} {
		t.Run("", func(t *testing.T) {
			s, err := OpenWAV(writeFile(t, makeWAV(tt.rate, tt.channels, 1000, 0.5, tt.extra)), false)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, Format{SampleRate: tt.rate, Channels: tt.channels}, s.Format())
			pcm := readAll(t, s)
			assert.InDelta(t, 4000, len(pcm), FrameSamples, "0.5 s at 8 kHz, the last frame padded")
			assert.InDelta(t, 1000, tone.DominantFrequency(pcm, SampleRate), 2)
			assert.InDelta(t, 8000/math.Sqrt2, tone.RMS(pcm[200:3800]), 300, "level kept through the filter")
		})
	}
}

// The 48 kHz path low-passes before it decimates: a 5 kHz tone does not alias into the band.
func TestWAVSourceRejectsAliases(t *testing.T) {
	s, err := OpenWAV(writeFile(t, makeWAV(48000, 1, 5000, 0.5, false)), false)
	require.NoError(t, err)
	defer s.Close()
	pcm := readAll(t, s)
	assert.Less(t, tone.RMS(pcm[200:3800]), 8000/math.Sqrt2/100, "≥ 40 dB down")
}

// A looping source starts over exactly where the file ends, across frame edges.
func TestWAVSourceLoops(t *testing.T) {
	raw := makeWAV(8000, 1, 1000, 0, false) // header only, no samples
	pcm := []int16{1, 2, 3, 4, 5}
	for _, v := range pcm {
		raw = binary.LittleEndian.AppendUint16(raw, uint16(v))
	}
	binary.LittleEndian.PutUint32(raw[40:], uint32(2*len(pcm)))
	s, err := OpenWAV(writeFile(t, raw), true)
	require.NoError(t, err)
	defer s.Close()
	frame := make([]int16, 12)
	for range 3 {
		n, err := s.Read(frame)
		require.NoError(t, err)
		assert.Equal(t, 12, n)
	}
	assert.Equal(t, []int16{5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1}, frame, "samples 25..36 of 1..5 repeated")

	// A data chunk without samples ends even when looping; so does a read after Close.
	empty, err := OpenWAV(writeFile(t, makeWAV(8000, 1, 1000, 0, false)), true)
	require.NoError(t, err)
	_, err = empty.Read(frame)
	require.ErrorIs(t, err, io.EOF)
	require.NoError(t, empty.Close())
	require.NoError(t, empty.Close(), "idempotent")
	_, err = empty.Read(frame)
	require.ErrorIs(t, err, ErrClosed)
}

// Issue 14 §6: `--play` streams the file instead of loading it. Playing a minute of 48 kHz
// stereo (11 MB) allocates a few kilobytes in all, and nothing per frame once running; loading
// it (DecodeWAV) allocates more than the file's size.
func TestWAVSourceStreams(t *testing.T) {
	path := writeFile(t, makeWAV(48000, 2, 440, 60, false))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := OpenWAV(path, true)
	require.NoError(t, err)
	defer s.Close()
	frame := make([]int16, FrameSamples)
	for range 60 * 50 * 2 { // two passes through the file
		_, err := s.Read(frame)
		require.NoError(t, err)
	}
	runtime.ReadMemStats(&after)
	streamed := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, streamed, uint64(64<<10), "bytes allocated to play the file twice")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = s.Read(frame) }), "allocations per frame")

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	runtime.ReadMemStats(&before)
	_, _, err = DecodeWAV(f)
	require.NoError(t, err)
	runtime.ReadMemStats(&after)
	t.Logf("allocated: streamed %d B, loaded %d B", streamed, after.TotalAlloc-before.TotalAlloc)
}

func TestWAVSourceErrors(t *testing.T) {
	_, err := OpenWAV(filepath.Join(t.TempDir(), "missing.wav"), false)
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = OpenWAV(writeFile(t, []byte("RIFX0000WAVE")), false)
	require.ErrorIs(t, err, ErrFormat)
}
