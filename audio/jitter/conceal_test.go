package jitter

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// voiced is a vowel-like signal: harmonics of a pitch gliding between 100 and 180 Hz.
func voiced(rate, n int) []int16 {
	out := make([]int16, n)
	phase := 0.0
	for i := range out {
		t := float64(i) / float64(rate)
		f0 := 140 + 40*math.Sin(2*math.Pi*0.5*t)
		phase += 2 * math.Pi * f0 / float64(rate)
		var v float64
		for h := 1; float64(h)*f0 < 3800; h++ {
			v += math.Sin(float64(h)*phase+float64(h)*0.7) / float64(h)
		}
		out[i] = int16(5000 * v)
	}
	return out
}

// repeatFade is the concealment this package had before: the last frame tiled, faded over four
// frames. It is the reference the pitch-based concealer is measured against.
type repeatFade struct {
	last   []int16
	losses int
}

func (c *repeatFade) Good(pcm []int16) { c.last = append(c.last[:0], pcm...); c.losses = 0 }
func (c *repeatFade) Conceal(dst []int16) {
	c.losses++
	if len(c.last) == 0 || c.losses > 4 {
		clear(dst)
		return
	}
	g0, g1 := 1-float64(c.losses-1)/4, 1-float64(c.losses)/4
	for i := range dst {
		dst[i] = int16(float64(c.last[i%len(c.last)]) * (g0 + (g1-g0)*float64(i)/float64(len(dst))))
	}
}

type concealer interface {
	Good([]int16)
	Conceal([]int16)
}

// concealRun plays x frame by frame, losing the frames in lost, and returns the output, the
// SNR of the first frame of each loss against the original, and the clicks at loss edges.
func concealRun(c concealer, x []int16, frame int, lost map[int]bool) (snr float64, clicks int) {
	y := make([]int16, 0, len(x))
	for f := 0; (f+1)*frame <= len(x); f++ {
		buf := make([]int16, frame)
		if lost[f] {
			c.Conceal(buf)
		} else {
			copy(buf, x[f*frame:])
			c.Good(buf)
		}
		y = append(y, buf...)
	}
	var sig, noise float64
	abs := func(v int) int { return max(v, -v) }
	for f := range len(y) / frame {
		if lost[f] && !lost[f-1] {
			for i := f * frame; i < (f+1)*frame; i++ {
				d := float64(y[i]) - float64(x[i])
				sig += float64(x[i]) * float64(x[i])
				noise += d * d
			}
		}
		if lost[f] != lost[f-1] { // an edge: into or out of a loss
			b := f * frame
			step := abs(int(y[b]) - int(y[b-1]))
			local := 0
			for i := b - 15; i < b+16; i++ {
				if i != b {
					local = max(local, abs(int(y[i])-int(y[i-1])))
				}
			}
			if step > 5*local/2 || step > 2*maxStep(x[b-frame:b+frame]) {
				clicks++
			}
		}
	}
	return 10 * math.Log10(sig/math.Max(noise, 1)), clicks
}

func maxStep(x []int16) int {
	m := 0
	for i := 1; i < len(x); i++ {
		d := int(x[i]) - int(x[i-1])
		m = max(m, d, -d)
	}
	return m
}

// The pitch-repeating concealer continues a voiced signal far better than repeating the last
// frame, and its loss edges do not click, at 8 and 16 kHz, single losses and bursts.
func TestConcealerAgainstRepeatFade(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		frame := rate / 50
		x := voiced(rate, 10*rate)
		lost := map[int]bool{}
		for f := 5; f < 495; f += 11 {
			lost[f] = true
			if f%3 == 0 { // some bursts of three
				lost[f+1], lost[f+2] = true, true
			}
		}
		snrNew, clicksNew := concealRun(&Concealer{}, x, frame, lost)
		snrOld, clicksOld := concealRun(&repeatFade{}, x, frame, lost)
		t.Logf("%5d Hz, %d lost frames: first lost frame SNR %.1f dB (repeat/fade %.1f dB), clicks at loss edges %d (repeat/fade %d)",
			rate, len(lost), snrNew, snrOld, clicksNew, clicksOld)
		assert.Greater(t, snrNew, snrOld+3, "pitch repetition tracks the waveform")
		assert.Zero(t, clicksNew, "no clicks at the edges of a loss")
		assert.Positive(t, clicksOld, "the reference does click (the test can fail)")
	}
}

func TestConcealerFadesAndRecovers(t *testing.T) {
	var c Concealer
	out := make([]int16, 160)
	c.Conceal(out)
	assert.Equal(t, make([]int16, 160), out, "nothing to repeat yet")
	x := voiced(8000, 1600)
	for f := range 10 {
		c.Good(append([]int16(nil), x[f*160:(f+1)*160]...))
	}
	c.Conceal(out)
	assert.Greater(t, maxAbs(out[:80]), int16(3000), "first half frame at full level")
	for range fadeFrames {
		c.Conceal(out)
	}
	assert.Equal(t, make([]int16, 160), out, "silent after the fade")
	assert.Equal(t, fadeFrames+1, c.Losses())
	good := append([]int16(nil), x[:160]...)
	c.Good(good)
	assert.Equal(t, int16(0), good[0], "the first good frame after silence fades in")
	assert.Equal(t, x[100], good[100], "and is untouched after the cross-fade")
	assert.Equal(t, 0, c.Losses())
}

func maxAbs(x []int16) int16 {
	var m int16
	for _, v := range x {
		m = max(m, v, -v)
	}
	return m
}
