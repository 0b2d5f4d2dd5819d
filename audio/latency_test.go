package audio

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fakeBuffered is a Sink and Source that reports fixed buffering.
type fakeBuffered struct{ backlog, period time.Duration }

func (f *fakeBuffered) Write([]int16) error                              { return nil }
func (f *fakeBuffered) Read(p []int16) (int, error)                      { return len(p), nil }
func (f *fakeBuffered) PlaybackBacklog() (backlog, period time.Duration) { return f.backlog, f.period }
func (f *fakeBuffered) CaptureBacklog() (backlog, period time.Duration)  { return f.backlog, f.period }

// The playout backlog ahead of any frame queued never exceeds the jitter target plus one device
// period: a frame that would queue behind more (a late tick catching up) is skipped and counted.
func TestPlayoutBacklogBound(t *testing.T) {
	var m latencyMeter
	target := 20 * time.Millisecond
	dev := &fakeBuffered{period: 10 * time.Millisecond}
	for _, backlog := range []time.Duration{0, 5, 20, 30, 31, 45, 60, 10} {
		dev.backlog = backlog * time.Millisecond
		wrote := m.beforeWrite(dev, target)
		assert.Equal(t, dev.backlog <= target+dev.period, wrote, "backlog %v", dev.backlog)
	}
	l := m.snapshot()
	assert.Equal(t, 30*time.Millisecond, l.PlayoutBacklogMax, "max of what was queued: target + period")
	assert.Equal(t, uint64(3), l.PlayoutSkipped)
	assert.Equal(t, 10*time.Millisecond, l.PlaybackPeriod)

	dev.period, dev.backlog = 0, time.Second // not running: written, not counted
	assert.True(t, m.beforeWrite(dev, target))
	assert.Equal(t, 30*time.Millisecond, m.snapshot().PlayoutBacklogMax)

	m.captured(dev)
	assert.Equal(t, time.Second, m.snapshot().CaptureBacklog)
	assert.True(t, m.beforeWrite(&bufferSink{}, target), "a sink without buffering is always written")
}
