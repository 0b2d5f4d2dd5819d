package resample

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio/dsp"
)

func tone(rate, n int, f, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*f*float64(i)/float64(rate)))
	}
	return out
}

// run feeds src in 20 ms frames, as the media path does.
func run(t testing.TB, c *Converter, src []int16, rate int) []int16 {
	var out []int16
	fr := rate / 50
	for i := 0; i+fr <= len(src); i += fr {
		out = c.Process(out, src[i:i+fr])
	}
	return out
}

func rms(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}

func db(x float64) float64 { return 10 * math.Log10(x) }

func TestRatios(t *testing.T) {
	for _, c := range []struct {
		from, to int
		ok       bool
	}{{8000, 16000, true}, {16000, 8000, true}, {48000, 16000, true}, {16000, 48000, true}, {8000, 8000, true},
		{16000, 44100, false}, {0, 8000, false}} {
		_, err := New(c.from, c.to)
		if c.ok {
			assert.NoError(t, err, "%d→%d", c.from, c.to)
		} else {
			assert.ErrorIs(t, err, ErrRatio, "%d→%d", c.from, c.to)
		}
	}
}

// Up-sampling keeps the level of a tone in the pass band and leaves its image (at the lower
// rate minus the tone) far below.
func TestUpImages(t *testing.T) {
	for _, to := range []int{16000, 48000} {
		c, err := New(8000, to)
		require.NoError(t, err)
		in := tone(8000, 16000, 1000, 10000)
		out := run(t, c, in, 8000)
		require.Len(t, out, len(in)*to/8000)
		gain := rms(out[to/10:]) / rms(in[800:])
		image := dsp.BandEnergy(out[to/10:], to, 4200, float64(to)/2)
		t.Logf("8000→%d: gain %.3f dB, energy above 4.2 kHz %.1f dB, delay %v", to, 20*math.Log10(gain), db(image), c.Delay())
		assert.InDelta(t, 1, gain, 0.01)
		assert.Less(t, db(image), -80.0)
	}
}

// Down-sampling removes what the lower rate cannot carry instead of folding it back.
func TestDownAliasing(t *testing.T) {
	c, err := New(16000, 8000)
	require.NoError(t, err)
	pass := run(t, c, tone(16000, 16000, 1000, 10000), 16000)
	assert.InDelta(t, 10000/math.Sqrt2, rms(pass[800:]), 100)
	c.Reset()
	// 6 kHz at 16 kHz would alias to 2 kHz at 8 kHz.
	stop := run(t, c, tone(16000, 16000, 6000, 10000), 16000)
	att := 20 * math.Log10(max(rms(stop[800:]), 0.5)/(10000/math.Sqrt2)) // below half an LSB counts as half
	t.Logf("16000→8000: 6 kHz attenuated by at least %.1f dB, delay %v", -att, c.Delay())
	assert.Less(t, att, -80.0)
}

// A round trip 8 kHz → 16 kHz → 8 kHz reproduces the signal after the filters' delay.
func TestRoundTrip(t *testing.T) {
	up, err := New(8000, 16000)
	require.NoError(t, err)
	down, err := New(16000, 8000)
	require.NoError(t, err)
	in := tone(8000, 8000, 440, 8000)
	out := run(t, down, run(t, up, in, 8000), 16000)
	lag := int(math.Round((up.Delay() + down.Delay()).Seconds() * 8000))
	var sig, noise float64
	for i := 1000; i < len(out); i++ {
		d := float64(out[i]) - float64(in[i-lag])
		sig += float64(in[i-lag]) * float64(in[i-lag])
		noise += d * d
	}
	snr := db(sig / noise)
	t.Logf("round trip SNR %.1f dB at a lag of %d samples", snr, lag)
	assert.Greater(t, snr, 30.0)
}

func BenchmarkConvert(b *testing.B) {
	for _, r := range [][2]int{{8000, 16000}, {16000, 8000}} {
		c, _ := New(r[0], r[1])
		in := tone(r[0], r[0]/50, 1000, 8000)
		out := make([]int16, 0, 2048)
		b.Run(fmt.Sprintf("%dto%d", r[0], r[1]), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out = c.Process(out[:0], in)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20e6*100, "%cpu/call")
		})
	}
}
