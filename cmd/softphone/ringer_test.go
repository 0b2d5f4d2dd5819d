//go:build !headless

package main

import (
	"log/slog"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestRingerOnOffIsIdempotent: the desktop may switch ringing on or off
// repeatedly; without a sound card ringing ends without a leak.
func TestRingerOnOffIsIdempotent(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r := &ringer{backend: "", card: &soundCard{}, log: slog.New(slog.DiscardHandler)}
	r.Ring(true)
	r.Ring(true)
	time.Sleep(50 * time.Millisecond)
	r.Ring(false)
	r.Ring(false)
	r.Ring(true)
	r.Ring(false)
	time.Sleep(100 * time.Millisecond)
	if r.stop != nil {
		t.Fatal("still ringing after Ring(false)")
	}
}
