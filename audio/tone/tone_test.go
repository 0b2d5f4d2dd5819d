package tone

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDominantFrequency(t *testing.T) {
	tests := []struct {
		freq float64
		rate int
	}{
		{1000, 8000}, {440, 8000}, {3400, 8000}, {697, 8000}, {1000, 48000}, {123.5, 16000},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			s := NewSine(tt.freq, 8000, tt.rate)
			pcm := make([]int16, tt.rate/2)
			_, _ = s.Read(pcm)
			got := DominantFrequency(pcm, tt.rate)
			assert.InDelta(t, tt.freq, got, 2, "rate %d", tt.rate)
		})
	}
}

func TestDominantFrequencyNoisy(t *testing.T) {
	s := NewSine(1000, 4000, 8000)
	pcm := make([]int16, 8000)
	_, _ = s.Read(pcm)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range pcm {
		pcm[i] += int16(r.IntN(4000) - 2000)
	}
	assert.InDelta(t, 1000, DominantFrequency(pcm, 8000), 2)
}

func TestSilenceAndShort(t *testing.T) {
	assert.Zero(t, DominantFrequency(make([]int16, 8000), 8000))
	assert.Zero(t, DominantFrequency(make([]int16, 10), 8000))
	assert.Zero(t, RMS(nil))
}

func TestSineContinuousAcrossReads(t *testing.T) {
	s := NewSine(1000, 10000, 8000)
	a := make([]int16, 160)
	b := make([]int16, 160)
	_, _ = s.Read(a)
	_, _ = s.Read(b)
	whole := make([]int16, 320)
	_, _ = NewSine(1000, 10000, 8000).Read(whole)
	assert.Equal(t, whole[:160], a)
	for i := range b {
		assert.InDelta(t, whole[160+i], b[i], 1)
	}
	assert.InDelta(t, 10000/math.Sqrt2, RMS(whole), 100)
}
