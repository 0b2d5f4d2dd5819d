package phone

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"softphone/audio"
)

// qualityFeed drives a monitor with one Stats sample a second: per second 50 packets expected,
// lossPct of them lost, and the given jitter; it returns the events by second.
type qualitySecond struct {
	lossPct  float64
	jitterMs float64
	packets  int // expected this second; 50 when zero, -1 for none (hold)
}

func feed(m *qualityMonitor, start time.Time, secs []qualitySecond) map[int]Event {
	out := map[int]Event{}
	var recv, lost float64
	for i, s := range secs {
		n := 50.0
		switch {
		case s.packets < 0:
			n = 0
		case s.packets > 0:
			n = float64(s.packets)
		}
		lost += n * s.lossPct / 100
		recv += n - n*s.lossPct/100
		st := audio.Stats{PacketsReceived: uint64(recv), PacketsLost: int64(lost), JitterMs: s.jitterMs,
			PlayoutDelayMs: 40, RTTMs: 20}
		if ev := m.observe(start.Add(time.Duration(i+1)*time.Second), st, "c1"); ev != nil {
			out[i+1] = ev
		}
	}
	return out
}

func repeat(s qualitySecond, n int) []qualitySecond {
	out := make([]qualitySecond, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestQualityMonitor(t *testing.T) {
	clean := qualitySecond{}
	lossy := qualitySecond{lossPct: 10}
	for _, tc := range []struct {
		name string
		secs []qualitySecond
		want map[int]Event
	}{
		{"clean call: nothing", repeat(clean, 30), map[int]Event{}},
		{"10 % loss from the start: warned after the grace period, not before",
			repeat(lossy, 10), map[int]Event{4: QualityWarning{CallID: "c1", Cause: QualityLoss, Value: 10}}},
		{"loss then clean: warned, then cleared once the window is clean",
			append(repeat(lossy, 10), repeat(clean, 15)...),
			map[int]Event{4: QualityWarning{CallID: "c1", Cause: QualityLoss, Value: 10}, 17: QualityCleared{CallID: "c1"}}},
		{"1.5 % loss: the MOS estimate drops below 3.5 first",
			repeat(qualitySecond{lossPct: 1.6}, 10), map[int]Event{4: QualityWarning{CallID: "c1", Cause: QualityMOS, Value: 3.17}}},
		{"high jitter without loss", repeat(qualitySecond{jitterMs: 60}, 10),
			map[int]Event{4: QualityWarning{CallID: "c1", Cause: QualityJitter, Value: 60}}},
		{"an isolated lost packet does not warn",
			append(append(repeat(clean, 6), qualitySecond{lossPct: 2}), repeat(clean, 10)...), map[int]Event{}},
		{"hold (no packets) judges nothing", append(repeat(qualitySecond{packets: -1}, 10), repeat(clean, 5)...), map[int]Event{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := feed(newQualityMonitor(time.Unix(0, 0)), time.Unix(0, 0), tc.secs)
			assert.Equal(t, len(tc.want), len(got), "%v", got)
			for sec, w := range tc.want {
				g, ok := got[sec]
				if !assert.True(t, ok, "no event at %d s: %v", sec, got) {
					continue
				}
				if ww, isW := w.(QualityWarning); isW {
					gw := g.(QualityWarning)
					assert.Equal(t, ww.Cause, gw.Cause)
					assert.InDelta(t, ww.Value, gw.Value, 0.05)
				} else {
					assert.Equal(t, w, g)
				}
			}
		})
	}
}

// Hysteresis: loss hovering around the threshold warns (the MOS first, then the loss as the
// more telling cause) and never clears while it hovers.
func TestQualityMonitorDoesNotFlap(t *testing.T) {
	var secs []qualitySecond
	for i := range 40 {
		secs = append(secs, qualitySecond{lossPct: []float64{4, 2.6}[i%2]})
	}
	got := feed(newQualityMonitor(time.Unix(0, 0)), time.Unix(0, 0), secs)
	assert.LessOrEqual(t, len(got), 2, "%v", got)
	for _, ev := range got {
		assert.IsType(t, QualityWarning{}, ev)
	}
}

func TestQualityCauseNames(t *testing.T) {
	assert.Equal(t, "loss", QualityLoss.String())
	assert.Equal(t, "mos", QualityMOS.String())
	assert.Equal(t, "jitter", QualityJitter.String())
	assert.Equal(t, "unknown", QualityCause(0).String())
}
