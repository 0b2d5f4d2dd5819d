package jitter

// Concealer hides lost frames in the PCM domain: it repeats the last good frame with a fade, so a
// single loss is barely audible and a burst fades to silence within four frames.
type Concealer struct {
	last   []int16
	losses int
}

// Good records a correctly decoded frame.
func (c *Concealer) Good(pcm []int16) {
	c.last = append(c.last[:0], pcm...)
	c.losses = 0
}

// fadeFrames is after how many consecutive losses the output is silent.
const fadeFrames = 4

// Conceal fills dst with a replacement for a lost frame.
func (c *Concealer) Conceal(dst []int16) {
	c.losses++
	if len(c.last) == 0 || c.losses > fadeFrames {
		clear(dst)
		return
	}
	// Linear gain ramp across the frame, from (n-1)/fade to n/fade below full scale.
	g0 := 1 - float64(c.losses-1)/fadeFrames
	g1 := 1 - float64(c.losses)/fadeFrames
	n := len(dst)
	for i := range dst {
		src := c.last[i%len(c.last)]
		g := g0 + (g1-g0)*float64(i)/float64(n)
		dst[i] = int16(float64(src) * g)
	}
}

// Losses is the number of consecutive concealed frames.
func (c *Concealer) Losses() int { return c.losses }
