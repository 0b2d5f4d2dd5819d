package card

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio/device"
)

func writeWAV(t *testing.T, path string, pcm []int16) {
	t.Helper()
	w, err := device.CreateWAV(path)
	require.NoError(t, err)
	require.NoError(t, w.Write(pcm))
	require.NoError(t, w.Close())
}

func readWAV(t *testing.T, path string) []int16 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	pcm, _, err := device.DecodeWAV(f)
	require.NoError(t, err)
	return pcm
}

// Each call plays the --play file from its start (looping) and records into its own file:
// out.wav, then out-2.wav.
func TestFilesPlayAndRecord(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	pcm := []int16{1, 2, 3, 4, 5}
	writeWAV(t, in, pcm)
	out := filepath.Join(dir, "out.wav")
	f := NewFiles(in, out, New(Config{Backend: "null"}))

	for i, path := range []string{out, filepath.Join(dir, "out-2.wav")} {
		src, sink, closer, err := f.Open()
		require.NoError(t, err, "call %d", i+1)
		frame := make([]int16, 7)
		n, err := src.Read(frame)
		require.NoError(t, err)
		assert.Equal(t, 7, n)
		assert.Equal(t, []int16{1, 2, 3, 4, 5, 1, 2}, frame, "loops")
		require.NoError(t, sink.Write([]int16{int16(10 * (i + 1)), 7}))
		require.NoError(t, closer.Close())
		assert.Equal(t, []int16{int16(10 * (i + 1)), 7}, readWAV(t, path))
	}
}

// With one file the other side is the null device; without files the card opens (here its
// null backend); a missing --play file is an error.
func TestFilesFallbacks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	writeWAV(t, in, []int16{1})
	card := New(Config{Backend: "null"})

	_, sink, closer, err := NewFiles(in, "", card).Open()
	require.NoError(t, err)
	assert.IsType(t, &device.Null{}, sink)
	require.NoError(t, closer.Close())

	out := filepath.Join(dir, "out.wav")
	src, _, closer, err := NewFiles("", out, card).Open()
	require.NoError(t, err)
	assert.IsType(t, &device.Null{}, src)
	require.NoError(t, closer.Close())
	assert.FileExists(t, out)

	src, sink, closer, err = NewFiles("", "", card).Open()
	require.NoError(t, err)
	assert.IsType(t, &device.Null{}, src)
	assert.IsType(t, &device.Null{}, sink)
	require.NoError(t, closer.Close())

	_, _, _, err = NewFiles(filepath.Join(dir, "missing.wav"), out, card).Open()
	assert.Error(t, err)
}

// The --play file is streamed: the call's closer closes it, and a failed Open closes what it
// had opened.
func TestFilesClosePlayFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	writeWAV(t, in, []int16{1, 2, 3})
	src, _, closer, err := NewFiles(in, "", New(Config{Backend: "null"})).Open()
	require.NoError(t, err)
	frame := make([]int16, 4)
	_, err = src.Read(frame)
	require.NoError(t, err)
	require.NoError(t, closer.Close())
	_, err = src.Read(frame)
	require.ErrorIs(t, err, device.ErrClosed)

	_, _, _, err = NewFiles(in, filepath.Join(dir, "missing", "out.wav"), New(Config{Backend: "null"})).Open()
	require.Error(t, err)
}
