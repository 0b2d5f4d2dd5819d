// Package tone generates test tones and finds the dominant frequency of received audio; integration
// tests use it to prove that the far end's tone arrived. It is pure Go.
package tone

import (
	"math"
	"sync"
)

// Sine is an audio source of a continuous sine wave. It satisfies audio.Source and never blocks.
type Sine struct {
	mu        sync.Mutex
	freq      float64
	amplitude float64
	rate      int
	phase     float64 // radians; guarded by mu
}

// NewSine returns a sine source of freq Hz with peak amplitude (0..32767) at rate samples per second
// (8000 when rate <= 0).
func NewSine(freq float64, amplitude int16, rate int) *Sine {
	if rate <= 0 {
		rate = 8000
	}
	return &Sine{freq: freq, amplitude: float64(amplitude), rate: rate}
}

// Read fills frame with the next samples of the tone.
func (s *Sine) Read(frame []int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	step := 2 * math.Pi * s.freq / float64(s.rate)
	for i := range frame {
		frame[i] = int16(s.amplitude * math.Sin(s.phase))
		s.phase += step
		if s.phase > 2*math.Pi {
			s.phase -= 2 * math.Pi
		}
	}
	return len(frame), nil
}

// power is the Goertzel power at freq of the (already windowed) signal x.
func power(x []float64, rate int, freq float64) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s0 := v + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}

// hann applies a Hann window, which keeps a strong tone from leaking into far-away bins.
func hann(pcm []int16) []float64 {
	n := len(pcm)
	x := make([]float64, n)
	for i, v := range pcm {
		x[i] = float64(v) * (0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1)))
	}
	return x
}

// DominantFrequency returns the frequency in Hz with the most energy in pcm sampled at rate, to
// about 1 Hz, or 0 for silence or too little audio. It scans 20 Hz .. rate/2.
func DominantFrequency(pcm []int16, rate int) float64 {
	if len(pcm) < 64 || rate <= 0 {
		return 0
	}
	// Long captures: a second of audio is plenty and keeps the scan cheap.
	if len(pcm) > rate {
		pcm = pcm[len(pcm)-rate:]
	}
	silent := true
	for _, x := range pcm {
		if x > 16 || x < -16 {
			silent = false
			break
		}
	}
	if silent {
		return 0
	}
	x := hann(pcm)
	best, bestP := 0.0, -1.0
	nyq := float64(rate) / 2
	for f := 20.0; f < nyq; f += 10 {
		if p := power(x, rate, f); p > bestP {
			best, bestP = f, p
		}
	}
	// Refine around the coarse peak.
	lo, hi := best-10, best+10
	for f := lo; f <= hi; f += 0.5 {
		if f <= 0 || f >= nyq {
			continue
		}
		if p := power(x, rate, f); p > bestP {
			best, bestP = f, p
		}
	}
	return best
}

// RMS is the root-mean-square level of pcm, handy to tell audio from silence.
func RMS(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var sum float64
	for _, x := range pcm {
		sum += float64(x) * float64(x)
	}
	return math.Sqrt(sum / float64(len(pcm)))
}
