package codec

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Known values from ITU-T G.711 tables (A-law with even-bit inversion, µ-law with bit inversion).
func TestKnownValues(t *testing.T) {
	tests := []struct {
		name  string
		c     Codec
		pcm   int16
		coded byte
	}{
		{"ulaw zero", PCMU{}, 0, 0xFF},
		{"ulaw max", PCMU{}, 32767, 0x80},
		{"ulaw min", PCMU{}, -32768, 0x00},
		{"ulaw -1", PCMU{}, -1, 0x7F},
		{"alaw zero", PCMA{}, 0, 0xD5},
		{"alaw max", PCMA{}, 32767, 0xAA},
		{"alaw min", PCMA{}, -32768, 0x2A},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.Encode(nil, []int16{tt.pcm})
			require.Len(t, got, 1)
			assert.Equal(t, tt.coded, got[0])
		})
	}
	assert.Equal(t, byte(0xFF), SilenceByte(PCMU{}))
	assert.Equal(t, byte(0xD5), SilenceByte(PCMA{}))
}

// Decoding then re-encoding every code word is the identity (except µ-law's two zeros).
func TestCodeWordRoundTrip(t *testing.T) {
	for _, c := range []Codec{PCMU{}, PCMA{}} {
		t.Run(c.Name(), func(t *testing.T) {
			for b := 0; b < 256; b++ {
				pcm := c.Decode(nil, []byte{byte(b)})
				back := c.Encode(nil, pcm)[0]
				if c.Name() == "PCMU" && b == 0x7F {
					assert.Equal(t, byte(0xFF), back) // -0 and +0 both decode to 0
					continue
				}
				assert.Equal(t, byte(b), back, "code %#x", b)
			}
		})
	}
}

// G.711's quantisation error is bounded relative to the amplitude (~ 1/32 of the segment step).
func TestRoundTripErrorBound(t *testing.T) {
	for _, c := range []Codec{PCMU{}, PCMA{}} {
		t.Run(c.Name(), func(t *testing.T) {
			worst := 0.0
			for s := -32768; s <= 32767; s += 7 {
				pcm := []int16{int16(s)}
				got := c.Decode(nil, c.Encode(nil, pcm))[0]
				err := math.Abs(float64(got) - float64(s))
				limit := math.Max(40, math.Abs(float64(s))*0.07)
				if err > limit {
					t.Fatalf("sample %d decoded as %d (error %.0f > %.0f)", s, got, err, limit)
				}
				if s != 0 {
					worst = math.Max(worst, err/math.Max(math.Abs(float64(s)), 256))
				}
			}
			assert.Less(t, worst, 0.07)
		})
	}
}

func TestByName(t *testing.T) {
	for _, n := range []string{"PCMU", "pcma"} {
		c, err := ByName(n)
		require.NoError(t, err)
		assert.Equal(t, 8000, c.ClockRate())
	}
	_, err := ByName("G729")
	assert.ErrorIs(t, err, ErrUnknownCodec)
	assert.Equal(t, uint8(0), PCMU{}.PayloadType())
	assert.Equal(t, uint8(8), PCMA{}.PayloadType())
}

func benchCodec(b *testing.B, c Codec) {
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(float64(i)/8))
	}
	enc := make([]byte, 0, 160)
	dec := make([]int16, 0, 160)
	b.ReportAllocs()
	b.SetBytes(320)
	for b.Loop() {
		enc = c.Encode(enc[:0], pcm)
		dec = c.Decode(dec[:0], enc)
	}
}

func BenchmarkPCMUEncodeDecode20ms(b *testing.B) { benchCodec(b, PCMU{}) }
func BenchmarkPCMAEncodeDecode20ms(b *testing.B) { benchCodec(b, PCMA{}) }
