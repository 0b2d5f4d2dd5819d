package device

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Role is what a device is used for; each role has its own priority list in the settings.
type Role int

// Device roles.
const (
	RoleMicrophone Role = iota
	RoleSpeaker
	RoleRinger
)

// String names the role as the settings do.
func (r Role) String() string {
	switch r {
	case RoleMicrophone:
		return "microphone"
	case RoleSpeaker:
		return "speaker"
	case RoleRinger:
		return "ringer"
	}
	return "unknown"
}

// ChangeReason says why a Follower moved a role to another device.
type ChangeReason int

// Change reasons.
const (
	ChangeLost     ChangeReason = iota // the device in use went away (unplugged, server restarted)
	ChangeReturned                     // a device higher in the priority list came back
)

// String names the reason.
func (c ChangeReason) String() string {
	switch c {
	case ChangeLost:
		return "lost"
	case ChangeReturned:
		return "returned"
	}
	return "unknown"
}

// Change is one switch of a role to another device: the notice the agent sees.
type Change struct {
	Role     Role
	From, To string // device names; "" is the system default
	Reason   ChangeReason
}

// String is the notice text.
func (c Change) String() string {
	name := func(s string) string {
		if s == "" {
			return "the system default"
		}
		return fmt.Sprintf("%q", s)
	}
	if c.Reason == ChangeReturned {
		return fmt.Sprintf("%s is back: the %s uses it again", name(c.To), c.Role)
	}
	return fmt.Sprintf("%s went away: the %s continues on %s", name(c.From), c.Role, name(c.To))
}

// FollowConfig configures a Follower.
type FollowConfig struct {
	Backend string // as Config.Backend
	// Capture and Playback are priority lists of device names (Info.Name or Info.ID, or the
	// backend's own name), most preferred first; the system default is always the last resort.
	Capture, Playback []string
	// PlaybackOnly opens no microphone (the ringtone); its role is then RoleRinger.
	PlaybackOnly bool
	// SampleRate as Config.SampleRate (0 = 8 kHz; 16000 for wideband calls).
	SampleRate int
	// Period as Config.Period (0 = DefaultPeriod).
	Period time.Duration
	// OnChange is told about every switch (from the watch goroutine; do not block).
	OnChange func(Change)
	Logger   *slog.Logger
	// Check is how often the device's health is checked; zero = 200 ms. Returns of preferred
	// devices are looked for every fifth check.
	Check time.Duration
}

// deviceLister lists devices (List; replaced in tests).
type deviceLister func(backend string) (capture, playback []Info, err error)

// Follower is a sound device that follows hot-plug: it plays and captures on the most preferred
// device present, moves to the next one (or the system default) within a second when that one
// goes away, and back when a preferred one returns. It is an audio.Source and audio.Sink.
type Follower struct {
	cfg  FollowConfig
	log  *slog.Logger
	list deviceLister

	mu       sync.Mutex // guards the fields below; held by Read/Write only for the pointer
	dev      *Device
	capName  string // device in use per role; "" = system default
	playName string
	closed   bool

	stop chan struct{}
	done chan struct{}
}

// Follow opens the most preferred devices present and starts watching them.
func Follow(cfg FollowConfig) (*Follower, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Check <= 0 {
		cfg.Check = 200 * time.Millisecond
	}
	f := &Follower{cfg: cfg, log: cfg.Logger.With("component", "audio-device"), list: List,
		stop: make(chan struct{}), done: make(chan struct{})}
	capName, playName := f.choose()
	d, err := f.open(capName, playName)
	if err != nil {
		return nil, err
	}
	f.dev, f.capName, f.playName = d, capName, playName
	go f.watch()
	return f, nil
}

func (f *Follower) open(capName, playName string) (*Device, error) {
	return Open(Config{Backend: f.cfg.Backend, Capture: capName, Playback: playName,
		PlaybackOnly: f.cfg.PlaybackOnly, Logger: f.cfg.Logger, SampleRate: f.cfg.SampleRate, Period: f.cfg.Period})
}

// choose picks the first listed device present per role ("" = the system default).
func (f *Follower) choose() (capName, playName string) {
	caps, plays, err := f.list(f.cfg.Backend)
	if err != nil {
		return "", ""
	}
	return pick(f.cfg.Capture, caps), pick(f.cfg.Playback, plays)
}

func pick(prefs []string, present []Info) string {
	for _, p := range prefs {
		for _, in := range present {
			if in.Name == p || in.ID == p || in.Backend == p {
				return p
			}
		}
	}
	return ""
}

// rank is a device name's place in a priority list; the default ranks after every entry.
func rank(prefs []string, name string) int {
	for i, p := range prefs {
		if p == name {
			return i
		}
	}
	return len(prefs)
}

// watch checks the device's health and looks for returning preferred devices until Close.
func (f *Follower) watch() {
	defer close(f.done)
	t := time.NewTicker(f.cfg.Check)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-f.stop:
			return
		case <-t.C:
		}
		f.mu.Lock()
		dev, capName, playName := f.dev, f.capName, f.playName
		f.mu.Unlock()
		// Two checks without a callback (400 ms; a period is 10 ms) is a device gone, not a hiccup.
		lost := !dev.Alive(2 * f.cfg.Check)
		if lost {
			f.log.Debug("audio device lost", "capture", capName, "playback", playName)
		}
		if !lost && n%5 != 0 {
			continue
		}
		wantCap, wantPlay := f.choose()
		better := rank(f.cfg.Capture, wantCap) < rank(f.cfg.Capture, capName) ||
			rank(f.cfg.Playback, wantPlay) < rank(f.cfg.Playback, playName)
		if !lost && !better {
			continue
		}
		f.switchTo(dev, wantCap, wantPlay, capName, playName, lost)
	}
}

// switchTo replaces old by a device on the chosen names and reports each role that moved.
func (f *Follower) switchTo(old *Device, capName, playName, oldCap, oldPlay string, lost bool) {
	d, err := f.open(capName, playName)
	if err != nil {
		f.log.Warn("audio device switch failed; retrying", "err", err)
		return
	}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		_ = d.Close()
		return
	}
	f.dev, f.capName, f.playName = d, capName, playName
	f.mu.Unlock()
	_ = old.Close()
	reason := ChangeReturned
	if lost {
		reason = ChangeLost
	}
	// A reopen on the same devices (a stream that stalled and recovered) is no news for the agent.
	var changes []Change
	if !f.cfg.PlaybackOnly && capName != oldCap {
		changes = append(changes, Change{Role: RoleMicrophone, From: oldCap, To: capName, Reason: reason})
	}
	playRole := RoleSpeaker
	if f.cfg.PlaybackOnly {
		playRole = RoleRinger
	}
	if playName != oldPlay {
		changes = append(changes, Change{Role: playRole, From: oldPlay, To: playName, Reason: reason})
	}
	for _, c := range changes {
		f.log.Warn("audio device changed", "role", c.Role, "from", c.From, "to", c.To, "reason", c.Reason)
		if f.cfg.OnChange != nil {
			f.cfg.OnChange(c)
		}
	}
}

func (f *Follower) current() *Device {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dev
}

// Devices are the names in use now per direction ("" = the system default).
func (f *Follower) Devices() (capture, playback string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.capName, f.playName
}

// Read implements audio.Source on the current device.
func (f *Follower) Read(frame []int16) (int, error) { return f.current().Read(frame) }

// Write implements audio.Sink on the current device.
func (f *Follower) Write(frame []int16) error { return f.current().Write(frame) }

// CaptureBacklog reports the current device's capture buffering.
func (f *Follower) CaptureBacklog() (backlog, period time.Duration) {
	return f.current().CaptureBacklog()
}

// PlaybackBacklog reports the current device's playback buffering.
func (f *Follower) PlaybackBacklog() (backlog, period time.Duration) {
	return f.current().PlaybackBacklog()
}

// Stats are the current device's counters.
func (f *Follower) Stats() Stats { return f.current().Stats() }

// Close stops watching and closes the device. It is idempotent.
func (f *Follower) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	f.mu.Unlock()
	close(f.stop)
	<-f.done
	return errors.Join(f.current().Close())
}
