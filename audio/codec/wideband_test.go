package codec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio/dsp"
)

// speechLike is a test signal with energy across the wideband range: a 200 Hz buzz with
// harmonics up to 4 kHz (voiced speech) plus noise over the whole band (fricatives), with a slow
// amplitude envelope. It is deterministic.
func speechLike(rate, samples int) []int16 { return voice(rate, samples, 0.5) }

// voice is speechLike with a chosen noise level (0 = voiced only).
func voice(rate, samples int, noise float64) []int16 {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]int16, samples)
	for i := range out {
		t := float64(i) / float64(rate)
		env := 0.6 + 0.4*math.Sin(2*math.Pi*3*t)
		var v float64
		for h := 1; h*200 < 4000; h++ {
			v += math.Sin(2*math.Pi*float64(h*200)*t+float64(h)) / float64(h)
		}
		v += noise * rng.NormFloat64()
		out[i] = int16(max(-32000, min(32000, 3000*env*v)))
	}
	return out
}

func sine(rate, samples int, freq, amp float64) []int16 {
	out := make([]int16, samples)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

// roundTrip encodes in 20 ms frames with one codec value and decodes with another.
func roundTrip(t testing.TB, name string, pcm []int16) (out []int16, bytes int) {
	enc, err := New(name)
	require.NoError(t, err)
	dec, err := New(name)
	require.NoError(t, err)
	frame := enc.SampleRate() / 50
	for i := 0; i+frame <= len(pcm); i += frame {
		p := enc.Encode(nil, pcm[i:i+frame])
		require.NotEmpty(t, p)
		bytes += len(p)
		out = dec.Decode(out, p)
	}
	return out, bytes
}

func TestInfoTable(t *testing.T) {
	assert.Equal(t, []string{"opus", "G722", "PCMA", "PCMU"}, Default())
	for _, name := range Default() {
		info, err := Lookup(name)
		require.NoError(t, err)
		c, err := New(name)
		require.NoError(t, err)
		assert.Equal(t, info.ClockRate, c.ClockRate(), name)
		assert.Equal(t, info.SampleRate, c.SampleRate(), name)
		assert.Equal(t, info.PayloadType, c.PayloadType(), name)
		assert.Equal(t, info.Wideband(), c.SampleRate() > 8000, name)
	}
	_, err := New("G729")
	assert.ErrorIs(t, err, ErrUnknownCodec)
	_, err = ByName("G729")
	assert.ErrorIs(t, err, ErrUnknownCodec)
	_, err = Lookup("iLBC")
	assert.ErrorIs(t, err, ErrUnknownCodec)
}

// A 6 kHz tone cannot pass G.711 (4 kHz band) but passes both wideband codecs.
func TestWidebandCarriesAbove4kHz(t *testing.T) {
	for _, name := range []string{"G722", "opus"} {
		t.Run(name, func(t *testing.T) {
			in := speechLike(16000, 16000) // 1 s
			out, bytes := roundTrip(t, name, in)
			require.GreaterOrEqual(t, len(out), len(in)-400)
			inHigh := dsp.BandEnergy(in, 16000, 4000, 8000)
			outHigh := dsp.BandEnergy(out, 16000, 4000, 8000)
			t.Logf("%s: energy above 4 kHz in %.1f%%, out %.1f%%, %d kbit/s", name, 100*inHigh, 100*outHigh, bytes*8/1000)
			assert.Greater(t, outHigh, 0.5*inHigh, "the band above 4 kHz survives")
			assert.Greater(t, outHigh, 0.05)
		})
	}
}

// G.722 is 64 kbit/s: 160 bytes per 20 ms frame of 320 samples, and reproduces a tone closely.
func TestG722FrameAndFidelity(t *testing.T) {
	c := NewG722()
	p := c.Encode(nil, make([]int16, 320))
	assert.Len(t, p, 160)
	in := sine(16000, 16000, 1000, 8000)
	out, _ := roundTrip(t, "G722", in)
	// Compare after the codec's group delay: find the best lag by correlation.
	snr := bestSNR(in[1600:], out, 64)
	t.Logf("G.722 1 kHz tone SNR %.1f dB", snr)
	assert.Greater(t, snr, 20.0)
}

// bestSNR compares ref with out shifted by 0..maxLag samples and returns the best SNR in dB.
func bestSNR(ref, out []int16, maxLag int) float64 {
	best := math.Inf(-1)
	for lag := 0; lag <= maxLag; lag++ {
		var sig, noise float64
		for i := 0; i < len(ref) && i+1600+lag < len(out)-0; i++ {
			if i+1600+lag >= len(out) {
				break
			}
			d := float64(out[i+1600+lag]) - float64(ref[i])
			sig += float64(ref[i]) * float64(ref[i])
			noise += d * d
		}
		if noise > 0 {
			best = max(best, 10*math.Log10(sig/noise))
		}
	}
	return best
}

// Opus in-band FEC rebuilds a lost frame from the next packet far better than concealment,
// and both beat silence.
func TestOpusFECAndPLC(t *testing.T) {
	in := voice(16000, 2*16000, 0) // waveform SNR is meaningful for voiced sound, not for noise
	enc, err := NewOpus()
	require.NoError(t, err)
	var pkts [][]byte
	for i := 0; i+320 <= len(in); i += 320 {
		pkts = append(pkts, enc.Encode(nil, in[i:i+320]))
	}
	// decodeWith decodes every packet, replacing the lost ones by fill.
	decodeWith := func(lost map[int]bool, fill func(d *Opus, i int, dst []int16) []int16) []int16 {
		d, err := NewOpus()
		require.NoError(t, err)
		var out []int16
		for i, p := range pkts {
			if lost[i] {
				out = fill(d, i, out)
				continue
			}
			out = d.Decode(out, p)
		}
		return out
	}
	lost := map[int]bool{}
	for i := 10; i < len(pkts)-1; i += 7 {
		lost[i] = true
	}
	clean := decodeWith(nil, nil)
	fec := decodeWith(lost, func(d *Opus, i int, dst []int16) []int16 { return d.Conceal(dst, 320, pkts[i+1]) })
	plc := decodeWith(lost, func(d *Opus, _ int, dst []int16) []int16 { return d.Conceal(dst, 320, nil) })
	zero := decodeWith(lost, func(_ *Opus, _ int, dst []int16) []int16 { return append(dst, make([]int16, 320)...) })
	require.Len(t, fec, len(clean))
	require.Len(t, plc, len(clean))
	snrLost := func(got []int16) float64 {
		var sig, noise float64
		for i := range lost {
			for k := i * 320; k < (i+1)*320; k++ {
				d := float64(got[k]) - float64(clean[k])
				sig += float64(clean[k]) * float64(clean[k])
				noise += d * d
			}
		}
		return 10 * math.Log10(sig/max(noise, 1))
	}
	sf, sp, sz := snrLost(fec), snrLost(plc), snrLost(zero)
	t.Logf("lost frames against the loss-free decode: FEC %.1f dB, PLC %.1f dB, silence %.1f dB", sf, sp, sz)
	assert.Greater(t, sf, sp+3, "FEC beats concealment")
	assert.Greater(t, sp, sz, "concealment beats silence")
	assert.Greater(t, sf, 6.0)
	assert.True(t, enc.enc.FECEnabled())
}

// Whatever arrives on the network decodes to something or nothing, never a panic.
func TestDecodeGarbage(t *testing.T) {
	inputs := [][]byte{nil, {0}, {0xff}, {0xff, 0xff, 0xff}, make([]byte, 1400), {0x03, 0xff, 0x00}}
	for _, name := range Default() {
		c, err := New(name)
		require.NoError(t, err)
		for _, in := range inputs {
			out := c.Decode(nil, in)
			assert.LessOrEqual(t, len(out), 5760, name)
		}
	}
}

func FuzzOpusDecode(f *testing.F) {
	enc, _ := NewOpus()
	f.Add(enc.Encode(nil, speechLike(16000, 320)))
	f.Add([]byte{0xfc, 0xff, 0xfe})
	f.Fuzz(func(t *testing.T, p []byte) {
		d, err := NewOpus()
		require.NoError(t, err)
		out := d.Decode(nil, p)
		require.LessOrEqual(t, len(out), opusMaxFrame)
		_ = d.Conceal(nil, 320, p)
	})
}

// Cost of one 20 ms frame, encode and decode, with G.711 as the reference.
func BenchmarkCodecs(b *testing.B) {
	for _, name := range []string{"PCMU", "G722", "opus"} {
		c, err := New(name)
		require.NoError(b, err)
		d, err := New(name)
		require.NoError(b, err)
		pcm := speechLike(c.SampleRate(), c.SampleRate()/50)
		payload := c.Encode(nil, pcm)
		out := make([]int16, 0, 2048)
		buf := make([]byte, 0, 1500)
		b.Run(name+"/encode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf = c.Encode(buf[:0], pcm)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20e6*100, "%cpu/call")
		})
		b.Run(name+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out = d.Decode(out[:0], payload)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20e6*100, "%cpu/call")
		})
	}
}
