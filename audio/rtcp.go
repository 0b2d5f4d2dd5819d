package audio

import (
	"math"
	"time"

	"github.com/pion/rtcp"
)

// ntpEpochOffset is the number of seconds between 1900 (NTP) and 1970 (Unix).
const ntpEpochOffset = 2208988800

// ntpTime converts t to a 64-bit NTP timestamp.
func ntpTime(t time.Time) uint64 {
	sec := uint64(t.Unix()) + ntpEpochOffset
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return sec<<32 | frac
}

// ntpMiddle is the compact 32-bit NTP format used by LSR and for RTT (RFC 3550 section 6.4.1).
func ntpMiddle(t time.Time) uint32 { return uint32(ntpTime(t) >> 16) }

// rxStats tracks one received RTP source per RFC 3550 appendix A.1, A.3 and A.8. It is owned by
// the Session and guarded by Session.statsMu.
type rxStats struct {
	have      bool
	ssrc      uint32
	baseSeq   uint32
	maxSeq    uint16
	cycles    uint32
	received  uint64
	octets    uint64
	jitter    float64 // timestamp units
	transit   int64
	hasTrans  bool
	expPrior  uint64
	recvPrior uint64
	lastFrac  float64 // loss fraction of the last interval, 0..1
	haveFrac  bool

	lastSR        uint32    // middle 32 bits of the last SR's NTP time
	lastSRArrival time.Time // when it arrived
}

// reset starts tracking a new source.
func (r *rxStats) reset(ssrc uint32, seq uint16) {
	*r = rxStats{have: true, ssrc: ssrc, baseSeq: uint32(seq), maxSeq: seq}
}

// update records a packet with sequence number seq, RTP timestamp ts and payload size, arrived at
// arrivalUnits (arrival time in RTP clock units). Only audio packets feed the jitter estimate:
// telephone-event packets keep the event's start timestamp and would inflate it.
func (r *rxStats) update(seq uint16, ts uint32, size int, arrivalUnits int64, audio bool) {
	delta := seq - r.maxSeq
	if delta < 0x8000 && delta != 0 {
		if seq < r.maxSeq {
			r.cycles += 1 << 16 // wrapped
		}
		r.maxSeq = seq
	}
	r.received++
	r.octets += uint64(size)
	if !audio {
		return
	}
	// A.8: transit = arrival - timestamp; J += (|D| - J)/16 with wrap-safe differences.
	transit := arrivalUnits - int64(ts)
	if r.hasTrans {
		d := int64(int32(transit - r.transit))
		if d < 0 {
			d = -d
		}
		r.jitter += (float64(d) - r.jitter) / 16
	}
	r.transit, r.hasTrans = transit, true
}

func (r *rxStats) extMax() uint64 { return uint64(r.cycles) + uint64(r.maxSeq) }

func (r *rxStats) expected() uint64 {
	if !r.have {
		return 0
	}
	return r.extMax() - uint64(r.baseSeq) + 1
}

// lost is the cumulative number of packets lost (A.3), never negative for display.
func (r *rxStats) lost() int64 {
	l := int64(r.expected()) - int64(r.received)
	if l < 0 {
		return 0
	}
	return l
}

// report builds the reception report block for the interval since the last call (A.3).
func (r *rxStats) report(now time.Time) rtcp.ReceptionReport {
	exp := r.expected()
	expInt := exp - r.expPrior
	recvInt := r.received - r.recvPrior
	r.expPrior, r.recvPrior = exp, r.received
	var frac uint8
	if expInt > 0 && expInt > recvInt {
		f := (expInt - recvInt) << 8 / expInt
		frac = uint8(min(f, 255))
	}
	if expInt > 0 {
		r.lastFrac, r.haveFrac = float64(frac)/256, true
	}
	lost := r.lost()
	if lost > 0x7fffff {
		lost = 0x7fffff
	}
	rr := rtcp.ReceptionReport{
		SSRC:               r.ssrc,
		FractionLost:       frac,
		TotalLost:          uint32(lost),
		LastSequenceNumber: uint32(r.extMax()),
		Jitter:             uint32(r.jitter),
	}
	if r.lastSR != 0 {
		rr.LastSenderReport = r.lastSR
		rr.Delay = uint32(now.Sub(r.lastSRArrival).Seconds() * 65536)
	}
	return rr
}

// lossFraction is the loss of the last interval, or of the whole call before the first report.
func (r *rxStats) lossFraction() float64 {
	if r.haveFrac {
		return r.lastFrac
	}
	if e := r.expected(); e > 0 {
		return float64(r.lost()) / float64(e)
	}
	return 0
}

// rttFrom computes the round-trip time from a report block about our stream received at now
// (RFC 3550 section 6.4.1): A - LSR - DLSR in 1/65536 s. ok is false without an SR echo.
func rttFrom(rr rtcp.ReceptionReport, now time.Time) (time.Duration, bool) {
	if rr.LastSenderReport == 0 {
		return 0, false
	}
	a := ntpMiddle(now)
	d := int64(a) - int64(rr.LastSenderReport) - int64(rr.Delay)
	// Handle the 32-bit wrap of the compact NTP time.
	d = int64(int32(uint32(d)))
	if d < 0 {
		return 0, false
	}
	return time.Duration(d) * time.Second / 65536, true
}

// MOS estimates the mean opinion score (1..4.5) with a simplified ITU-T G.107 E-model for G.711:
// oneWay is the mouth-to-ear delay, loss the packet loss ratio (0..1). Ie=0 and Bpl=4.3 (G.113
// Appendix I, G.711 without PLC — a conservative choice for our repeat/fade concealment).
func MOS(oneWay time.Duration, loss float64) float64 {
	d := float64(oneWay) / float64(time.Millisecond)
	id := 0.024 * d
	if d > 177.3 {
		id += 0.11 * (d - 177.3)
	}
	const ie, bpl = 0.0, 4.3
	ppl := math.Max(0, math.Min(loss, 1)) * 100
	ieEff := ie + (95-ie)*ppl/(ppl+bpl)
	r := 93.2 - id - ieEff
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	m := 1 + 0.035*r + r*(r-60)*(100-r)*7e-6
	return math.Max(1, math.Min(m, 4.5))
}
