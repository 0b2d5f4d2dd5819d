package audio

import (
	"sync/atomic"
	"time"
)

// CaptureBuffer is implemented by a Source that queues captured audio (a sound device), so the
// session can account for the delay it adds. Backlog is what waits for Read now; period is the
// device's transfer unit.
type CaptureBuffer interface {
	CaptureBacklog() (backlog, period time.Duration)
}

// PlaybackBuffer is implemented by a Sink that queues audio before the speaker (a sound device).
type PlaybackBuffer interface {
	PlaybackBacklog() (backlog, period time.Duration)
}

// Latency is the per-stage account of the delay this client adds, one way each, averaged over
// about the last second (the Max field since the call started). Devices that do not report
// buffering (files, the null device) count as zero.
type Latency struct {
	// Send direction: microphone → wire.
	CapturePeriod  time.Duration // the capture device's transfer unit
	CaptureBacklog time.Duration // captured audio left waiting after the tx tick read its frame
	Packetisation  time.Duration // one frame is collected before it is sent
	// Receive direction: wire → speaker.
	JitterTarget time.Duration // the jitter buffer's current target delay (the most a packet waits)
	// JitterDepth is how long the packets played waited in the jitter buffer, from their arrival
	// to the tick that played them (the media clock's phase included).
	JitterDepth time.Duration
	// PlayoutBacklog is the audio queued at the playback device ahead of each new frame.
	PlayoutBacklog    time.Duration
	PlayoutBacklogMax time.Duration
	PlaybackPeriod    time.Duration // the playback device's transfer unit
	// PlayoutSkipped counts frames not queued because the device backlog was already at the
	// jitter target plus one period (after a late tick).
	PlayoutSkipped uint64
	// PlayoutTrimmed counts frames played a few samples shorter because the device backlog was
	// more than half a period above the jitter target (drift.go): the card's clock is slower.
	PlayoutTrimmed uint64
	// Processing between the device and the codec (wideband.go): echo cancellation and noise
	// suppression plus resampling to the codec's rate on the way out, resampling on the way in.
	SendProcessing, ReceiveProcessing time.Duration
}

// Send is the client's delay from microphone to wire by this account.
func (l Latency) Send() time.Duration {
	return l.CapturePeriod + l.CaptureBacklog + l.SendProcessing + l.Packetisation
}

// Receive is the client's delay from wire to speaker by this account.
func (l Latency) Receive() time.Duration {
	return l.JitterDepth + l.ReceiveProcessing + l.PlayoutBacklog + l.PlaybackPeriod
}

// latencyMeter keeps the running account. Every field is written by the media clock goroutine
// only (tx and playout share it) and read by Stats: atomics, no lock on the media path.
type latencyMeter struct {
	capPeriod, capBacklog   ewma
	target, depth           ewma
	playBacklog, playPeriod ewma
	playMax                 atomic.Int64
	skipped                 atomic.Uint64 // frames not queued: the device was behind
	trimmed                 atomic.Uint64 // frames played shorter: the device's clock is slower (drift.go)
}

// ewma is an exponentially weighted mean over about 50 samples (one second of frames).
type ewma struct {
	v    atomic.Int64 // nanoseconds
	seen atomic.Bool
}

func (e *ewma) add(d time.Duration) {
	if !e.seen.Load() {
		e.v.Store(int64(d))
		e.seen.Store(true)
		return
	}
	old := e.v.Load()
	e.v.Store(old + (int64(d)-old)/50)
}

func (e *ewma) get() time.Duration { return time.Duration(e.v.Load()) }

// captured records the capture stage after a Source.Read.
func (m *latencyMeter) captured(src Source) {
	if b, ok := src.(CaptureBuffer); ok {
		backlog, period := b.CaptureBacklog()
		m.capBacklog.add(backlog)
		m.capPeriod.add(period)
	}
}

// beforeWrite records the playback queue ahead of the frame about to be written, and says
// whether to write it: a frame that would queue behind more than the jitter target plus one
// device period (a late tick catching up) is skipped, so the playout backlog stays bounded at
// the moment audio is queued, not only when the device callback trims it. Skipping our own new
// frame keeps the ring single-producer/single-consumer.
func (m *latencyMeter) beforeWrite(sink Sink, target time.Duration) bool {
	b, ok := sink.(PlaybackBuffer)
	if !ok {
		return true
	}
	backlog, period := b.PlaybackBacklog()
	if period == 0 {
		return true // not running: nothing plays (see device.Device.PlaybackBacklog)
	}
	if backlog > target+period {
		m.skipped.Add(1)
		return false
	}
	m.playBacklog.add(backlog)
	m.playPeriod.add(period)
	if int64(backlog) > m.playMax.Load() {
		m.playMax.Store(int64(backlog))
	}
	return true
}

// jitter records the jitter buffer after a playout tick: its target and how long the last packet
// played waited in it.
func (m *latencyMeter) jitter(target, wait time.Duration) {
	m.target.add(target)
	m.depth.add(wait)
}

func (m *latencyMeter) snapshot() Latency {
	return Latency{
		CapturePeriod: m.capPeriod.get(), CaptureBacklog: m.capBacklog.get(), Packetisation: FrameTime,
		JitterTarget: m.target.get(), JitterDepth: m.depth.get(),
		PlayoutBacklog: m.playBacklog.get(), PlayoutBacklogMax: time.Duration(m.playMax.Load()),
		PlaybackPeriod: m.playPeriod.get(), PlayoutSkipped: m.skipped.Load(), PlayoutTrimmed: m.trimmed.Load(),
	}
}
