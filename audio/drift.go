package audio

import (
	"sync/atomic"
	"time"
)

// Clock drift between the sound card and the media clock. The playback device drains its queue
// at its own crystal's pace, the session writes one frame per tick of the system clock: if the
// card is slower, the queue grows. Beyond the jitter target plus one device period a whole frame
// is skipped (latencyMeter.beforeWrite: right after a stall, when several late frames arrive at
// once); before that, from half a period above the target, each frame is played a few samples
// shorter (0.6 % faster for 20 ms, a pitch change nobody hears), which follows a slow drift
// without the gap of a skipped frame.

// driftTrimmer shortens frames while the playback queue is in the soft zone. It belongs to the
// media clock's goroutine; trimmed (Latency.PlayoutTrimmed) is read by Stats.
type driftTrimmer struct {
	buf     []int16
	trimmed *atomic.Uint64 // frames played shorter
}

// trimSamples is how many samples one frame loses in the soft zone: one per 8 kHz worth of rate
// (0.625 %, at most 6.25 ms of drift per second).
func trimSamples(rate int) int { return max(rate/8000, 1) }

// frame returns out as it should be written: shortened by trimSamples when the sink's queue ahead
// of it is more than half a period above target, unchanged otherwise (and for sinks that do not
// queue: files, the demo's echo, which count in whole frames).
func (d *driftTrimmer) frame(sink Sink, out []int16, target time.Duration, rate int) []int16 {
	b, ok := sink.(PlaybackBuffer)
	if !ok {
		return out
	}
	backlog, period := b.PlaybackBacklog()
	if period == 0 || backlog <= target+period/2 {
		return out
	}
	d.trimmed.Add(1)
	d.buf = shrink(d.buf[:0], out, len(out)-trimSamples(rate))
	return d.buf
}

// shrink appends src resampled to n samples (n ≤ len(src)) by linear interpolation to dst.
func shrink(dst, src []int16, n int) []int16 {
	if n <= 1 || n >= len(src) {
		return append(dst, src[:min(n, len(src))]...)
	}
	span, last := int64(len(src)-1)<<16, int64(n-1)
	for i := range n {
		pos := int64(i) * span / last // output sample i's position in src, in 1/65536 samples
		j, frac := int(pos>>16), pos&0xffff
		if j >= len(src)-1 {
			dst = append(dst, src[len(src)-1])
			continue
		}
		a, b := int64(src[j]), int64(src[j+1])
		dst = append(dst, int16(a+((b-a)*frac)>>16))
	}
	return dst
}
