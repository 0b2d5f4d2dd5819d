// Package card chooses the sound devices of calls and of the ringtone from the agent's priority
// lists, follows hot-plug through device.Follower, and falls back to the null device (saying
// why) when there is no sound card. It is what cmd wires into the phone and the desktop.
package card

import (
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"softphone/audio"
	"softphone/audio/device"
)

// Config configures a Card.
type Config struct {
	// Backend is "" for the platform default or "null" (no sound card: silence).
	Backend string
	// Microphones, Speakers and Ringers are the priority lists per role (most preferred first;
	// the system default is always the last resort).
	Microphones, Speakers, Ringers []string
	// OnChange is told when a device went away or came back (the notice the agent sees).
	OnChange func(device.Change)
	// Period is the device period of calls and the ringtone (0 = device.DefaultPeriod).
	Period time.Duration
	Logger *slog.Logger
}

// Card opens the devices of each call and of the ringtone.
type Card struct {
	backend string
	period  time.Duration
	log     *slog.Logger

	mu                      sync.Mutex // guards the fields below
	onChange                func(device.Change)
	mics, speakers, ringers []string
	noDevice                error // set after a failed open; reported once
}

// New returns a Card; nothing is opened yet.
func New(cfg Config) *Card {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	c := &Card{backend: cfg.Backend, period: cfg.Period, log: log, onChange: cfg.OnChange}
	c.Select(cfg.Microphones, cfg.Speakers, cfg.Ringers)
	return c
}

// Period is the device period of calls and the ringtone (device.DefaultPeriod unless configured).
func (c *Card) Period() time.Duration {
	if c.period <= 0 {
		return device.DefaultPeriod
	}
	return c.period
}

// Backend is the device backend ("" or "null").
func (c *Card) Backend() string { return c.backend }

// Select sets the priority lists for the next call and the next ringtone.
func (c *Card) Select(mics, speakers, ringers []string) {
	c.mu.Lock()
	c.mics, c.speakers, c.ringers = slices.Clone(mics), slices.Clone(speakers), slices.Clone(ringers)
	c.mu.Unlock()
}

// Lists are the priority lists in use (for settings and tests).
func (c *Card) Lists() (mics, speakers, ringers []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mics, c.speakers, c.ringers
}

// OnChange sets who is told when a device of a call or of the ringtone went away or came back
// (from then on; the desktop shows it as a notice).
func (c *Card) OnChange(f func(device.Change)) {
	c.mu.Lock()
	c.onChange = f
	c.mu.Unlock()
}

func (c *Card) notify(ch device.Change) {
	c.mu.Lock()
	f := c.onChange
	c.mu.Unlock()
	if f != nil {
		f(ch)
	}
}

func (c *Card) follow(playbackOnly bool, rate int) (*device.Follower, error) {
	mics, speakers, ringers := c.Lists()
	cfg := device.FollowConfig{Backend: c.backend, Capture: mics, Playback: speakers, OnChange: c.notify, Logger: c.log,
		SampleRate: rate, Period: c.period}
	if playbackOnly {
		cfg.Capture, cfg.Playback, cfg.PlaybackOnly = nil, ringers, true
	}
	return device.Follow(cfg)
}

// OpenStrict opens the devices of a headless call: the null device when the backend is "null",
// else the sound card or a clear error (automation must not run silent by surprise).
func (c *Card) OpenStrict() (audio.Source, audio.Sink, io.Closer, error) {
	if c.backend == "null" {
		n := &device.Null{}
		return n, n, io.NopCloser(nil), nil
	}
	f, err := c.follow(false, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	return f, f, f, nil
}

// Open returns the devices of one desktop call at 16 kHz (wideband: SampleRate), or the null
// device (with a warning, once) when there is no sound card, so the call still connects and the
// agent is told why it is silent.
func (c *Card) Open() (audio.Source, audio.Sink, io.Closer, error) {
	if c.backend != "null" {
		f, err := c.follow(false, audio.RateWideband)
		if err == nil {
			return f, f, f, nil
		}
		c.mu.Lock()
		first := c.noDevice == nil
		c.noDevice = err
		c.mu.Unlock()
		if first {
			c.log.Warn("no sound card: calls use the null device (silence)", "err", err)
		}
	}
	n := &device.Null{}
	return n, n, io.NopCloser(nil), nil
}

// SampleRate is the rate of the devices Open returns (phone.RatedEndpoints through the desktop's
// endpoints): 16 kHz, so wideband calls carry the agent's voice above 4 kHz.
func (c *Card) SampleRate() int { return audio.RateWideband }

// Problem is why calls are silent, or nil.
func (c *Card) Problem() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.noDevice != nil {
		return errors.Join(errors.New("no sound card found: calls are silent (null device)"), c.noDevice)
	}
	return nil
}

// NoSoundCardNotice is what the desktop shows when calls would be silent.
const NoSoundCardNotice = "No sound card found: calls connect but are silent (null audio device)."

// Probe reports whether the sound card can be opened at all (it is closed again at once).
func (c *Card) Probe() error {
	if c.backend == "null" {
		return nil // chosen on purpose
	}
	mics, speakers, _ := c.Lists()
	d, err := device.Open(device.Config{Backend: c.backend, Capture: first(mics), Playback: first(speakers), Period: c.period, Logger: c.log})
	if err != nil {
		// A listed device may be unplugged: the defaults are what a call falls back to.
		d, err = device.Open(device.Config{Backend: c.backend, Period: c.period, Logger: c.log})
	}
	if err != nil {
		c.mu.Lock()
		c.noDevice = err
		c.mu.Unlock()
		return err
	}
	return d.Close()
}

func first(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}
