//go:build cgo

package device

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// changes collects the notices a Follower sends.
type changes struct {
	mu  sync.Mutex
	all []Change
}

func (c *changes) add(ch Change) { c.mu.Lock(); c.all = append(c.all, ch); c.mu.Unlock() }

func (c *changes) has(role Role, reason ChangeReason, to string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.all {
		if ch.Role == role && ch.Reason == reason && ch.To == to {
			return true
		}
	}
	return false
}

// playing writes a 1 kHz tone to s every 20 ms until stop is closed, like a call's playout.
func playing(s interface{ Write([]int16) error }, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Go(func() {
		src := tone.NewSine(1000, 12000, SampleRate)
		frame := make([]int16, FrameSamples)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				_, _ = src.Read(frame)
				_ = s.Write(frame)
			}
		}
	})
	return &wg
}

// hearsOn reports whether the 1 kHz tone is audible on a sink's monitor.
func hearsOn(p *testpeer.Pulse, t *testing.T, sink string) bool {
	pcm := p.Record(t, sink+".monitor", 400*time.Millisecond)
	return len(pcm) > 800 && testpeer.RMS(pcm[len(pcm)/2:]) > 1000 && abs(tone.DominantFrequency(pcm[len(pcm)/2:], SampleRate)-1000) < 20
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// A headset unplugged mid-call (its PulseAudio module unloaded): the audio continues on the
// next device of the priority list within a second, with a notice; plugged back, it returns.
func TestFollowerHotPlugPulseAudio(t *testing.T) {
	for _, tc := range []struct {
		name         string
		playbackOnly bool
		role         Role
	}{{"call", false, RoleSpeaker}, {"ringing", true, RoleRinger}} {
		t.Run(tc.name, func(t *testing.T) {
			p := testpeer.StartPulse(t)
			mod := p.LoadSink(t, "headset")
			p.KeepAwake(t, "speaker")
			p.KeepAwake(t, "headset")
			var seen changes
			f, err := Follow(FollowConfig{
				Capture: []string{"mic"}, Playback: []string{"headset", "speaker"},
				PlaybackOnly: tc.playbackOnly, OnChange: seen.add,
			})
			require.NoError(t, err)
			defer f.Close()
			_, play := f.Devices()
			require.Equal(t, "headset", play, "the first device of the list")
			stop := make(chan struct{})
			wg := playing(f, stop)
			defer func() { close(stop); wg.Wait() }()
			require.Eventually(t, func() bool { return hearsOn(p, t, "headset") }, 5*time.Second, 10*time.Millisecond)

			p.UnloadModule(t, mod) // unplugged
			unplugged := time.Now()
			require.Eventually(t, func() bool { _, play := f.Devices(); return play == "speaker" }, 3*time.Second, 10*time.Millisecond)
			switched := time.Since(unplugged)
			require.Eventually(t, func() bool { return hearsOn(p, t, "speaker") }, 3*time.Second, 10*time.Millisecond)
			t.Logf("switched to the next device %v after the unplug; tone heard there (a 400 ms recording) %v after it",
				switched.Round(time.Millisecond), time.Since(unplugged).Round(time.Millisecond))
			assert.Less(t, switched, time.Second, "continues within a second")
			assert.True(t, seen.has(tc.role, ChangeLost, "speaker"), "a notice for the agent: %v", seen.all)

			p.LoadSink(t, "headset") // plugged back
			p.KeepAwake(t, "headset")
			require.Eventually(t, func() bool { _, play := f.Devices(); return play == "headset" }, 5*time.Second, 10*time.Millisecond)
			require.Eventually(t, func() bool { return hearsOn(p, t, "headset") }, 3*time.Second, 10*time.Millisecond)
			assert.True(t, seen.has(tc.role, ChangeReturned, "headset"), "a notice for the return: %v", seen.all)
			if !tc.playbackOnly {
				c, _ := f.Devices()
				assert.Equal(t, "mic", c, "the microphone stays")
			}
		})
	}
}
