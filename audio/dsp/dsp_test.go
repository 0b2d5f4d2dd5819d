package dsp

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	rate  = 16000
	frame = 320 // 20 ms
)

// speechFile is a real 16 kHz speech recording shipped by Debian's linphone-common (installed
// with linphone-cli for the interop tests). It is read, never copied into the repository.
const speechFile = "/usr/share/sounds/linphone/hello16000.wav"

// farEnd returns seconds of recorded speech (looped), or a synthetic voice when the recording
// is not installed.
func farEnd(t testing.TB, seconds int) []int16 {
	n := seconds * rate
	var rec []int16
	if b, err := os.ReadFile(speechFile); err == nil {
		if i := bytes.Index(b, []byte("data")); i >= 0 && i+8 < len(b) {
			pcm := b[i+8:]
			rec = make([]int16, len(pcm)/2)
			for k := range rec {
				rec[k] = int16(binary.LittleEndian.Uint16(pcm[2*k:]))
			}
			t.Logf("far end: %s (%.1f s, looped)", speechFile, float64(len(rec))/rate)
		}
	}
	if len(rec) == 0 {
		t.Logf("far end: synthetic voice (%s not installed)", speechFile)
		rec = synthVoice(rate * 4)
	}
	out := make([]int16, n)
	for i := range out {
		out[i] = rec[i%len(rec)]
	}
	return out
}

func synthVoice(n int) []int16 {
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]int16, n)
	for i := range out {
		t := float64(i) / rate
		env := math.Max(0, math.Sin(2*math.Pi*2*t))
		var v float64
		for h := 1; h*150 < 4000; h++ {
			v += math.Sin(2*math.Pi*float64(h*150)*t) / float64(h)
		}
		out[i] = int16(4000 * env * (v + 0.3*rng.NormFloat64()))
	}
	return out
}

// roomIR is a known echo path: 40 ms of pure delay (device buffers), then a direct reflection
// and an exponentially decaying tail over 100 ms (a small office), with gain g.
func roomIR(g float64) []float64 {
	rng := rand.New(rand.NewPCG(5, 6))
	delay := 40 * rate / 1000
	ir := make([]float64, delay+100*rate/1000)
	ir[delay] = 0.6
	for i := delay + 1; i < len(ir); i++ {
		tau := float64(i-delay) / (20 * rate / 1000)
		ir[i] = 0.03 * rng.NormFloat64() * math.Exp(-tau) // tail energy 40 % of the direct path's
	}
	for i := range ir {
		ir[i] *= g
	}
	return ir
}

func convolve(x []int16, ir []float64) []float64 {
	y := make([]float64, len(x))
	for i := range x {
		if x[i] == 0 {
			continue
		}
		xv := float64(x[i])
		for k, h := range ir {
			if i+k >= len(y) {
				break
			}
			y[i+k] += xv * h
		}
	}
	return y
}

func energy(x []int16) float64 {
	var e float64
	for _, v := range x {
		e += float64(v) * float64(v)
	}
	return e
}

func clip(v float64) int16 { return int16(max(-32768, min(32767, math.Round(v)))) }

// With a known echo path applied to recorded speech, the canceller removes at least 25 dB of
// echo once it has converged, and lets the agent's own voice through (an AEC that mutes the
// microphone would also "remove" the echo).
func TestEchoReturnLossEnhancement(t *testing.T) {
	if !Available() {
		_, err := New(Config{SampleRate: rate, FrameSamples: frame, EchoCancel: true})
		require.ErrorIs(t, err, ErrUnavailable)
		t.Skip("built without cgo: no echo canceller")
	}
	const seconds = 20
	far := farEnd(t, seconds)
	echo := convolve(far, roomIR(0.8))
	rng := rand.New(rand.NewPCG(7, 8))
	near := make([]int16, len(far))
	for i := range near {
		near[i] = clip(echo[i] + 3*rng.NormFloat64()) // microphone self-noise, ~ -80 dBFS
	}
	// The agent speaks alone during the last 2 s (the customer is silent).
	agent := synthVoice(2 * rate)
	talk := len(near) - len(agent)
	for i := range agent {
		far[talk+i] = 0
		near[talk+i] = clip(float64(agent[i]) + 3*rng.NormFloat64())
	}

	p, err := New(Config{SampleRate: rate, FrameSamples: frame, EchoCancel: true})
	require.NoError(t, err)
	defer p.Close()
	out := make([]int16, len(near))
	for i := 0; i+frame <= len(near); i += frame {
		p.Process(near[i:i+frame], far[i:i+frame], out[i:i+frame])
	}
	// ERLE over the echo-only stretch after 8 s of convergence.
	from, to := 8*rate, talk
	erle := 10 * math.Log10(energy(near[from:to])/math.Max(energy(out[from:to]), 1))
	first := 10 * math.Log10(energy(near[:rate])/math.Max(energy(out[:rate]), 1))
	kept := 10 * math.Log10(energy(out[talk+rate/2:])/energy(near[talk+rate/2:]))
	t.Logf("ERLE first second %.1f dB, after convergence %.1f dB (bound 25 dB); near-end speech level change %.1f dB", first, erle, kept)
	assert.GreaterOrEqual(t, erle, 25.0)
	assert.Greater(t, kept, -6.0, "the agent's voice passes")
}

// Noise suppression takes stationary noise down and keeps speech.
func TestNoiseSuppression(t *testing.T) {
	if !Available() {
		t.Skip("built without cgo")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	noise := make([]int16, 6*rate)
	for i := range noise {
		noise[i] = clip(300 * rng.NormFloat64())
	}
	p, err := New(Config{SampleRate: rate, FrameSamples: frame, NoiseSuppress: true})
	require.NoError(t, err)
	defer p.Close()
	out := make([]int16, len(noise))
	for i := 0; i+frame <= len(noise); i += frame {
		p.Process(noise[i:i+frame], nil, out[i:i+frame])
	}
	att := 10 * math.Log10(energy(noise[2*rate:])/energy(out[2*rate:]))
	t.Logf("stationary noise attenuated by %.1f dB", att)
	assert.Greater(t, att, 10.0)
}

func TestConfigErrors(t *testing.T) {
	_, err := New(Config{})
	assert.Error(t, err)
}

// CPU of echo cancellation plus suppression for one call: one 20 ms frame at 16 kHz.
func BenchmarkProcess(b *testing.B) {
	if !Available() {
		b.Skip("built without cgo")
	}
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"aec+ns/16k", Config{SampleRate: rate, FrameSamples: frame, EchoCancel: true, NoiseSuppress: true}},
		{"ns/16k", Config{SampleRate: rate, FrameSamples: frame, NoiseSuppress: true}},
		{"aec+ns/8k", Config{SampleRate: 8000, FrameSamples: 160, EchoCancel: true, NoiseSuppress: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			p, err := New(c.cfg)
			require.NoError(b, err)
			defer p.Close()
			n := c.cfg.FrameSamples
			far := synthVoice(50 * n)
			near := synthVoice(50 * n)
			out := make([]int16, n)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				k := (i % 50) * n
				p.Process(near[k:k+n], far[k:k+n], out)
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20e6*100, "%cpu/call")
		})
	}
}
