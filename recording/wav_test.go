package recording

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInterleaver(t *testing.T) {
	seq := func(n, base int) []int16 {
		s := make([]int16, n)
		for i := range s {
			s[i] = int16(base + i%1000 + 1)
		}
		return s
	}
	tests := []struct {
		name   string
		frames []Frame
		origin uint64
		end    uint64
		check  func(t *testing.T, a, c []int16)
	}{
		{"aligned", []Frame{{ChannelAgent, 0, seq(160, 0)}, {ChannelCustomer, 0, seq(160, 5000)}}, 0, 160,
			func(t *testing.T, a, c []int16) {
				require.Equal(t, seq(160, 0), a)
				require.Equal(t, seq(160, 5000), c)
			}},
		{"customer one second late", []Frame{
			{ChannelAgent, 0, seq(160, 0)}, {ChannelAgent, 8000, seq(160, 0)}, {ChannelCustomer, 0, seq(160, 5000)},
		}, 0, 8160, func(t *testing.T, a, c []int16) {
			require.Equal(t, seq(160, 5000), c[:160])
			require.Equal(t, seq(160, 0), a[8000:])
			require.Equal(t, make([]int16, 7840), a[160:8000])
		}},
		{"long pause", []Frame{{ChannelAgent, 0, seq(160, 0)}, {ChannelAgent, 600 * SampleRate, seq(160, 0)}}, 0, 600*SampleRate + 160,
			func(t *testing.T, a, c []int16) {
				require.Equal(t, seq(160, 0), a[600*SampleRate:])
				require.Equal(t, seq(160, 0), a[:160])
				require.True(t, slices.Equal(make([]int16, 600*SampleRate-160), a[160:600*SampleRate]), "pause is silence")
			}},
		{"origin after zero", []Frame{{ChannelAgent, 1000, seq(10, 0)}}, 1000, 1010,
			func(t *testing.T, a, c []int16) { require.Equal(t, seq(10, 0), a) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, writeWAVHeader(&buf, tc.end-tc.origin))
			iv := newInterleaver(&buf, tc.origin)
			for _, f := range tc.frames {
				require.NoError(t, iv.put(f))
			}
			require.NoError(t, iv.finish(tc.end))
			require.Zero(t, iv.late)
			a, c := decodeWAV(t, buf.Bytes())
			require.Len(t, a, int(tc.end-tc.origin))
			tc.check(t, a, c)
		})
	}
}
