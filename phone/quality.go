package phone

import (
	"time"

	"softphone/audio"
)

// QualityCause says what made a call's audio poor.
type QualityCause int

// Quality causes, most actionable first.
const (
	QualityLoss   QualityCause = iota + 1 // packet loss above QualityMaxLoss
	QualityMOS                            // estimated MOS below QualityMinMOS
	QualityJitter                         // interarrival jitter above QualityMaxJitterMs
)

// String names the cause ("loss", "mos", "jitter"), as headless JSON writes it.
func (c QualityCause) String() string {
	switch c {
	case QualityLoss:
		return "loss"
	case QualityMOS:
		return "mos"
	case QualityJitter:
		return "jitter"
	}
	return "unknown"
}

// Thresholds of the live quality warning (issue 15 §5). A warning is raised when one holds for
// qualityRaiseAfter samples in a row, and cleared only when all are back inside the clear
// thresholds for qualityClearAfter samples, so that it does not flap.
const (
	QualityMaxLoss     = 0.03 // loss over the window, 0..1
	QualityMinMOS      = 3.5
	QualityMaxJitterMs = 40.0

	qualityClearLoss     = 0.02
	qualityClearMOS      = 3.7
	qualityClearJitterMs = 25.0

	qualityWindow     = 5 * time.Second // loss and MOS are measured over this sliding window
	qualityGrace      = 3 * time.Second // nothing is judged in the first seconds of the media
	qualityMinPackets = 25              // expected packets in the window needed to judge
	qualityRaiseAfter = 2
	qualityClearAfter = 3
)

// QualityWarning says a call's audio has become poor: Value is the loss in percent, the MOS
// estimate or the jitter in ms, after Cause. A new warning replaces the last one of the call.
type QualityWarning struct {
	CallID string
	Cause  QualityCause
	Value  float64
}

// QualityCleared says a call's audio is good again after a QualityWarning.
type QualityCleared struct{ CallID string }

func (QualityWarning) isEvent() {}
func (QualityCleared) isEvent() {}

// qualitySample is one Stats reading of the sliding window.
type qualitySample struct {
	at             time.Time
	expected, lost int64
}

// qualityMonitor turns a call's once-a-second Stats into warnings. It is owned by the call's
// media loop (one goroutine).
type qualityMonitor struct {
	start   time.Time
	window  []qualitySample
	warning QualityCause // 0 while quality is fine
	bad     int          // consecutive bad samples
	good    int          // consecutive good samples while warning
}

func newQualityMonitor(start time.Time) *qualityMonitor { return &qualityMonitor{start: start} }

// qualityReading is what the window says now.
type qualityReading struct {
	loss, mos, jitterMs float64
}

// observe takes a Stats sample and returns the event to emit, or nil.
func (m *qualityMonitor) observe(now time.Time, st audio.Stats, callID string) Event {
	r, ok := m.read(now, st)
	if !ok || now.Sub(m.start) < qualityGrace {
		return nil
	}
	cause, value := r.cause()
	if cause != 0 {
		m.bad++
		m.good = 0
		if m.bad >= qualityRaiseAfter && cause != m.warning && (m.warning == 0 || cause < m.warning) {
			m.warning = cause
			return QualityWarning{CallID: callID, Cause: cause, Value: value}
		}
		return nil
	}
	m.bad = 0
	if m.warning == 0 {
		return nil
	}
	if r.clear() {
		m.good++
	} else {
		m.good = 0
	}
	if m.good >= qualityClearAfter {
		m.warning, m.good = 0, 0
		return QualityCleared{CallID: callID}
	}
	return nil
}

// read adds the sample to the window and measures over it; ok is false without enough packets
// (start of the call, hold).
func (m *qualityMonitor) read(now time.Time, st audio.Stats) (qualityReading, bool) {
	lost := max(st.PacketsLost, 0)
	m.window = append(m.window, qualitySample{at: now, expected: int64(st.PacketsReceived) + lost, lost: lost})
	for len(m.window) > 1 && now.Sub(m.window[0].at) > qualityWindow {
		m.window = m.window[1:]
	}
	first, last := m.window[0], m.window[len(m.window)-1]
	expected := last.expected - first.expected
	if expected < qualityMinPackets {
		return qualityReading{}, false
	}
	loss := float64(max(last.lost-first.lost, 0)) / float64(expected)
	rtt := time.Duration(st.RTTMs * float64(time.Millisecond))
	oneWay := rtt/2 + time.Duration(st.PlayoutDelayMs*float64(time.Millisecond)) + audio.FrameTime
	return qualityReading{loss: loss, mos: audio.MOS(oneWay, loss), jitterMs: st.JitterMs}, true
}

// cause is the first threshold the reading breaks, with its value in display units.
func (r qualityReading) cause() (QualityCause, float64) {
	switch {
	case r.loss > QualityMaxLoss:
		return QualityLoss, 100 * r.loss
	case r.mos < QualityMinMOS:
		return QualityMOS, r.mos
	case r.jitterMs > QualityMaxJitterMs:
		return QualityJitter, r.jitterMs
	}
	return 0, 0
}

// clear reports whether the reading is well inside every threshold.
func (r qualityReading) clear() bool {
	return r.loss < qualityClearLoss && r.mos >= qualityClearMOS && r.jitterMs < qualityClearJitterMs
}

// end clears a warning still up when the call's media stops, so no consumer keeps showing it.
func (m *qualityMonitor) end(h *hub, callID string) {
	if m.warning != 0 {
		m.warning = 0
		h.publish(QualityCleared{CallID: callID})
	}
}
