package audio

import (
	"log/slog"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio/jitter"
)

func TestRxStatsLossAndWrap(t *testing.T) {
	tests := []struct {
		name     string
		seqs     []uint16
		lost     int64
		expected uint64
		extMax   uint64
	}{
		{"in order", []uint16{1, 2, 3, 4}, 0, 4, 4},
		{"one lost", []uint16{1, 2, 4, 5}, 1, 5, 5},
		{"reordered", []uint16{1, 3, 2, 4}, 0, 4, 4},
		{"wrap", []uint16{65534, 65535, 0, 1}, 0, 4, 65536 + 1},
		{"wrap with loss", []uint16{65534, 0, 1}, 1, 4, 65536 + 1},
		{"duplicate offsets a loss (A.3)", []uint16{1, 2, 2, 4}, 0, 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r rxStats
			r.reset(9, tt.seqs[0])
			for i, s := range tt.seqs {
				r.update(s, uint32(i*160), 160, int64(i*160), true)
			}
			assert.Equal(t, tt.lost, r.lost())
			assert.Equal(t, tt.expected, r.expected())
			assert.Equal(t, tt.extMax, r.extMax())
		})
	}
}

func TestRxStatsReport(t *testing.T) {
	var r rxStats
	r.reset(42, 100)
	// 10 expected, 8 received in the first interval.
	for _, s := range []uint16{100, 101, 102, 104, 105, 106, 108, 109} {
		r.update(s, uint32(s)*160, 160, int64(s)*160, true)
	}
	now := time.Now()
	rep := r.report(now)
	assert.Equal(t, uint32(42), rep.SSRC)
	assert.Equal(t, uint8(2*256/10), rep.FractionLost)
	assert.Equal(t, uint32(2), rep.TotalLost)
	assert.Equal(t, uint32(109), rep.LastSequenceNumber)
	assert.Zero(t, rep.LastSenderReport)
	assert.InDelta(t, 0.2, r.lossFraction(), 0.01)
	// Next interval without loss.
	for s := uint16(110); s < 120; s++ {
		r.update(s, uint32(s)*160, 160, int64(s)*160, true)
	}
	r.lastSR, r.lastSRArrival = 0x12345678, now
	rep = r.report(now.Add(500 * time.Millisecond))
	assert.Zero(t, rep.FractionLost)
	assert.Equal(t, uint32(2), rep.TotalLost)
	assert.Equal(t, uint32(0x12345678), rep.LastSenderReport)
	assert.InDelta(t, 0.5*65536, float64(rep.Delay), 2)
}

// RFC 3550 A.8 jitter: constant transit gives zero, alternating ±d converges towards d.
func TestRxStatsJitter(t *testing.T) {
	var r rxStats
	r.reset(1, 0)
	for i := range 50 {
		r.update(uint16(i), uint32(i*160), 160, int64(i*160)+500, true)
	}
	assert.Zero(t, r.jitter)
	for i := 50; i < 1000; i++ {
		off := int64(0)
		if i%2 == 0 {
			off = 80 // 10 ms
		}
		r.update(uint16(i), uint32(i*160), 160, int64(i*160)+off, true)
	}
	assert.InDelta(t, 80, r.jitter, 5)
	// Timestamps wrapping past 2^32 do not disturb it.
	var w rxStats
	w.reset(1, 0)
	for i := range 100 {
		ts := uint32(0xFFFFF000) + uint32(i*160)
		w.update(uint16(i), ts, 160, int64(i*160), true)
	}
	assert.Zero(t, w.jitter)
}

func TestRTT(t *testing.T) {
	now := time.Now()
	sent := now.Add(-300 * time.Millisecond)
	rr := rtcp.ReceptionReport{LastSenderReport: ntpMiddle(sent), Delay: uint32(65536 / 10)}
	rtt, ok := rttFrom(rr, now)
	require.True(t, ok)
	assert.InDelta(t, 200, float64(rtt)/float64(time.Millisecond), 1)
	_, ok = rttFrom(rtcp.ReceptionReport{}, now)
	assert.False(t, ok)
}

func TestMOS(t *testing.T) {
	tests := []struct {
		name   string
		delay  time.Duration
		loss   float64
		lo, hi float64
	}{
		{"perfect LAN", 40 * time.Millisecond, 0, 4.3, 4.45},
		{"1% loss", 60 * time.Millisecond, 0.01, 3.6, 4.2},
		{"5% loss", 60 * time.Millisecond, 0.05, 1.8, 3.2},
		{"long delay", 400 * time.Millisecond, 0, 3.0, 4.0},
		{"all lost", 60 * time.Millisecond, 1, 1, 1.01},
	}
	prev := 5.0
	for _, tt := range tests[:3] {
		m := MOS(tt.delay, tt.loss)
		assert.Less(t, m, prev, "MOS falls with loss")
		prev = m
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := MOS(tt.delay, tt.loss)
			assert.GreaterOrEqual(t, m, tt.lo)
			assert.LessOrEqual(t, m, tt.hi)
		})
	}
}

func TestBuildAndHandleReport(t *testing.T) {
	p := newPeer(t, 1000, true, nil)
	s := p.s
	s.startTime = time.Now()
	// No packets sent: RR + SDES.
	pkts := s.buildReport(time.Now(), false)
	require.Len(t, pkts, 2)
	assert.IsType(t, &rtcp.ReceiverReport{}, pkts[0])
	assert.IsType(t, &rtcp.SourceDescription{}, pkts[1])
	s.sent.Store(10)
	pkts = s.buildReport(time.Now(), true)
	require.Len(t, pkts, 3)
	sr, ok := pkts[0].(*rtcp.SenderReport)
	require.True(t, ok)
	assert.Equal(t, uint32(10), sr.PacketCount)
	assert.IsType(t, &rtcp.Goodbye{}, pkts[2])

	// A receiver report about our SSRC yields RTT and remote loss.
	now := time.Now()
	s.handleRTCP([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 5, Reports: []rtcp.ReceptionReport{{
		SSRC: s.ssrc, FractionLost: 64, TotalLost: 12, Jitter: 80,
		LastSenderReport: ntpMiddle(now.Add(-50 * time.Millisecond)), Delay: uint32(65536 / 50),
	}}}}, now)
	st := s.Stats()
	assert.InDelta(t, 0.25, st.RemoteLossFraction, 0.001)
	assert.Equal(t, int64(12), st.RemotePacketsLost)
	assert.InDelta(t, 10, st.RemoteJitterMs, 0.01)
	assert.InDelta(t, 30, st.RTTMs, 1)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newJitterForTest() *jitter.Buffer { return jitter.New(jitter.Config{}) }
