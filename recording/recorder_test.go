package recording

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var speech = 440.0 // the "normal" call audio in tests

func startCall(t *testing.T, env *testEnv) *Recorder {
	t.Helper()
	r, err := env.store.Start(context.Background(), CallMeta{CallID: "call-1", Direction: "incoming", Number: "+49 201 809000"}, "agent7")
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}

func writeBoth(r *Recorder, frames, off int, gen func(k int) []int16) {
	for k := 0; k < frames; k++ {
		r.WriteAgent(gen(off + k))
		r.WriteCustomer(gen(off + k))
	}
}

func speechFrame(k int) []int16 { return tone(speech, 160, k*160, 8000) }

// TestPausedMarkerNeverWritten plays a marker tone while paused (for each
// pause reason) and checks that it appears nowhere: not in the decrypted
// recording (raw bytes and frequency), not in any file the test wrote.
func TestPausedMarkerNeverWritten(t *testing.T) {
	tests := []struct {
		name   string
		pause  func(r *Recorder)
		resume func(r *Recorder)
	}{
		{"agent", func(r *Recorder) { r.Pause(PauseAgent) }, func(r *Recorder) { r.Resume(PauseAgent) }},
		{"payment", func(r *Recorder) { r.Pause(PausePayment) }, func(r *Recorder) { r.Resume(PausePayment) }},
		{"dtmf after prompt", func(r *Recorder) { require.NoError(t, r.PromptDTMF()); r.DTMF('4') }, func(r *Recorder) { r.DTMF('#') }},
		{"payment and agent overlap", func(r *Recorder) { r.Pause(PausePayment); r.Pause(PauseAgent); r.Resume(PausePayment) },
			func(r *Recorder) { r.Resume(PauseAgent) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.AutoPauseDTMF = true; c.DTMFIdle = time.Minute })
			r := startCall(t, env)
			var states []State
			var smu sync.Mutex
			r.OnState(func(s State, _ string) { smu.Lock(); states = append(states, s); smu.Unlock() })

			writeBoth(r, 50, 0, speechFrame)
			tc.pause(r)
			st, why := r.State()
			require.Equal(t, Paused, st, why)
			var markers [][]int16
			for k := 0; k < 50; k++ {
				m := marker(k)
				markers = append(markers, m)
				r.WriteAgent(m)
				r.WriteCustomer(m)
			}
			tc.resume(r)
			st, _ = r.State()
			require.Equal(t, Recording, st)
			writeBoth(r, 50, 100, speechFrame)
			id := r.ID()
			require.NoError(t, r.Close())

			m, err := env.store.Get("sup1", RoleSupervisor, id)
			require.NoError(t, err)
			require.Equal(t, StatusComplete, m.Status)
			require.Len(t, m.Pauses, 1)
			require.False(t, m.Pauses[0].End.IsZero())

			wav := env.wav(t, id)
			agent, customer := decodeWAV(t, wav)
			require.Len(t, agent, 150*160, "paused stretch kept as silence on the time line")
			for _, ch := range [][]int16{agent, customer} {
				paused := ch[50*160 : 100*160]
				for _, v := range paused {
					require.Zero(t, v, "paused stretch is silence")
				}
				require.Less(t, goertzel(ch, 1000), 1.0)
				require.Less(t, goertzel(ch, 2200), 1.0)
				require.Greater(t, goertzel(ch[:50*160], speech), 1e5, "speech is there")
			}
			files := allFiles(t, env.dir)
			files["decrypted.wav"] = wav
			requireNoMarker(t, files, markers)
			smu.Lock()
			require.Contains(t, states, Paused)
			smu.Unlock()
			require.Contains(t, env.aud.actions(), actPause)
			require.Contains(t, env.aud.actions(), actResume)
		})
	}
}

func TestPauseReasonsAreASet(t *testing.T) {
	env := newEnv(t, nil)
	r := startCall(t, env)
	steps := []struct {
		do   func() error
		want State
		why  string
	}{
		{func() error { return r.Pause(PausePayment) }, Paused, "paused: payment"},
		{func() error { return r.Pause(PauseAgent) }, Paused, "paused: agent, payment"},
		{func() error { return r.Resume(PausePayment) }, Paused, "paused: agent"},
		{func() error { return r.Resume(PausePayment) }, Paused, "paused: agent"},
		{func() error { return r.Resume(PauseAgent) }, Recording, ""},
	}
	for i, s := range steps {
		require.NoError(t, s.do(), "step %d", i)
		st, why := r.State()
		require.Equal(t, s.want, st, "step %d", i)
		require.Equal(t, s.why, why, "step %d", i)
	}
}

func TestDTMFPauseEndsAfterIdle(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.AutoPauseDTMF = true; c.DTMFIdle = 50 * time.Millisecond })
	r := startCall(t, env)
	require.NoError(t, r.PromptDTMF())
	st, _ := r.State()
	require.Equal(t, Paused, st)
	waitFor(t, func() bool { st, _ := r.State(); return st == Recording })
}

func TestPolicyAndConsent(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		act    func(t *testing.T, r *Recorder)
		want   State
		why    string
	}{
		{"on records", PolicyOn, func(*testing.T, *Recorder) {}, Recording, ""},
		{"off waits", PolicyOff, func(*testing.T, *Recorder) {}, NotRecording, "recording policy is off"},
		{"ask waits", PolicyAsk, func(*testing.T, *Recorder) {}, NotRecording, "waiting for customer consent"},
		{"ask granted", PolicyAsk, func(t *testing.T, r *Recorder) { require.NoError(t, r.Consent("agent7", true)) }, Recording, ""},
		{"ask refused", PolicyAsk, func(t *testing.T, r *Recorder) { require.NoError(t, r.Consent("agent7", false)) }, NotRecording, "customer declined recording"},
		{"off, supervisor on", PolicyOff, func(t *testing.T, r *Recorder) { require.NoError(t, r.SetRecording("sup1", RoleSupervisor, true)) }, Recording, ""},
		{"on, supervisor off", PolicyOn, func(t *testing.T, r *Recorder) { require.NoError(t, r.SetRecording("sup1", RoleSupervisor, false)) }, NotRecording, "switched off by supervisor"},
		{"on, agent cannot switch off", PolicyOn, func(t *testing.T, r *Recorder) {
			require.ErrorIs(t, r.SetRecording("agent7", RoleAgent, false), ErrPermission)
		}, Recording, ""},
		{"off, agent cannot switch on", PolicyOff, func(t *testing.T, r *Recorder) {
			require.ErrorIs(t, r.SetRecording("agent7", RoleAgent, true), ErrPermission)
		}, NotRecording, "recording policy is off"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.Policy = tc.policy })
			r := startCall(t, env)
			tc.act(t, r)
			st, why := r.State()
			require.Equal(t, tc.want, st)
			require.Equal(t, tc.why, why)
			require.Equal(t, tc.want == Recording || tc.policy == PolicyOn, r.ID() != "", "a recording exists only once audio is written")
		})
	}
}

func TestSupervisorOffKeepsIntervalAndDropsAudio(t *testing.T) {
	env := newEnv(t, nil)
	r := startCall(t, env)
	writeBoth(r, 10, 0, speechFrame)
	require.NoError(t, r.SetRecording("sup1", RoleSupervisor, false))
	var markers [][]int16
	for k := 0; k < 10; k++ {
		markers = append(markers, marker(k))
		r.WriteAgent(marker(k))
	}
	require.NoError(t, r.SetRecording("sup1", RoleSupervisor, true))
	writeBoth(r, 10, 20, speechFrame)
	id := r.ID()
	require.NoError(t, r.Close())
	m, err := env.store.Get("sup1", RoleSupervisor, id)
	require.NoError(t, err)
	require.Len(t, m.Pauses, 1)
	require.Equal(t, []string{"off"}, m.Pauses[0].Reasons)
	files := allFiles(t, env.dir)
	files["wav"] = env.wav(t, id)
	requireNoMarker(t, files, markers)
}

// TestOptOutDiscardsRecording: audio before the opt-out is shredded, the
// marker played after it is never written, and no file holds it.
func TestOptOutDiscardsRecording(t *testing.T) {
	env := newEnv(t, nil)
	r := startCall(t, env)
	var markers [][]int16
	for k := 0; k < 60; k++ { // 1.2 s: at least one segment is sealed before the opt-out
		markers = append(markers, marker(k))
		r.WriteAgent(marker(k))
		r.WriteCustomer(marker(k))
	}
	id := r.ID()
	waitFor(t, func() bool { return r.segments.Load() > 0 })
	require.NoError(t, r.OptOut("agent7"))
	st, why := r.State()
	require.Equal(t, NotRecording, st)
	require.Equal(t, "customer opted out", why)
	for k := 60; k < 120; k++ {
		markers = append(markers, marker(k))
		r.WriteAgent(marker(k))
	}
	require.NoError(t, r.Close())
	require.NoDirExists(t, filepath.Join(env.dir, "rec", id))
	m, err := env.store.Get("sup1", RoleSupervisor, id)
	require.NoError(t, err)
	require.Equal(t, StatusDeleted, m.Status)
	require.Equal(t, "customer opted out", m.Deleted.Reason)
	_, err = env.store.Open("sup1", RoleSupervisor, id, PurposePlayback, env.id)
	require.ErrorIs(t, err, ErrDeleted)
	requireNoMarker(t, allFiles(t, env.dir), markers)
	require.Contains(t, env.aud.actions(), actOptOut)
	require.ErrorIs(t, r.SetRecording("sup1", RoleSupervisor, true), ErrClosed)
}

func TestOptOutBeforeRecordingUnderAsk(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.Policy = PolicyAsk })
	r := startCall(t, env)
	require.NoError(t, r.OptOut("agent7"))
	require.ErrorIs(t, r.Consent("agent7", true), nil)
	st, _ := r.State()
	require.Equal(t, NotRecording, st, "consent after opt-out does not restart recording")
	list, err := env.store.List("sup1", RoleSupervisor, Filter{IncludeDeleted: true})
	require.NoError(t, err)
	require.Empty(t, list)
}

// TestDiskFull: the segment writer fails after N bytes. The call goes on,
// the recorder reports NOT RECORDING — disk full, the recording is
// incomplete and what was sealed before still decrypts.
func TestDiskFull(t *testing.T) {
	env := newEnv(t, nil)
	lw := &limitWriterState{limit: 70_000}
	env.store.wrapFile = lw.wrap
	r := startCall(t, env)
	var got []string
	var mu sync.Mutex
	r.OnState(func(s State, why string) { mu.Lock(); got = append(got, s.String()+"|"+why); mu.Unlock() })
	for k := 0; k < 300; k++ { // 6 s of audio, far more than the limit
		r.WriteAgent(speechFrame(k))
		r.WriteCustomer(speechFrame(k))
		if k%10 == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor(t, func() bool { st, _ := r.State(); return st == NotRecording })
	st, why := r.State()
	require.Equal(t, NotRecording, st)
	require.Equal(t, "disk full", why)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return slices.Contains(got, "NOT RECORDING|disk full") })
	r.WriteAgent(speechFrame(1)) // still safe to call
	id := r.ID()
	require.NoError(t, r.Close())
	m, err := env.store.Get("sup1", RoleSupervisor, id)
	require.NoError(t, err)
	require.Equal(t, StatusIncomplete, m.Status)
	require.Equal(t, "disk full", m.Reason)
	require.Positive(t, m.Segments)
	agent, _ := decodeWAV(t, env.wav(t, id))
	require.NotEmpty(t, agent)
	require.Contains(t, env.aud.actions(), actFail)
}

type limitWriterState struct {
	mu    sync.Mutex
	n     int
	limit int
}

type limitWriter struct {
	s *limitWriterState
	w interface{ Write([]byte) (int, error) }
}

func (l *limitWriterState) wrap(w io.Writer) io.Writer { return &limitWriter{s: l, w: w} }

func (l *limitWriter) Write(p []byte) (int, error) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if l.s.n+len(p) > l.s.limit {
		return 0, ErrDiskFull
	}
	l.s.n += len(p)
	return l.w.Write(p)
}

func TestConcurrentWritesAndControl(t *testing.T) {
	env := newEnv(t, nil)
	r := startCall(t, env)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for c := 0; c < 2; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				if c == 0 {
					r.WriteAgent(speechFrame(k))
				} else {
					r.WriteCustomer(speechFrame(k))
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	for i := 0; i < 20; i++ {
		r.Pause(PausePayment)
		r.Resume(PausePayment)
	}
	close(stop)
	wg.Wait()
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "Close is idempotent")
	m, err := env.store.Get("sup1", RoleSupervisor, r.ID())
	require.NoError(t, err)
	require.Len(t, m.Pauses, 20)
}

func TestPseudonymNeverStoresNumber(t *testing.T) {
	env := newEnv(t, nil)
	r := startCall(t, env)
	writeBoth(r, 5, 0, speechFrame)
	id := r.ID()
	require.NoError(t, r.Close())
	m, err := env.store.Get("agent7", RoleAgent, id)
	require.NoError(t, err)
	require.Equal(t, Pseudonym(testPseudonymKey, "+49201809000"), m.CustomerRef)
	require.NotEqual(t, Pseudonym([]byte("another-key-0123456789"), "+49201809000"), m.CustomerRef)
	for name, b := range allFiles(t, env.dir) {
		for _, s := range []string{"201809000", "49201809000", "201 809000"} {
			require.NotContains(t, string(b), s, name)
		}
	}
}

func TestOptOutUnderLegalHoldKeepsRecording(t *testing.T) {
	env := newEnv(t, nil)
	r := startCall(t, env)
	writeBoth(r, 10, 0, speechFrame)
	id := r.ID()
	require.NoError(t, env.store.Hold("admin1", RoleAdmin, id, "investigation"))
	require.ErrorIs(t, r.OptOut("agent7"), ErrLegalHold)
	st, _ := r.State()
	require.Equal(t, NotRecording, st, "recording stops anyway")
	require.NoError(t, r.Close())
	m, err := env.store.Get("sup1", RoleSupervisor, id)
	require.NoError(t, err)
	require.Equal(t, StatusIncomplete, m.Status)
	require.Contains(t, m.Reason, "customer opted out")
}

// TestWriteDoesNotAllocate: the audio path allocates nothing, paused or not.
func TestWriteDoesNotAllocate(t *testing.T) {
	env := newEnv(t, nil)
	r := startCall(t, env)
	frame := speechFrame(0)
	r.WriteAgent(frame) // warm the pool
	require.LessOrEqual(t, testing.AllocsPerRun(200, func() { r.WriteAgent(frame) }), 0.1)
	require.NoError(t, r.Pause(PauseAgent))
	require.Zero(t, testing.AllocsPerRun(200, func() { r.WriteAgent(frame) }))
}

func TestPaymentFollowsConfig(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint("auto=", on), func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.AutoPausePayment = on })
			r := startCall(t, env)
			require.NoError(t, r.Payment(true))
			st, _ := r.State()
			require.Equal(t, on, st == Paused)
			require.NoError(t, r.Payment(false))
			st, _ = r.State()
			require.Equal(t, Recording, st)
		})
	}
}
