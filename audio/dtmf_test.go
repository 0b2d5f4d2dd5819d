package audio

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type sentEvent struct {
	event    byte
	end      bool
	duration uint16
	ts       uint32
	marker   bool
}

func drive(d *dtmfSender, ticks int) (out []sentEvent) {
	ts := uint32(1000)
	for range ticks {
		if p, ok := d.next(ts); ok {
			out = append(out, sentEvent{
				event: p.payload[0], end: p.payload[1]&0x80 != 0,
				duration: binary.BigEndian.Uint16(p.payload[2:]), ts: p.ts, marker: p.marker,
			})
		}
		ts += FrameSamples
	}
	return out
}

func TestDTMFSender(t *testing.T) {
	d := &dtmfSender{queue: []rune("1#")}
	pkts := drive(d, 30)
	// Per digit: 4 updates (160..640), then the end packet (800) three times.
	require.Len(t, pkts, 14)
	first := pkts[:7]
	for i, p := range first {
		assert.Equal(t, byte(1), p.event)
		assert.Equal(t, uint32(1000), p.ts, "one timestamp per event")
		assert.Equal(t, i == 0, p.marker, "marker only on the first packet")
		assert.Equal(t, i >= 4, p.end)
	}
	assert.Equal(t, []uint16{160, 320, 480, 640, 800, 800, 800},
		[]uint16{first[0].duration, first[1].duration, first[2].duration, first[3].duration,
			first[4].duration, first[5].duration, first[6].duration})
	second := pkts[7:]
	assert.Equal(t, byte(11), second[0].event, "# is event 11")
	assert.True(t, second[0].marker)
	// Event 2 starts after event 1's 7 packets and a 3-frame pause.
	assert.Equal(t, uint32(1000+10*FrameSamples), second[0].ts)
	assert.False(t, d.busy())
}

func TestDTMFEventCodes(t *testing.T) {
	tests := map[rune]int{'0': 0, '9': 9, '*': 10, '#': 11, 'A': 12, 'd': 15, '!': 16, 'x': -1, 'E': -1}
	for r, want := range tests {
		assert.Equal(t, want, dtmfEvent(r), string(r))
	}
}

func TestDTMFReceiverDedupe(t *testing.T) {
	pl := func(ev int, end bool, dur uint16) []byte { return dtmfPayload(nil, ev, end, dur) }
	tests := []struct {
		name string
		pkts []struct {
			ts uint32
			p  []byte
		}
		want string
	}{
		{name: "full event with 3 ends", want: "5", pkts: []struct {
			ts uint32
			p  []byte
		}{{100, pl(5, false, 160)}, {100, pl(5, false, 320)}, {100, pl(5, true, 800)}, {100, pl(5, true, 800)}, {100, pl(5, true, 800)}}},
		{name: "only end packets arrive", want: "7", pkts: []struct {
			ts uint32
			p  []byte
		}{{100, pl(7, true, 800)}, {100, pl(7, true, 800)}}},
		{name: "same digit twice", want: "11", pkts: []struct {
			ts uint32
			p  []byte
		}{{100, pl(1, true, 800)}, {100, pl(1, true, 800)}, {2000, pl(1, false, 160)}, {2000, pl(1, true, 800)}}},
		{name: "late retransmission of the previous event", want: "12", pkts: []struct {
			ts uint32
			p  []byte
		}{{100, pl(1, true, 800)}, {2000, pl(2, false, 160)}, {100, pl(1, true, 800)}, {2000, pl(2, true, 800)}}},
		{name: "short and unknown events ignored", want: "", pkts: []struct {
			ts uint32
			p  []byte
		}{{100, []byte{1, 2}}, {200, pl(40, true, 800)}}},
		{name: "timestamp zero", want: "#", pkts: []struct {
			ts uint32
			p  []byte
		}{{0, pl(11, false, 160)}, {0, pl(11, true, 800)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r dtmfReceiver
			var got []rune
			for _, p := range tt.pkts {
				if d, ok := r.handle(p.ts, p.p); ok {
					got = append(got, d)
				}
			}
			assert.Equal(t, tt.want, string(got))
		})
	}
}
