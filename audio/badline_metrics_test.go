package audio

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
)

// speechFile is the 16 kHz speech recording Debian's linphone-common ships (installed with
// linphone-cli for the interop tests, scripts/deps.sh). It is read, never copied.
const speechFile = "/usr/share/sounds/linphone/hello16000.wav"

// badLineSignal returns 16 kHz speech to send and what it is: the recording, or a synthetic
// voice (harmonics with a syllable envelope and a gliding pitch) when it is not installed.
func badLineSignal() ([]int16, string) {
	if b, err := os.ReadFile(speechFile); err == nil {
		if i := bytes.Index(b, []byte("data")); i >= 0 && i+8 < len(b) {
			pcm := b[i+8:]
			out := make([]int16, len(pcm)/2)
			for k := range out {
				out[k] = int16(binary.LittleEndian.Uint16(pcm[2*k:]))
			}
			return out, "speech recording " + speechFile
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]int16, 8*RateWideband)
	phase := 0.0
	for i := range out {
		t := float64(i) / RateWideband
		f0 := 140 + 40*math.Sin(2*math.Pi*0.7*t)
		phase += 2 * math.Pi * f0 / RateWideband
		env := math.Max(0, math.Sin(2*math.Pi*2.5*t))
		var v float64
		for h := 1; float64(h)*f0 < 4000; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		out[i] = int16(max(-32000, min(32000, 4000*env*(v+0.05*rng.NormFloat64()))))
	}
	return out, "synthetic voice (" + speechFile + " not installed)"
}

// corr is the normalised correlation of x with y (same length).
func corr(x, y []int16) float64 {
	var xy, xx, yy float64
	for i := range x {
		a, b := float64(x[i]), float64(y[i])
		xy += a * b
		xx += a * a
		yy += b * b
	}
	if xx == 0 || yy == 0 {
		return 0
	}
	return xy / math.Sqrt(xx*yy)
}

// globalLag finds the delay of y against x (in samples, 0..maxLag) on 4:1 decimated signals,
// then refines it at the full rate.
func globalLag(x, y []int16, maxLag int) int {
	dec := func(s []int16) []int16 {
		out := make([]int16, len(s)/4)
		for i := range out {
			out[i] = int16((int(s[4*i]) + int(s[4*i+1]) + int(s[4*i+2]) + int(s[4*i+3])) / 4)
		}
		return out
	}
	n := min(len(x), 6*RateWideband)
	x4, y4 := dec(x[:n]), dec(y)
	best, bestC := 0, math.Inf(-1)
	for l := 0; l <= maxLag/4 && l+len(x4) <= len(y4); l++ {
		if c := corr(x4, y4[l:l+len(x4)]); c > bestC {
			best, bestC = l, c
		}
	}
	lag, bestC := 4*best, math.Inf(-1)
	for d := -6; d <= 6; d++ {
		l := 4*best + d
		if l < 0 || l+n > len(y) {
			continue
		}
		if c := corr(x[:n], y[l:l+n]); c > bestC {
			lag, bestC = l, c
		}
	}
	return lag
}

// segmentalCorrelation scores y against x: for each 100 ms segment of active speech the best
// normalised correlation at the global delay plus or minus whole frames (an adaptive buffer
// moves the delay in frames, which is inaudible), averaged. 1 is identical.
func segmentalCorrelation(x, y []int16, lag, frame int) float64 {
	const seg = RateWideband / 10
	var all float64
	for _, v := range x {
		all += float64(v) * float64(v)
	}
	rmsAll := math.Sqrt(all / float64(len(x)))
	var sum float64
	n := 0
	for s := 0; s+seg <= len(x); s += seg {
		xs := x[s : s+seg]
		var e float64
		for _, v := range xs {
			e += float64(v) * float64(v)
		}
		if math.Sqrt(e/seg) < rmsAll/4 {
			continue // pause: nothing to compare
		}
		best := 0.0
		for k := -8; k <= 8; k++ {
			for d := -2; d <= 2; d++ {
				l := s + lag + k*frame + d
				if l < 0 || l+seg > len(y) {
					continue
				}
				best = max(best, corr(xs, y[l:l+seg]))
			}
		}
		sum += best
		n++
	}
	return sum / float64(max(n, 1))
}

// clicks counts frame boundaries in y where the step between two samples is far larger than
// any step around it: the mark of a concealment that does not join the signal.
func clicks(y []int16, from, to, frame int) int {
	count := 0
	abs := func(v int) int { return max(v, -v) }
	for b := (from/frame + 1) * frame; b+16 < min(to, len(y)); b += frame {
		step := abs(int(y[b]) - int(y[b-1]))
		local := 0
		for i := b - 15; i < b+16; i++ {
			if i != b {
				local = max(local, abs(int(y[i])-int(y[i-1])))
			}
		}
		if step > 1000 && step > 5*local/2 {
			count++
		}
	}
	return count
}
