package card

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/audio/device"
	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

func sine(hz float64, seconds int) []int16 {
	pcm := make([]int16, device.SampleRate*seconds)
	_, _ = tone.NewSine(hz, 12000, device.SampleRate).Read(pcm)
	return pcm
}

// The desktop may switch ringing on or off repeatedly; with the null backend nothing opens and
// nothing leaks.
func TestRingerOnOffIsIdempotent(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r := NewRinger(New(Config{Backend: "null"}), sine(440, 1))
	r.Ring(true)
	r.Ring(true)
	r.Ring(false)
	r.Ring(false)
	r.Ring(true)
	r.Ring(false)
	r.Wait()
	assert.Nil(t, r.stop)
}

func TestNullBackend(t *testing.T) {
	c := New(Config{Backend: "null", Speakers: []string{"Headset"}})
	for _, open := range []func() (src, sink any, err error){
		func() (any, any, error) { s, k, _, err := c.Open(); return s, k, err },
		func() (any, any, error) { s, k, _, err := c.OpenStrict(); return s, k, err },
	} {
		src, sink, err := open()
		require.NoError(t, err)
		assert.IsType(t, &device.Null{}, src)
		assert.IsType(t, &device.Null{}, sink)
	}
	require.NoError(t, c.Probe())
	assert.NoError(t, c.Problem())
	_, speakers, _ := c.Lists()
	assert.Equal(t, []string{"Headset"}, speakers)
}

// A backend that cannot open: a desktop call still connects on the null device and says why;
// a headless call gets the error.
func TestNoSoundCardFallsBack(t *testing.T) {
	c := New(Config{Backend: "bogus"})
	src, _, closer, err := c.Open()
	require.NoError(t, err)
	assert.IsType(t, &device.Null{}, src)
	require.NoError(t, closer.Close())
	assert.Error(t, c.Problem())
	_, _, _, err = c.OpenStrict()
	assert.Error(t, err)
}

// On a real sound server: the ringtone plays on the first present device of the ringer list
// (never the speaker list), moves when that device is unplugged, and stops on Ring(false).
func TestRingerOnPulseAudio(t *testing.T) {
	p := testpeer.StartPulse(t)
	p.KeepAwake(t, "speaker")
	mod := p.LoadSink(t, "desk")
	p.KeepAwake(t, "desk")
	var notices []device.Change
	c := New(Config{Speakers: []string{"speaker"}, Ringers: []string{"nosuch", "desk", "speaker"},
		OnChange: func(ch device.Change) { notices = append(notices, ch) }})
	r := NewRinger(c, sine(800, 2))
	r.Ring(true)
	hears := func(sink string) func() bool {
		return func() bool {
			pcm := p.Record(t, sink+".monitor", 400*time.Millisecond)
			return len(pcm) > 800 && testpeer.RMS(pcm[len(pcm)/2:]) > 1000
		}
	}
	require.Eventually(t, hears("desk"), 5*time.Second, 10*time.Millisecond, "rings on the ring device")
	assert.False(t, hears("speaker")(), "not on the speaker")
	p.UnloadModule(t, mod)
	require.Eventually(t, hears("speaker"), 3*time.Second, 10*time.Millisecond, "continues on the next ring device")
	r.Ring(false)
	r.Wait()
	require.Eventually(t, func() bool { return !hears("speaker")() }, 3*time.Second, 10*time.Millisecond, "stops")
	require.NotEmpty(t, notices)
	assert.Equal(t, device.RoleRinger, notices[0].Role)
	assert.Equal(t, "speaker", notices[0].To)
}
