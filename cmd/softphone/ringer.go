//go:build !headless

package main

import (
	"log/slog"
	"sync"
	"time"

	"softphone/assets"
	"softphone/audio/device"
)

// ringer plays the ringtone on the ring device (playback only: ringing
// never opens the microphone) while the desktop says a call is incoming.
type ringer struct {
	backend string
	card    *soundCard // for the configured ring device name
	log     *slog.Logger

	mu   sync.Mutex    // guards stop
	stop chan struct{} // non-nil while ringing
}

// Ring starts or stops the ringtone. It never blocks the Fyne thread.
func (r *ringer) Ring(on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on == (r.stop != nil) {
		return
	}
	if !on {
		close(r.stop)
		r.stop = nil
		return
	}
	if r.backend == "null" {
		return
	}
	r.stop = make(chan struct{})
	go r.play(r.stop)
}

func (r *ringer) play(stop <-chan struct{}) {
	d, err := device.Open(device.Config{Backend: r.backend, Playback: r.card.ringDevice(), PlaybackOnly: true, Logger: r.log})
	if err != nil {
		r.log.Debug("no ring device", "err", err)
		return
	}
	defer d.Close()
	tone := assets.RingtonePCM(device.SampleRate)
	frame := make([]int16, device.FrameSamples)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for pos := 0; ; pos = (pos + len(frame)) % max(len(tone), 1) {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		n := copy(frame, tone[pos:])
		clear(frame[n:])
		d.Write(frame)
	}
}
