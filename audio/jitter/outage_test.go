package jitter

import (
	"testing"
	"time"
)

// An outage (a network change, an ICE restart, a Wi-Fi roam) during which the sender went on
// numbering its packets must not leave its length behind as delay: once packets come again,
// the buffer plays on from them within a second, at about its target, instead of concealing
// every missing frame after the outage while new packets pile up behind.
func TestOutageLeavesNoDelay(t *testing.T) {
	for _, outage := range []time.Duration{100 * time.Millisecond, 160 * time.Millisecond, 600 * time.Millisecond} {
		t.Run(outage.String(), func(t *testing.T) {
			b := New(Config{})
			start := time.Unix(0, 0)
			const frame = 20 * time.Millisecond
			gapFrom, gapTo := 100, 100+int(outage/frame)
			var depthAfter time.Duration
			for i := 0; i < 250; i++ {
				now := start.Add(time.Duration(i) * frame)
				if i < gapFrom || i >= gapTo {
					b.Push(Packet{Seq: uint16(i), Timestamp: uint32(i * 160), Payload: []byte{1}}, now)
				}
				b.Pop(now.Add(frame / 2))
				if i == gapTo+50 { // one second after the packets came back
					depthAfter = b.Depth()
				}
			}
			limit := b.TargetDelay() + 2*frame
			if depthAfter > limit {
				t.Fatalf("after a %v outage the buffer holds %v one second later (target %v)", outage, depthAfter, b.TargetDelay())
			}
			t.Logf("%v outage: depth %v one second later (target %v), lost %d", outage, depthAfter, b.TargetDelay(), b.Stats().Lost)
		})
	}
}
