// Package resample converts mono 16-bit audio between rates that are integer multiples of each
// other (8000 ↔ 16000 ↔ 48000) with a polyphase windowed-sinc filter. It is pure Go, streams
// (state carries across calls, so frame edges are seamless) and allocates nothing per call.
package resample

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrRatio reports a pair of rates that are not integer multiples of each other.
var ErrRatio = errors.New("resample: rates must be integer multiples of each other")

// tapsPerPhase sets the filter length: tapsPerPhase × factor taps at the higher rate. 32 per
// phase gives a stop band beyond 90 dB with a Kaiser window and about 1 ms of delay at 16 kHz.
const tapsPerPhase = 32

// kaiserBeta shapes the window: 9 ≈ 90 dB side lobes.
const kaiserBeta = 9.0

// Converter resamples one stream. It is not safe for concurrent use.
type Converter struct {
	from, to int
	factor   int         // ratio between the higher and the lower rate
	up       bool        // to > from
	phases   [][]float64 // up: filter per output phase; down: one filter in phases[0]
	hist     []float64   // last samples of the input (at the input rate)
	pos      int         // down: input samples seen modulo factor
}

// New returns a Converter from one rate to another. Equal rates pass samples through.
func New(from, to int) (*Converter, error) {
	if from <= 0 || to <= 0 {
		return nil, fmt.Errorf("%w: %d → %d", ErrRatio, from, to)
	}
	c := &Converter{from: from, to: to, up: to > from}
	hi, lo := max(from, to), min(from, to)
	if hi%lo != 0 {
		return nil, fmt.Errorf("%w: %d → %d", ErrRatio, from, to)
	}
	c.factor = hi / lo
	if c.factor == 1 {
		return c, nil
	}
	n := filterLen(c.factor)
	h := lowpass(n, 0.5/float64(c.factor)*0.92) // cut a little below the lower Nyquist
	if c.up {
		// Zero-stuffing divides the level by factor: the filter gains it back.
		c.phases = make([][]float64, c.factor)
		for p := range c.factor {
			for k := p; k < n; k += c.factor {
				c.phases[p] = append(c.phases[p], h[k]*float64(c.factor))
			}
		}
		c.hist = make([]float64, tapsPerPhase)
	} else {
		c.phases = [][]float64{h}
		c.hist = make([]float64, n)
		c.pos = c.factor - 1 // keep input samples 0, factor, 2·factor…: whole-sample delays
	}
	return c, nil
}

// filterLen is odd, so the delay is a whole number of samples at the higher rate (and, being
// even, at the lower one when the factor is 2).
func filterLen(factor int) int { return tapsPerPhase*factor - 1 }

// lowpass designs an n-tap Kaiser-windowed sinc with cutoff fc (fraction of the sample rate).
func lowpass(n int, fc float64) []float64 {
	h := make([]float64, n)
	mid := float64(n-1) / 2
	var sum float64
	for i := range h {
		x := float64(i) - mid
		s := 2 * fc
		if x != 0 {
			s = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		r := 2*float64(i)/float64(n-1) - 1
		h[i] = s * bessel0(kaiserBeta*math.Sqrt(1-r*r)) / bessel0(kaiserBeta)
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum // unity gain at DC
	}
	return h
}

// bessel0 is the zeroth-order modified Bessel function of the first kind (series).
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return sum
}

// Process appends src, resampled, to dst and returns it. Upsampling yields factor samples per
// input sample; downsampling one per factor input samples (state carries the remainder).
func (c *Converter) Process(dst, src []int16) []int16 {
	switch {
	case c.factor == 1:
		return append(dst, src...)
	case c.up:
		for _, s := range src {
			copy(c.hist, c.hist[1:])
			c.hist[len(c.hist)-1] = float64(s)
			for _, ph := range c.phases {
				dst = append(dst, dot(c.hist, ph))
			}
		}
	default:
		h := c.phases[0]
		for _, s := range src {
			copy(c.hist, c.hist[1:])
			c.hist[len(c.hist)-1] = float64(s)
			c.pos++
			if c.pos == c.factor {
				c.pos = 0
				dst = append(dst, dot(c.hist, h))
			}
		}
	}
	return dst
}

// dot is the filter output for the newest sample at the end of hist and h's taps in time order.
func dot(hist, h []float64) int16 {
	var acc float64
	n := len(hist)
	for k, v := range h {
		acc += v * hist[n-1-k]
	}
	return int16(max(-32768, min(32767, math.Round(acc))))
}

// Delay is the filter's group delay.
func (c *Converter) Delay() time.Duration {
	if c.factor == 1 {
		return 0
	}
	hi := max(c.from, c.to)
	n := filterLen(c.factor)
	return time.Duration(float64(n-1) / 2 / float64(hi) * float64(time.Second))
}

// Reset clears the filter state (a new stream).
func (c *Converter) Reset() {
	clear(c.hist)
	c.pos = c.factor - 1
}

// InRate is the rate Process takes.
func (c *Converter) InRate() int { return c.from }

// OutRate is the rate Process returns.
func (c *Converter) OutRate() int { return c.to }
