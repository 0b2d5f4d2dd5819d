package jitter

import "math"

// Concealer hides lost frames in the PCM domain for codecs without their own concealment
// (G.711, G.722), in the manner of ITU-T G.711 Appendix I: it finds the pitch period of the last
// good audio and repeats it, in phase, so the replacement continues the waveform instead of
// jumping; it fades out over three frames (silent from 60 ms), and the first good frame after a
// loss is cross-faded from the replacement, so neither edge of a loss clicks. The zero value is
// ready. It does not know the sample rate: its pitch search covers 20 to 300 samples, 2.5 to
// 37 ms at 8 kHz and 1.25 to 19 ms at 16 kHz, voice pitch at both.
type Concealer struct {
	hist   []int16 // the last good audio, newest last
	losses int     // consecutive concealed frames
	period int     // pitch period in samples for the current loss
	phase  int     // samples synthesised in the current loss
	gain   float64 // gain at the end of the last concealed frame
}

const (
	// histLen is how much good audio the pitch search looks at.
	histLen = 720
	// pitchWindow is the span matched against one period earlier.
	pitchWindow = 160
	minPeriod   = 20
	maxPeriod   = 300
	// fadeFrames is after how many consecutive losses the output is silent.
	fadeFrames = 3
)

// Good records a correctly decoded frame. After a loss it cross-fades the start of pcm from the
// continued replacement, in place, so the return of the real signal does not click.
func (c *Concealer) Good(pcm []int16) {
	if c.losses > 0 && c.period > 0 && len(c.hist) > 0 {
		l := len(pcm) / 4
		for i := range l {
			s := c.gain * float64(c.synth(c.phase+i))
			w := float64(i) / float64(l)
			pcm[i] = clamp16(w*float64(pcm[i]) + (1-w)*s)
		}
	}
	c.hist = append(c.hist, pcm...)
	if over := len(c.hist) - histLen; over > 0 {
		c.hist = append(c.hist[:0], c.hist[over:]...)
	}
	c.losses, c.phase, c.period = 0, 0, 0
}

// Conceal fills dst with a replacement for a lost frame.
func (c *Concealer) Conceal(dst []int16) {
	c.losses++
	if len(c.hist) == 0 || c.losses > fadeFrames {
		clear(dst)
		c.gain = 0
		return
	}
	if c.period == 0 {
		c.period = pitchPeriod(c.hist)
	}
	// Gain: full for the first half frame, then down linearly to silence at fadeFrames.
	n := len(dst)
	for i := range dst {
		t := float64(c.losses-1) + float64(i)/float64(n) // in frames since the loss began
		g := 1.0
		if t > 0.5 {
			g = math.Max(0, 1-(t-0.5)/(fadeFrames-0.5))
		}
		dst[i] = clamp16(g * float64(c.synth(c.phase+i)))
		c.gain = g
	}
	c.phase += n
}

// synth is sample k of the periodic continuation of the history.
func (c *Concealer) synth(k int) int16 {
	p := min(c.period, len(c.hist))
	return c.hist[len(c.hist)-p+k%p]
}

// Losses is the number of consecutive concealed frames.
func (c *Concealer) Losses() int { return c.losses }

// pitchPeriod returns the lag that best continues the end of h: the one whose normalised
// correlation between the last pitchWindow samples and those one lag earlier is highest. With
// too little history it returns the whole history.
func pitchPeriod(h []int16) int {
	w := min(pitchWindow, len(h)/2)
	hi := min(maxPeriod, len(h)-w)
	if w == 0 || hi < minPeriod {
		return len(h)
	}
	tail := h[len(h)-w:]
	best, bestC := hi, math.Inf(-1)
	for p := minPeriod; p <= hi; p++ {
		prev := h[len(h)-w-p : len(h)-p]
		var xy, yy float64
		for i := range tail {
			xy += float64(tail[i]) * float64(prev[i])
			yy += float64(prev[i]) * float64(prev[i])
		}
		if yy == 0 {
			continue
		}
		if c := xy / math.Sqrt(yy); c > bestC {
			best, bestC = p, c
		}
	}
	return best
}

func clamp16(v float64) int16 {
	return int16(math.Max(-32768, math.Min(32767, math.Round(v))))
}
