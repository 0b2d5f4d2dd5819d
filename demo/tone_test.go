package demo

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestToneGenerators(t *testing.T) {
	tests := []struct {
		name  string
		gen   *toneGen
		first float64 // dominant frequency of the first 300 ms
	}{
		{"music starts on A4", newMusic(), 440},
		{"sine", newSine(1000, 8000), 1000},
		{"voice of customer 0", newVoice(0), 110},
		{"voice of customer 3", newVoice(3), 110 + 3*15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pcm := make([]int16, 15*frameSamples) // 300 ms, within the first note or syllable
			for i := 0; i < 15; i++ {
				tc.gen.read(pcm[i*frameSamples : (i+1)*frameSamples])
			}
			at := goertzel(pcm[:1400], tc.first)
			off := goertzel(pcm[:1400], tc.first*1.5)
			assert.Greater(t, at, 10*off, "%.0f Hz dominates", tc.first)
		})
	}
}

func TestVoiceHasPauses(t *testing.T) {
	g := newVoice(1)
	silent, loud := 0, 0
	frame := make([]int16, frameSamples)
	for i := 0; i < 200; i++ { // 4 s
		g.read(frame)
		peak := 0
		for _, v := range frame {
			peak = max(peak, int(v), -int(v))
		}
		if peak == 0 {
			silent++
		} else {
			loud++
		}
	}
	assert.Greater(t, silent, 10, "pauses between words")
	assert.Greater(t, loud, 100, "mostly talking")
}
