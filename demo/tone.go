package demo

import "math"

// sampleRate is the G.711 sample rate; frameSamples is one 20 ms frame.
const (
	sampleRate   = 8000
	frameSamples = 160
)

// note is one step of a tone sequence: up to a few simultaneous partials
// (none for a pause) with relative amplitudes.
type note struct {
	freqs []float64
	amps  []float64
	ms    int
}

// toneGen produces a looping sequence of notes, frame by frame. It is used
// by one goroutine only (the media sender of one call).
type toneGen struct {
	notes []note
	i     int     // current note
	pos   int     // sample position within the current note
	phase float64 // running time in samples, so partials stay continuous
	level float64 // peak amplitude, full scale = 32767
}

// newMusic returns a slow arpeggio of pure sine tones (extension "music").
func newMusic() *toneGen {
	freqs := []float64{440, 554.37, 659.25, 880, 659.25, 554.37}
	var ns []note
	for _, f := range freqs {
		ns = append(ns, note{freqs: []float64{f}, amps: []float64{1}, ms: 400})
	}
	ns = append(ns, note{ms: 300})
	return &toneGen{notes: ns, level: 8000}
}

// newVoice returns a voice-like signal: syllables of a harmonic tone with a
// moving pitch and pauses between words. seed varies the speaker.
func newVoice(seed int) *toneGen {
	base := 110.0 + float64(seed%7)*15 // speaker pitch 110…200 Hz
	pattern := []struct {
		rel float64
		ms  int
	}{{1.0, 180}, {1.15, 140}, {0.95, 220}, {0, 160}, {1.1, 200}, {1.25, 120}, {1.0, 260}, {0, 420}}
	var ns []note
	for k, p := range pattern {
		if p.rel == 0 {
			ns = append(ns, note{ms: p.ms})
			continue
		}
		f0 := base * p.rel * (1 + 0.02*float64((seed+k)%3))
		ns = append(ns, note{
			freqs: []float64{f0, 2 * f0, 3 * f0, 4 * f0},
			amps:  []float64{1, 0.6, 0.35, 0.2},
			ms:    p.ms,
		})
	}
	return &toneGen{notes: ns, level: 6000}
}

// read fills frame with the next samples.
func (g *toneGen) read(frame []int16) {
	for n := range frame {
		nt := g.notes[g.i]
		total := nt.ms * sampleRate / 1000
		var v float64
		if len(nt.freqs) > 0 {
			// Raised-cosine attack and release of 10 ms avoid clicks.
			env := 1.0
			ramp := sampleRate / 100
			if total > 2*ramp {
				if g.pos < ramp {
					env = 0.5 - 0.5*math.Cos(math.Pi*float64(g.pos)/float64(ramp))
				} else if g.pos > total-ramp {
					env = 0.5 - 0.5*math.Cos(math.Pi*float64(total-g.pos)/float64(ramp))
				}
			}
			var sum, norm float64
			for j, f := range nt.freqs {
				sum += nt.amps[j] * math.Sin(2*math.Pi*f*g.phase/sampleRate)
				norm += nt.amps[j]
			}
			v = g.level * env * sum / norm
		}
		frame[n] = int16(v)
		g.phase++
		if g.phase >= sampleRate*3600 {
			g.phase = 0
		}
		g.pos++
		if g.pos >= total {
			g.pos = 0
			g.i = (g.i + 1) % len(g.notes)
		}
	}
}
