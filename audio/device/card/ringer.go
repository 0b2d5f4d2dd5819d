package card

import (
	"sync"
	"time"

	"softphone/audio/device"
)

// Ringer plays a ringtone on the ring devices (playback only: ringing never opens the
// microphone), following hot-plug like a call.
type Ringer struct {
	card *Card
	tone []int16 // 8 kHz mono, looped

	mu   sync.Mutex    // guards stop and done
	stop chan struct{} // non-nil while ringing
	done chan struct{}
}

// NewRinger returns a Ringer for tone (8 kHz mono samples, looped).
func NewRinger(c *Card, tone []int16) *Ringer { return &Ringer{card: c, tone: tone} }

// Ring starts or stops the ringtone. It never blocks on the device (a UI thread calls it).
func (r *Ringer) Ring(on bool) {
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
	if r.card.backend == "null" {
		return
	}
	r.stop, r.done = make(chan struct{}), make(chan struct{})
	go r.play(r.stop, r.done)
}

// Wait blocks until the last ringtone stopped playing (tests, shutdown).
func (r *Ringer) Wait() {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if done != nil {
		<-done
	}
}

func (r *Ringer) play(stop, done chan struct{}) {
	defer close(done)
	f, err := r.card.follow(true, 0)
	if err != nil {
		r.card.log.Debug("no ring device", "err", err)
		return
	}
	defer f.Close()
	frame := make([]int16, device.FrameSamples)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for pos := 0; ; pos = (pos + len(frame)) % max(len(r.tone), 1) {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		n := copy(frame, r.tone[min(pos, len(r.tone)):])
		clear(frame[n:])
		_ = f.Write(frame)
	}
}
