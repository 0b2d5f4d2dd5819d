package demo

import "math"

// goertzel returns the power of freq in samples, normalised by length; used
// to check what a call carries.
func goertzel(samples []int16, freq float64) float64 {
	if len(samples) == 0 {
		return 0
	}
	k := 2 * math.Cos(2*math.Pi*freq/sampleRate)
	var s1, s2 float64
	for _, x := range samples {
		s0 := float64(x) + k*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - k*s1*s2
	return p / float64(len(samples)*len(samples))
}

// newSine returns a single continuous sine tone (tests and diagnostics).
func newSine(freq float64, level float64) *toneGen {
	return &toneGen{notes: []note{{freqs: []float64{freq}, amps: []float64{1}, ms: 1000}}, level: level}
}
