package device

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio"
	"softphone/audio/tone"
)

func TestRing(t *testing.T) {
	r := NewRing(5) // rounds to 8
	assert.Equal(t, 3, r.Write([]int16{1, 2, 3}))
	out := make([]int16, 2)
	assert.Equal(t, 2, r.Read(out))
	assert.Equal(t, []int16{1, 2}, out)
	assert.Equal(t, 7, r.Write([]int16{4, 5, 6, 7, 8, 9, 10, 11}), "one sample left in, 7 free")
	assert.Equal(t, uint64(1), r.Overflow())
	all := make([]int16, 10)
	n := r.Read(all)
	assert.Equal(t, []int16{3, 4, 5, 6, 7, 8, 9, 10}, all[:n])
	assert.Zero(t, r.Read(all))
}

func TestRingConcurrent(t *testing.T) {
	r := NewRing(256)
	const total = 100000
	var wg sync.WaitGroup
	wg.Go(func() {
		var buf [37]int16
		next := 0
		for next < total {
			n := min(len(buf), total-next)
			for i := range n {
				buf[i] = int16(next + i)
			}
			w := r.Write(buf[:n])
			next += w
			if w == 0 {
				time.Sleep(time.Microsecond)
			}
		}
	})
	got := 0
	var buf [53]int16
	for got < total {
		n := r.Read(buf[:])
		for i := range n {
			if buf[i] != int16(got+i) {
				t.Fatalf("sample %d = %d", got+i, buf[i])
			}
		}
		got += n
	}
	wg.Wait()
}

func TestNull(t *testing.T) {
	n := &Null{}
	f := []int16{1, 2, 3}
	c, err := n.Read(f)
	require.NoError(t, err)
	assert.Equal(t, 3, c)
	assert.Equal(t, []int16{0, 0, 0}, f)
	require.NoError(t, n.Write(f))
	assert.Equal(t, uint64(2), n.Frames())

	p := &Null{Paced: true}
	start := time.Now()
	for range 5 {
		_, _ = p.Read(make([]int16, FrameSamples))
	}
	assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond, "paced at 20 ms per frame")
	require.NoError(t, p.Close())
}

// makeWAV builds a 16-bit PCM WAV of a sine at freq.
func makeWAV(rate, channels int, freq float64, seconds float64, extra bool) []byte {
	frames := int(float64(rate) * seconds)
	var data bytes.Buffer
	for i := range frames {
		v := int16(8000 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
		for range channels {
			_ = binary.Write(&data, binary.LittleEndian, v)
		}
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(0)) // sloppy writers leave this wrong
	b.WriteString("WAVE")
	if extra {
		b.WriteString("LIST")
		_ = binary.Write(&b, binary.LittleEndian, uint32(3))
		b.Write([]byte{1, 2, 3, 0}) // odd size + pad byte
	}
	b.WriteString("fmt ")
	_ = binary.Write(&b, binary.LittleEndian, uint32(16))
	_ = binary.Write(&b, binary.LittleEndian, uint16(1))
	_ = binary.Write(&b, binary.LittleEndian, uint16(channels))
	_ = binary.Write(&b, binary.LittleEndian, uint32(rate))
	_ = binary.Write(&b, binary.LittleEndian, uint32(rate*channels*2))
	_ = binary.Write(&b, binary.LittleEndian, uint16(channels*2))
	_ = binary.Write(&b, binary.LittleEndian, uint16(16))
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, uint32(data.Len()))
	b.Write(data.Bytes())
	return b.Bytes()
}

func TestDecodeWAV(t *testing.T) {
	tests := []struct {
		rate, channels int
		extra          bool
	}{
		{8000, 1, false}, {8000, 2, true}, {16000, 1, false}, {16000, 2, false}, {48000, 1, true}, {48000, 2, false},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			pcm, f, err := DecodeWAV(bytes.NewReader(makeWAV(tt.rate, tt.channels, 1000, 0.5, tt.extra)))
			require.NoError(t, err)
			assert.Equal(t, Format{SampleRate: tt.rate, Channels: tt.channels}, f)
			assert.InDelta(t, 4000, len(pcm), 1, "0.5 s at 8 kHz")
			assert.InDelta(t, 1000, tone.DominantFrequency(pcm, SampleRate), 2)
			assert.InDelta(t, 8000/math.Sqrt2, tone.RMS(pcm[200:3800]), 300, "level kept through the filter")
		})
	}
}

// A 5 kHz tone at 48 kHz (above the 4 kHz Nyquist after decimation) must be filtered out, not
// aliased into the band.
func TestDecodeWAVRejectsAliases(t *testing.T) {
	pcm, _, err := DecodeWAV(bytes.NewReader(makeWAV(48000, 1, 5000, 0.5, false)))
	require.NoError(t, err)
	assert.Less(t, tone.RMS(pcm[200:3800]), 8000/math.Sqrt2/100, "≥ 40 dB down")
}

func TestDecodeWAVErrors(t *testing.T) {
	good := makeWAV(8000, 1, 1000, 0.1, false)
	bad := func(off int, v []byte) []byte {
		b := append([]byte{}, good...)
		copy(b[off:], v)
		return b
	}
	tests := map[string][]byte{
		"empty":      nil,
		"not riff":   bad(0, []byte("RIFX")),
		"8 bit":      bad(34, []byte{8, 0}),
		"float":      bad(20, []byte{3, 0}),
		"44.1k":      bad(24, []byte{0x44, 0xac, 0, 0}),
		"5 channels": bad(22, []byte{5, 0}),
		"no data":    good[:36],
		"huge chunk": append(append([]byte{}, good[:12]...), []byte("JUNK\xff\xff\xff\xff")...),
		"data first": append(append([]byte{}, good[:12]...), []byte("data\x00\x00\x00\x00")...),
		"short fmt":  append(append([]byte{}, good[:12]...), []byte("fmt \x04\x00\x00\x00abcd")...),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := DecodeWAV(bytes.NewReader(in))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrFormat)
		})
	}
}

func TestWAVSinkSourceRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	sink, err := CreateWAV(path)
	require.NoError(t, err)
	src := tone.NewSine(440, 10000, SampleRate)
	frame := make([]int16, FrameSamples)
	var want []int16
	for range 25 {
		_, _ = src.Read(frame)
		want = append(want, frame...)
		require.NoError(t, sink.Write(frame))
	}
	require.NoError(t, sink.Close())
	require.NoError(t, sink.Close(), "idempotent")
	require.ErrorIs(t, sink.Write(frame), ErrClosed)

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Len(t, raw, 44+len(want)*2)
	assert.Equal(t, uint32(len(want)*2), binary.LittleEndian.Uint32(raw[40:]), "header fixed on Close")

	ws, err := OpenWAV(path, false)
	require.NoError(t, err)
	defer ws.Close() // it streams from the file (Windows cannot remove an open file)
	var got []int16
	for {
		n, err := ws.Read(frame)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		got = append(got, frame[:n]...)
	}
	assert.Equal(t, want, got)

	loop, err := OpenWAV(path, true)
	require.NoError(t, err)
	defer loop.Close()
	for range 60 { // longer than the file
		n, err := loop.Read(frame)
		require.NoError(t, err)
		require.Equal(t, FrameSamples, n)
	}
	_, err = OpenWAV(filepath.Join(t.TempDir(), "missing.wav"), false)
	require.Error(t, err)
}

func FuzzDecodeWAV(f *testing.F) {
	f.Add(makeWAV(8000, 1, 1000, 0.01, false))
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm, format, err := DecodeWAV(bytes.NewReader(b))
		if err != nil {
			return
		}
		if format.Channels < 1 || format.Channels > 2 {
			t.Fatalf("accepted %d channels", format.Channels)
		}
		_ = pcm
	})
}

// Every source and sink here plugs into audio.Session.
var (
	_ audio.Source = (*Null)(nil)
	_ audio.Sink   = (*Null)(nil)
	_ audio.Source = (*WAVSource)(nil)
	_ audio.Sink   = (*WAVSink)(nil)
	_ audio.Source = (*Device)(nil)
	_ audio.Sink   = (*Device)(nil)
)
