//go:build cgo

package device

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gen2brain/malgo"
)

// backends maps Config.Backend to miniaudio backends; nil lets miniaudio pick the platform default.
func backends(name string) ([]malgo.Backend, error) {
	switch name {
	case "", "default":
		return nil, nil
	case "null":
		// malgo v0.11.24's BackendNull constant is off by one (it is the custom backend).
		return []malgo.Backend{malgo.Backend(malgo.BackendNull + 1)}, nil
	}
	return nil, fmt.Errorf("device: unknown audio backend %q", name)
}

func initContext(backend string, log *slog.Logger) (*malgo.AllocatedContext, error) {
	bs, err := backends(backend)
	if err != nil {
		return nil, err
	}
	ctx, err := malgo.InitContext(bs, malgo.ContextConfig{}, func(msg string) {
		log.Debug("miniaudio", "msg", msg)
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDevice, err)
	}
	return ctx, nil
}

// List returns the capture and playback devices of a backend ("" = default, "null") for a
// settings screen.
func List(backend string) (capture, playback []Info, err error) {
	ctx, err := initContext(backend, slog.Default())
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		_ = ctx.Uninit()
		ctx.Free()
	}()
	conv := func(kind malgo.DeviceType) ([]Info, error) {
		infos, err := ctx.Devices(kind)
		if err != nil {
			return nil, err
		}
		out := make([]Info, 0, len(infos))
		for i := range infos {
			out = append(out, Info{ID: infos[i].ID.String(), Name: infos[i].Name(), Default: infos[i].IsDefault != 0,
				Backend: backendName(&infos[i])})
		}
		return out, nil
	}
	if capture, err = conv(malgo.Capture); err != nil {
		return nil, nil, err
	}
	if playback, err = conv(malgo.Playback); err != nil {
		return nil, nil, err
	}
	return capture, playback, nil
}

// Device is a sound card opened for 8 (or 16) kHz mono 16-bit capture and playback, as two streams
// (miniaudio converts from the hardware format). It is an audio.Source (capture) and audio.Sink
// (playback).
type Device struct {
	log    *slog.Logger
	ctx    *malgo.AllocatedContext
	dev    *malgo.Device
	capIDs [2]malgo.DeviceID // keep the chosen IDs alive for miniaudio
	rate   int               // samples per second of Read and Write (Config.SampleRate)
	frame  int               // one 20 ms frame at rate: the slack the latency bounds leave

	capture  *Ring         // written by the callback, read by Read
	playback *Ring         // written by Write, read by the callback
	capDev   *malgo.Device // the capture stream; nil for PlaybackOnly
	// Each scratch belongs to one stream's callback thread.
	capScratch, playScratch [1024]int16

	underflows  atomic.Uint64 // playback callback found too little audio (samples)
	shortReads  atomic.Uint64 // Read found less than a frame
	dropped     atomic.Uint64 // captured samples skipped to bound latency
	playDropped atomic.Uint64 // playback samples skipped to bound latency (by the callback)
	// The same gaps counted only once the stream runs steadily (not while PulseAudio starts a
	// stream, up to ~2 s): what an agent would hear as dropouts. For the close log.
	runUnderflows, runShortReads atomic.Uint64
	period                       time.Duration // asked of the backend (Config.Period)
	// capChunk and playChunk are the largest transfer the callback has seen (samples): the
	// device period as the sound server really delivers it. Written by the callback only.
	capChunk, playChunk atomic.Uint64
	// Per stream (capture, playback), for the hot-plug watchdog: each stream's callback writes
	// its own entry.
	streams  [2]streamHealth
	opened   int64       // monotonic nanoseconds of Open; set before the streams start
	playOnly bool        // no capture stream (PlaybackOnly)
	stopped  atomic.Bool // the backend stopped the device (unplugged, server gone)

	closeOnce sync.Once
	closeErr  error
}

// Latency bounds. The rings are sized for bursts (a late tick, a large device period), but what
// stays queued is bounded by the consumer of each ring, so the ring stays single-producer/
// single-consumer: Read (the media goroutine) skips the oldest captured samples beyond one frame
// plus one capture period; the playback callback skips the oldest queued samples beyond what it
// needs now plus one frame. Without the playback bound the ring's 4096 samples (512 ms) filled up
// whenever the device clock ran slower than the media clock, and stayed full.
const (
	captureRing  = 8192
	playbackRing = 4096
	// slack is the backlog a bound leaves on top of one device period at 8 kHz: one 20 ms frame
	// (a device opened at another rate keeps d.frame).
	slack = FrameSamples
)

// Open opens the capture and playback devices of cfg.
func Open(cfg Config) (*Device, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	d := newDevice(log.With("component", "audio-device"))
	d.playOnly = cfg.PlaybackOnly
	if cfg.SampleRate > 0 {
		d.rate, d.frame = cfg.SampleRate, cfg.SampleRate/50
	}
	if cfg.Period > 0 {
		d.period = cfg.Period
	}
	ctx, err := initContext(cfg.Backend, d.log)
	if err != nil {
		return nil, err
	}
	d.ctx = ctx
	// Capture and playback are two streams, not one duplex stream: miniaudio joins a duplex
	// stream on a backend with separate streams (PulseAudio, WASAPI) through an extra ring of
	// its own, a few periods of capture delay that nothing here could see or bound.
	kinds := []malgo.DeviceType{malgo.Playback, malgo.Capture}
	if cfg.PlaybackOnly {
		kinds = kinds[:1]
	}
	for i, kind := range kinds {
		name := cfg.Playback
		if kind == malgo.Capture {
			name = cfg.Capture
		}
		dev, err := d.openStream(kind, name, &d.capIDs[i])
		if err != nil {
			_ = d.Close()
			return nil, err
		}
		if kind == malgo.Capture {
			d.capDev = dev
		} else {
			d.dev = dev
		}
	}
	return d, nil
}

// openStream opens and starts one stream of kind on the named device ("" = default); id keeps
// the chosen device ID alive for miniaudio.
func (d *Device) openStream(kind malgo.DeviceType, name string, id *malgo.DeviceID) (*malgo.Device, error) {
	dc := malgo.DefaultDeviceConfig(kind)
	dc.SampleRate = uint32(d.rate)
	dc.Capture.Format, dc.Capture.Channels = malgo.FormatS16, 1
	dc.Playback.Format, dc.Playback.Channels = malgo.FormatS16, 1
	// Short periods, two of them (miniaudio's conservative default adds periods). On PulseAudio
	// miniaudio asks for a target buffer (tlength) and a capture fragment of one period, so the
	// period is what the sound server holds for us each way.
	dc.PerformanceProfile = malgo.LowLatency
	dc.PeriodSizeInMilliseconds = uint32(max(d.period/time.Millisecond, 1))
	dc.Periods = 2
	// miniaudio's fixed-size callbacks stay on: they pass through an intermediary buffer of one
	// period (5 ms more each way, not in the account), but without it PulseAudio's 3.75 ms
	// requests left the playback ring almost empty ahead of each frame, and the echo test heard
	// 3-30 times more dropouts (0.1-2.3 s per 30 s call against 0-0.4 s, make bench-latency).
	infos, err := d.ctx.Devices(kind)
	if err != nil || len(infos) == 0 {
		return nil, ErrNoDevice
	}
	if name != "" {
		found := false
		for j := range infos {
			if matches(&infos[j], name) {
				*id = infos[j].ID
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: %q", ErrNoDevice, name)
		}
		if kind == malgo.Capture {
			dc.Capture.DeviceID = id.Pointer()
		} else {
			dc.Playback.DeviceID = id.Pointer()
		}
	}
	cb := malgo.DeviceCallbacks{Data: func(out, _ []byte, _ uint32) { d.onPlayback(out) }, Stop: d.onStop}
	if kind == malgo.Capture {
		cb.Data = func(_, in []byte, _ uint32) { d.onCapture(in) }
	}
	dev, err := malgo.InitDevice(d.ctx.Context, dc, cb)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDevice, err)
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		return nil, fmt.Errorf("%w: %w", ErrNoDevice, err)
	}
	return dev, nil
}

func newDevice(log *slog.Logger) *Device {
	d := &Device{log: log, capture: NewRing(captureRing), playback: NewRing(playbackRing), rate: SampleRate, frame: FrameSamples,
		period: DefaultPeriod}
	d.opened = monotonic()
	return d
}

// startGrace is how long a newly opened device may take to run steadily: PulseAudio calls back
// once at once, then (for a sink that was idle) not again for up to ~2 s.
const startGrace = 3 * time.Second

// steadyCallbacks is how many callbacks make a stream count as running steadily.
const steadyCallbacks = 20

// onStop is miniaudio's stop notification: the backend stopped the stream (device unplugged or
// the sound server went away). The hot-plug follower reopens on the next device.
func (d *Device) onStop() { d.stopped.Store(true) }

// onData serves both directions in one call (tests; a duplex stream).
func (d *Device) onData(out, in []byte, _ uint32) {
	d.onCapture(in)
	d.onPlayback(out)
}

// onCapture is the capture stream's callback: it must not block or allocate.
func (d *Device) onCapture(in []byte) {
	if len(in) < 2 {
		return
	}
	d.streams[streamCapture].beat()
	if n := uint64(len(in) / 2); n > d.capChunk.Load() {
		d.capChunk.Store(n)
	}
	// Bytes → samples → ring (overflow counted by the ring).
	for len(in) >= 2 {
		n := min(len(in)/2, len(d.capScratch))
		for i := 0; i < n; i++ {
			d.capScratch[i] = int16(binary.LittleEndian.Uint16(in[2*i:]))
		}
		d.capture.Write(d.capScratch[:n])
		in = in[2*n:]
	}
}

// onPlayback is the playback stream's callback: it must not block or allocate.
func (d *Device) onPlayback(out []byte) {
	if len(out) < 2 {
		return
	}
	d.streams[streamPlayback].beat()
	// Bound the backlog from this (the consuming) side: keep at most what this callback plays
	// plus one frame, dropping the oldest.
	want := uint64(len(out) / 2)
	if excess := d.playback.Len() - int(want) - d.frame; excess > 0 { // keep one frame of slack
		d.playDropped.Add(uint64(d.playback.Discard(excess)))
	}
	if want > d.playChunk.Load() {
		d.playChunk.Store(want) // after the trim: a known period means a bounded backlog
	}
	// Ring → bytes, silence for what is missing.
	for len(out) >= 2 {
		n := min(len(out)/2, len(d.playScratch))
		got := d.playback.Read(d.playScratch[:n])
		if got < n {
			d.underflows.Add(uint64(n - got))
			if d.streams[streamPlayback].callbacks.Load() >= steadyCallbacks {
				d.runUnderflows.Add(uint64(n - got))
			}
			clear(d.playScratch[got:n])
		}
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint16(out[2*i:], uint16(d.playScratch[i]))
		}
		out = out[2*n:]
	}
}

// Read returns the captured samples available now, at most len(frame); it never blocks. The
// session pads a short frame with silence. Captured audio older than one frame plus one device
// period is skipped: it would only add delay.
func (d *Device) Read(frame []int16) (int, error) {
	bound := len(frame) + int(max(d.capChunk.Load(), uint64(d.frame/2)))
	if excess := d.capture.Len() - bound; excess > 0 {
		d.dropped.Add(uint64(d.capture.Discard(excess)))
	}
	n := d.capture.Read(frame)
	if n < len(frame) {
		d.shortReads.Add(1)
		if d.streams[streamCapture].callbacks.Load() >= steadyCallbacks {
			d.runShortReads.Add(1)
		}
		clear(frame[n:])
	}
	return n, nil
}

// Write queues a frame for playback; it never blocks (overflow is counted).
func (d *Device) Write(frame []int16) error {
	d.playback.Write(frame)
	return nil
}

// Stats returns the device's buffer counters.
func (d *Device) Stats() Stats {
	return Stats{
		CaptureOverflow:   d.capture.Overflow() + d.dropped.Load(),
		CaptureShortReads: d.shortReads.Load(),
		PlaybackOverflow:  d.playback.Overflow() + d.playDropped.Load(),
		PlaybackUnderflow: d.underflows.Load(),
	}
}

func (d *Device) free() {
	if d.ctx != nil {
		_ = d.ctx.Uninit()
		d.ctx.Free()
		d.ctx = nil
	}
}

// Close stops and releases the device. It is idempotent.
func (d *Device) Close() error {
	d.closeOnce.Do(func() {
		var errs []error
		for _, dev := range []*malgo.Device{d.capDev, d.dev} {
			if dev != nil {
				errs = append(errs, dev.Stop())
				dev.Uninit()
			}
		}
		d.closeErr = errors.Join(errs...)
		d.free()
		d.logClose()
	})
	return d.closeErr
}

// matches reports whether a device is the one named: by its display name, its ID, or the
// backend's own name inside the ID (PulseAudio's "speaker.monitor", which is unique where
// display names such as "Null Output" are not).
func matches(info *malgo.DeviceInfo, name string) bool {
	if info.Name() == name || info.ID.String() == name {
		return true
	}
	b := backendName(info)
	return b != "" && b == name
}

// backendName is the text inside a device ID when it is printable text (PulseAudio and ALSA
// IDs are names), else "".
func backendName(info *malgo.DeviceInfo) string {
	raw := info.ID[:]
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		raw = raw[:i]
	}
	for _, c := range raw {
		if c < 0x20 || c > 0x7e {
			return ""
		}
	}
	return string(raw)
}
