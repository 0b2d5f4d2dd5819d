//go:build cgo

package device

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

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
			out = append(out, Info{ID: infos[i].ID.String(), Name: infos[i].Name(), Default: infos[i].IsDefault != 0})
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

// Device is a sound card opened for full-duplex 8 kHz mono 16-bit audio (miniaudio converts from
// the hardware format). It is an audio.Source (capture) and audio.Sink (playback).
type Device struct {
	log    *slog.Logger
	ctx    *malgo.AllocatedContext
	dev    *malgo.Device
	capIDs [2]malgo.DeviceID // keep the chosen IDs alive for miniaudio

	capture  *Ring // written by the callback, read by Read
	playback *Ring // written by Write, read by the callback
	// scratch is used only inside the callback (a single miniaudio thread).
	scratch [1024]int16

	underflows atomic.Uint64 // playback callback found too little audio (samples)
	shortReads atomic.Uint64 // Read found less than a frame
	dropped    atomic.Uint64 // captured samples skipped to bound latency

	closeOnce sync.Once
	closeErr  error
}

// maxCaptureBacklog bounds capture latency: older samples beyond it are skipped.
const maxCaptureBacklog = 3 * FrameSamples

// Open opens the capture and playback devices of cfg.
func Open(cfg Config) (*Device, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	d := &Device{log: log.With("component", "audio-device"), capture: NewRing(8192), playback: NewRing(4096)}
	ctx, err := initContext(cfg.Backend, d.log)
	if err != nil {
		return nil, err
	}
	d.ctx = ctx
	kind := malgo.Duplex
	if cfg.PlaybackOnly {
		kind = malgo.Playback
	}
	dc := malgo.DefaultDeviceConfig(kind)
	dc.SampleRate = SampleRate
	dc.Capture.Format, dc.Capture.Channels = malgo.FormatS16, 1
	dc.Playback.Format, dc.Playback.Channels = malgo.FormatS16, 1
	dc.PeriodSizeInMilliseconds = 20
	for i, sel := range []struct {
		kind malgo.DeviceType
		name string
		sub  *malgo.SubConfig
	}{{malgo.Capture, cfg.Capture, &dc.Capture}, {malgo.Playback, cfg.Playback, &dc.Playback}} {
		if cfg.PlaybackOnly && sel.kind == malgo.Capture {
			continue
		}
		infos, err := ctx.Devices(sel.kind)
		if err != nil || len(infos) == 0 {
			d.free()
			return nil, ErrNoDevice
		}
		if sel.name == "" {
			continue
		}
		found := false
		for j := range infos {
			if infos[j].Name() == sel.name || infos[j].ID.String() == sel.name {
				d.capIDs[i] = infos[j].ID
				sel.sub.DeviceID = d.capIDs[i].Pointer()
				found = true
				break
			}
		}
		if !found {
			d.free()
			return nil, fmt.Errorf("%w: %q", ErrNoDevice, sel.name)
		}
	}
	dev, err := malgo.InitDevice(ctx.Context, dc, malgo.DeviceCallbacks{Data: d.onData})
	if err != nil {
		d.free()
		return nil, fmt.Errorf("%w: %w", ErrNoDevice, err)
	}
	d.dev = dev
	if err := dev.Start(); err != nil {
		dev.Uninit()
		d.free()
		return nil, fmt.Errorf("%w: %w", ErrNoDevice, err)
	}
	return d, nil
}

// onData is miniaudio's callback: it must not block or allocate.
func (d *Device) onData(out, in []byte, frames uint32) {
	// Capture: bytes → samples → ring (overflow counted by the ring).
	for len(in) >= 2 {
		n := min(len(in)/2, len(d.scratch))
		for i := 0; i < n; i++ {
			d.scratch[i] = int16(binary.LittleEndian.Uint16(in[2*i:]))
		}
		d.capture.Write(d.scratch[:n])
		in = in[2*n:]
	}
	// Playback: ring → bytes, silence for what is missing.
	for len(out) >= 2 {
		n := min(len(out)/2, len(d.scratch))
		got := d.playback.Read(d.scratch[:n])
		if got < n {
			d.underflows.Add(uint64(n - got))
			clear(d.scratch[got:n])
		}
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint16(out[2*i:], uint16(d.scratch[i]))
		}
		out = out[2*n:]
	}
}

// Read returns the captured samples available now, at most len(frame); it never blocks. The
// session pads a short frame with silence.
func (d *Device) Read(frame []int16) (int, error) {
	if excess := d.capture.Len() - maxCaptureBacklog; excess > 0 {
		var skip [FrameSamples]int16
		for excess > 0 {
			n := d.capture.Read(skip[:min(excess, len(skip))])
			d.dropped.Add(uint64(n))
			excess -= n
			if n == 0 {
				break
			}
		}
	}
	n := d.capture.Read(frame)
	if n < len(frame) {
		d.shortReads.Add(1)
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
		PlaybackOverflow:  d.playback.Overflow(),
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
		if d.dev != nil {
			d.closeErr = d.dev.Stop()
			d.dev.Uninit()
		}
		d.free()
	})
	return d.closeErr
}
