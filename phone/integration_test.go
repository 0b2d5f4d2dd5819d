package phone

import (
	"context"
	"crypto/x509"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"softphone/audio"
	"softphone/audio/device"
	"softphone/audio/tone"
	"softphone/internal/pki"
	"softphone/internal/testpeer"
)

// pcmSink collects what the far end sends.
type pcmSink struct {
	mu  sync.Mutex
	pcm []int16
}

func (s *pcmSink) Write(frame []int16) error {
	s.mu.Lock()
	s.pcm = append(s.pcm, frame...)
	s.mu.Unlock()
	return nil
}

// last returns the most recent n samples.
func (s *pcmSink) last(n int) []int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pcm) < n {
		n = len(s.pcm)
	}
	return append([]int16(nil), s.pcm[len(s.pcm)-n:]...)
}

// toneEndpoints sends a sine tone and records into a pcmSink.
type toneEndpoints struct {
	hz   float64
	sink *pcmSink
}

func (e *toneEndpoints) Open(CallInfo) (audio.Source, audio.Sink, io.Closer, error) {
	return tone.NewSine(e.hz, 8000, 8000), e.sink, io.NopCloser(nil), nil
}

// eventLog records every event of an agent for assertions.
type eventLog struct {
	mu     sync.Mutex
	events []Event
	wake   chan struct{}
}

func watchAgent(t *testing.T, a *Agent) *eventLog {
	l := &eventLog{wake: make(chan struct{}, 1)}
	t.Cleanup(func() { l.checkTransitions(t) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Watch(ctx, func(e Event) bool {
			l.mu.Lock()
			l.events = append(l.events, e)
			l.mu.Unlock()
			select {
			case l.wake <- struct{}{}:
			default:
			}
			return true
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return l
}

// checkTransitions fails t if any call's CallChanged events broke the
// state machine (phone.CallState.CanBecome), e.g. went back from Ended.
func (l *eventLog) checkTransitions(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	last := map[string]CallState{}
	for _, e := range l.events {
		c, ok := e.(CallChanged)
		if !ok {
			continue
		}
		if prev, seen := last[c.Call.ID]; seen && !prev.CanBecome(c.Call.State) {
			t.Errorf("call %s: %v → %v is not a valid transition", c.Call.ID, prev, c.Call.State)
		}
		last[c.Call.ID] = c.Call.State
	}
}

// waitFor waits until match returns true for some event (old or new).
func (l *eventLog) waitFor(t *testing.T, what string, timeout time.Duration, match func(Event) bool) Event {
	t.Helper()
	return l.waitAfter(0, t, what, timeout, match)
}

// mark is the number of events so far, for waitAfter.
func (l *eventLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

// waitAfter is waitFor that ignores the first seen events.
func (l *eventLog) waitAfter(seen int, t *testing.T, what string, timeout time.Duration, match func(Event) bool) Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		l.mu.Lock()
		evs := l.events[seen:]
		seen = len(l.events)
		l.mu.Unlock()
		for _, e := range evs {
			if match(e) {
				return e
			}
		}
		select {
		case <-l.wake:
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

func callState(id string, st CallState) func(Event) bool {
	return func(e Event) bool {
		c, ok := e.(CallChanged)
		return ok && (id == "" || c.Call.ID == id) && c.Call.State == st
	}
}

// envRoots is the certificate pool of the PEM file the environment variable name points
// at: how a child process (testpeer.StartChild) learns the parent's Kamailio CA.
func envRoots(t *testing.T, name string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(os.Getenv(name))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	return roots
}

type rig struct {
	k       *testpeer.Kamailio
	agent   *Agent
	events  *eventLog
	sink    *pcmSink
	baresip *testpeer.Baresip
}

// newRig starts Kamailio, baresip (user 2000) and registers an agent (1000)
// that sends a 1000 Hz tone.
func newRig(t *testing.T, bopts testpeer.BaresipOptions, mutate func(*Config)) *rig {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw", "2000": "farpw"})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", bopts)
	r := &rig{k: k, baresip: b, sink: &pcmSink{}}
	r.agent = newAgent(t, k, "1000", mutate, &toneEndpoints{hz: 1000, sink: r.sink})
	r.events = watchAgent(t, r.agent)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.agent.Register(ctx, "agentpw"); err != nil {
		t.Fatalf("register: %v", err)
	}
	return r
}

func newAgent(t *testing.T, k *testpeer.Kamailio, user string, mutate func(*Config), eps Endpoints) *Agent {
	t.Helper()
	s := testSettings()
	s.Account.Server = k.Addr
	s.Account.User = user
	s.Account.Domain = k.Domain
	s.Account.Expires = 60 * time.Second
	s.Media.LocalIP = "127.0.0.1"
	cfg := Config{Settings: s, RootCAs: k.CAPool, Endpoints: eps}
	if mutate != nil {
		mutate(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// checkLeaks verifies, after every other cleanup of t has run (agent
// closed, peers stopped), that no goroutine started by the test is left.
func checkLeaks(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		if !t.Failed() {
			goleak.VerifyNone(t, opt)
		}
	})
}

// farEndHeard returns what baresip decoded in its last call, at 8 kHz.
func farEndHeard(t *testing.T, b *testpeer.Baresip) []int16 {
	t.Helper()
	var files []string
	deadline := time.Now().Add(5 * time.Second)
	for len(files) == 0 && time.Now().Before(deadline) {
		files, _ = filepath.Glob(filepath.Join(b.Dir, "*dec*.wav"))
		time.Sleep(100 * time.Millisecond)
	}
	if len(files) == 0 {
		all, _ := filepath.Glob(filepath.Join(b.Dir, "*"))
		t.Fatalf("baresip wrote no decoded stream; files: %v", all)
	}
	f, err := os.Open(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pcm, _, err := device.DecodeWAV(f)
	if err != nil {
		t.Fatalf("decode %s: %v", files[0], err)
	}
	if len(pcm) < 8000 {
		t.Fatalf("baresip decoded only %d samples", len(pcm))
	}
	return pcm
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestCallBaresipReceivesToneDTMFHoldAndHangup(t *testing.T) {
	checkLeaks(t)
	r := newRig(t, testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440}, nil)

	snap := r.agent.Snapshot()
	if snap.Registration.State != RegRegistered {
		t.Fatalf("registration = %v, want registered", snap.Registration.State)
	}
	id, err := r.agent.Dial(context.Background(), "2000")
	if err != nil {
		t.Fatal(err)
	}
	ev := r.events.waitFor(t, "call active", 15*time.Second, callState(id, CallActive)).(CallChanged)
	if ev.Call.SRTP == "" {
		t.Fatalf("call is not encrypted: %+v", ev.Call)
	}
	if ev.Call.Codec != "PCMA" && ev.Call.Codec != "PCMU" {
		t.Fatalf("codec = %q", ev.Call.Codec)
	}
	r.baresip.WaitLog(t, `SRTP is Enabled`, 10*time.Second)

	// baresip's ausine tone arrives decrypted and decoded.
	time.Sleep(2 * time.Second)
	got := tone.DominantFrequency(r.sink.last(8000), 8000)
	if !near(got, 440, 15) {
		t.Fatalf("received tone at %.0f Hz, want 440 Hz", got)
	}

	// DTMF from us to baresip (RFC 4733).
	if err := r.agent.SendDTMF(id, "159#"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.baresip.ReceivedDTMF(), "159#") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if d := r.baresip.ReceivedDTMF(); !strings.Contains(d, "159#") {
		t.Fatalf("baresip received DTMF %q, want 159#", d)
	}
	// DTMF from baresip to us.
	r.baresip.SendDTMF(t, "7")
	r.events.waitFor(t, "DTMF 7 from baresip", 10*time.Second, func(e Event) bool {
		d, ok := e.(DTMFReceived)
		return ok && d.CallID == id && d.Digit == '7'
	})

	// Hold: re-INVITE sendonly; the far end stops sending to us.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.agent.Hold(ctx, id, true); err != nil {
		t.Fatalf("hold: %v", err)
	}
	r.events.waitFor(t, "held", 5*time.Second, callState(id, CallHeld))
	if err := r.agent.Hold(ctx, id, false); err != nil {
		t.Fatalf("resume: %v", err)
	}
	r.events.waitFor(t, "resumed", 5*time.Second, func(e Event) bool {
		c, ok := e.(CallChanged)
		return ok && c.Call.ID == id && c.Call.State == CallActive && !c.Call.LocalHold
	})
	time.Sleep(time.Second)
	if got := tone.DominantFrequency(r.sink.last(4000), 8000); !near(got, 440, 15) {
		t.Fatalf("after resume received %.0f Hz, want 440", got)
	}

	// Our hangup reaches baresip.
	if err := r.agent.Hangup(id); err != nil {
		t.Fatal(err)
	}
	end := r.events.waitFor(t, "ended", 10*time.Second, callState(id, CallEnded)).(CallChanged)
	if end.Call.EndReason != errLocalHangup.Error() {
		t.Fatalf("end reason %q", end.Call.EndReason)
	}
	r.baresip.WaitEvent(t, "CALL_CLOSED", 10*time.Second)
}

func TestBaresipCallsUsAndHangsUp(t *testing.T) {
	checkLeaks(t)
	r := newRig(t, testpeer.BaresipOptions{ToneHz: 660}, nil)

	r.baresip.Dial(t, "sip:1000@"+r.k.Domain)
	in := r.events.waitFor(t, "incoming call", 15*time.Second, callState("", CallIncoming)).(CallChanged)
	if in.Call.Direction != Incoming || in.Call.Number != "2000" {
		t.Fatalf("incoming call = %+v", in.Call)
	}
	if err := r.agent.Answer(context.Background(), in.Call.ID); err != nil {
		t.Fatal(err)
	}
	act := r.events.waitFor(t, "active", 10*time.Second, callState(in.Call.ID, CallActive)).(CallChanged)
	if !act.Call.Encrypted() {
		t.Fatal("incoming call not encrypted")
	}
	time.Sleep(2 * time.Second)
	if got := tone.DominantFrequency(r.sink.last(8000), 8000); !near(got, 660, 15) {
		t.Fatalf("received %.0f Hz, want 660", got)
	}
	r.baresip.Hangup(t)
	end := r.events.waitFor(t, "ended by far end", 10*time.Second, callState(in.Call.ID, CallEnded)).(CallChanged)
	if !strings.Contains(strings.ToLower(end.Call.EndReason), "remote") {
		t.Fatalf("end reason %q, want a remote hangup", end.Call.EndReason)
	}
	// Our 1000 Hz tone reached baresip: its sndfile module wrote what it
	// decoded from our SRTP stream.
	pcm := farEndHeard(t, r.baresip)
	if got := tone.DominantFrequency(pcm[len(pcm)/2:], 8000); !near(got, 1000, 15) {
		t.Fatalf("baresip heard %.0f Hz, want our 1000 Hz", got)
	}
}

func TestPlainRTPPeerIsRefused(t *testing.T) {
	checkLeaks(t)
	r := newRig(t, testpeer.BaresipOptions{PlainRTP: true}, nil)
	r.baresip.Dial(t, "sip:1000@"+r.k.Domain)
	// The offer has no crypto: we answer 488 without ringing the agent.
	ended := r.events.waitFor(t, "refused call", 15*time.Second, callState("", CallEnded)).(CallChanged)
	if !strings.Contains(ended.Call.EndReason, "refused") {
		t.Fatalf("end reason %q", ended.Call.EndReason)
	}
	r.baresip.WaitLog(t, `488`, 10*time.Second)
}

func TestUnknownCAIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw"})
	other, err := pki.NewCA("someone else")
	if err != nil {
		t.Fatal(err)
	}
	a := newAgent(t, k, "1000", func(c *Config) { c.RootCAs = other.Pool() }, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = a.Register(ctx, "agentpw")
	if err == nil {
		t.Fatal("registered with a server certificate from an unknown CA")
	}
	if !strings.Contains(err.Error(), "not trusted") {
		t.Fatalf("error %q does not say the certificate is not trusted", err)
	}
	if s := a.Snapshot().Registration; s.State != RegFailed || !strings.Contains(s.Reason, "not trusted") {
		t.Fatalf("registration = %+v", s)
	}
}

func TestWrongPasswordIsReported(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw"})
	a := newAgent(t, k, "1000", nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.Register(ctx, "wrong")
	if err == nil {
		t.Fatal("registered with a wrong password")
	}
	if !strings.Contains(strings.ToLower(err.Error()), "password") {
		t.Fatalf("error %q does not mention the password", err)
	}
}
