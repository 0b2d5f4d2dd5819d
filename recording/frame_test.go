package recording

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSegmentRoundTrip(t *testing.T) {
	var id [16]byte
	id[0] = 7
	b := appendSegHeader(nil, id, 3)
	b = appendFrame(b, ChannelAgent, 160, []int16{1, -2, 3})
	b = appendFrame(b, ChannelCustomer, 0, []int16{-32768, 32767})
	var got []Frame
	require.NoError(t, parseSegment(b, id, 3, func(f Frame) error {
		f.Samples = append([]int16(nil), f.Samples...)
		got = append(got, f)
		return nil
	}))
	require.Equal(t, []Frame{{ChannelAgent, 160, []int16{1, -2, 3}}, {ChannelCustomer, 0, []int16{-32768, 32767}}}, got)

	tests := []struct {
		name string
		b    []byte
		seg  uint32
		id   [16]byte
		want error
	}{
		{"wrong segment number", b, 4, id, ErrTampered},
		{"other recording", b, 3, [16]byte{1}, ErrTampered},
		{"truncated frame", b[:len(b)-1], 3, id, ErrBadFrame},
		{"no header", []byte("nope"), 3, id, ErrBadFrame},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, parseSegment(tc.b, tc.id, tc.seg, func(Frame) error { return nil }), tc.want)
		})
	}
}

func FuzzParseSegment(f *testing.F) {
	var id [16]byte
	b := appendSegHeader(nil, id, 1)
	f.Add(appendFrame(b, ChannelAgent, 0, []int16{1, 2, 3}))
	f.Add(b)
	f.Add([]byte(segMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		err := parseSegment(b, id, 1, func(fr Frame) error {
			if len(fr.Samples) == 0 || len(fr.Samples) > maxFrameSamples {
				t.Fatalf("frame of %d samples accepted", len(fr.Samples))
			}
			n += frameHdrSize + 2*len(fr.Samples)
			return nil
		})
		if err == nil && n+segHeaderSize != len(b) {
			t.Fatalf("accepted %d bytes of %d", n+segHeaderSize, len(b))
		}
	})
}
