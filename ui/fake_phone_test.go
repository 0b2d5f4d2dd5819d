package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"softphone/config"
	"softphone/crm"
	"softphone/phone"
	"softphone/recording"
)

// fakePhone is a hand-written Phone: it records every request, answers with
// preset errors, and emits events to its watchers on the test goroutine.
type fakePhone struct {
	mu       sync.Mutex
	snap     phone.Snapshot
	watchers map[int]func(phone.Event) bool
	nextW    int
	watching chan struct{} // closed when the first watcher registered
	once     sync.Once
	log      []string // requests in order, e.g. "Dial +49201809000"

	loginErr    error
	enrolment   phone.Enrolment
	enrolErr    error
	completeErr error
	codes       []string
	unlockErr   error
	dialErr     error
	nextCallID  string
}

func newFakePhone() *fakePhone {
	return &fakePhone{watchers: map[int]func(phone.Event) bool{}, watching: make(chan struct{}), nextCallID: "c1"}
}

func (f *fakePhone) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, fmt.Sprintf(format, args...))
}

// requests returns the recorded requests.
func (f *fakePhone) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func (f *fakePhone) Snapshot() phone.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.snap
	s.Calls = append([]phone.CallInfo(nil), f.snap.Calls...)
	return s
}

// Watch behaves like phone.Agent's: it blocks until ctx ends.
func (f *fakePhone) Watch(ctx context.Context, fn func(phone.Event) bool) {
	f.mu.Lock()
	id := f.nextW
	f.nextW++
	f.watchers[id] = fn
	f.mu.Unlock()
	f.once.Do(func() { close(f.watching) })
	<-ctx.Done()
	f.mu.Lock()
	delete(f.watchers, id)
	f.mu.Unlock()
}

func (f *fakePhone) waitWatch(t *testing.T) {
	t.Helper()
	select {
	case <-f.watching:
	case <-time.After(5 * time.Second):
		t.Fatal("desktop never watched the phone")
	}
}

// emit sends ev to every watcher, as the phone would.
func (f *fakePhone) emit(ev phone.Event) {
	f.mu.Lock()
	var fns []func(phone.Event) bool
	for _, fn := range f.watchers {
		fns = append(fns, fn)
	}
	f.mu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

func (f *fakePhone) Login(_ context.Context, profile, password, code string) error {
	f.record("Login %s %s %s", profile, password, code)
	if f.loginErr != nil {
		return f.loginErr
	}
	f.mu.Lock()
	f.snap.Login = phone.Login{Profile: profile, Role: phone.RoleAgent, LoggedIn: true}
	f.mu.Unlock()
	return nil
}

func (f *fakePhone) BeginEnrolment(_ context.Context, profile, password string) (phone.Enrolment, error) {
	f.record("BeginEnrolment %s %s", profile, password)
	return f.enrolment, f.enrolErr
}

func (f *fakePhone) CompleteEnrolment(_ context.Context, profile, password, code string) ([]string, error) {
	f.record("CompleteEnrolment %s %s %s", profile, password, code)
	return f.codes, f.completeErr
}

func (f *fakePhone) Lock() {
	f.record("Lock")
	f.mu.Lock()
	f.snap.Login.Locked = true
	f.mu.Unlock()
}

func (f *fakePhone) Unlock(_ context.Context, password, code string) error {
	f.record("Unlock %s %s", password, code)
	if f.unlockErr == nil {
		f.mu.Lock()
		f.snap.Login.Locked = false
		f.mu.Unlock()
	}
	return f.unlockErr
}

func (f *fakePhone) Logout(context.Context) error {
	f.record("Logout")
	f.mu.Lock()
	f.snap.Login = phone.Login{}
	f.mu.Unlock()
	return nil
}

func (f *fakePhone) Dial(_ context.Context, target string) (string, error) {
	f.record("Dial %s", target)
	return f.nextCallID, f.dialErr
}

func (f *fakePhone) Answer(_ context.Context, id string) error { f.record("Answer %s", id); return nil }
func (f *fakePhone) Decline(id string) error                   { f.record("Decline %s", id); return nil }
func (f *fakePhone) Hangup(id string) error                    { f.record("Hangup %s", id); return nil }
func (f *fakePhone) Hold(_ context.Context, id string, on bool) error {
	f.record("Hold %s %v", id, on)
	return nil
}
func (f *fakePhone) Mute(id string, on bool) error { f.record("Mute %s %v", id, on); return nil }
func (f *fakePhone) SendDTMF(id, digits string) error {
	f.record("SendDTMF %s %s", id, digits)
	return nil
}
func (f *fakePhone) Transfer(_ context.Context, id, target string) error {
	f.record("Transfer %s %s", id, target)
	return nil
}

// loggedIn sets the snapshot of a logged-in, registered agent.
func (f *fakePhone) loggedIn() *fakePhone {
	f.snap.Login = phone.Login{Profile: "alice", Role: phone.RoleAgent, LoggedIn: true}
	f.snap.Registration = phone.Registration{State: phone.RegRegistered, AOR: "sip:1001@pbx.test"}
	return f
}

// demoPhone adds the demo controls.
type demoPhone struct{ *fakePhone }

func (d demoPhone) DemoCall(context.Context) error { d.record("DemoCall"); return nil }
func (d demoPhone) DemoLogin() (profile, password, code string) {
	return "agent", "demo-pw", "123456"
}

// fullPhone adds settings, audio devices and history.
type fullPhone struct {
	*fakePhone
	cfg     config.Config
	saved   []config.Config
	history []phone.CallInfo
}

func (p *fullPhone) Settings() config.Config { return p.cfg }
func (p *fullPhone) SaveSettings(_ context.Context, c config.Config) error {
	p.saved = append(p.saved, c)
	p.cfg = c
	return nil
}
func (p *fullPhone) AudioDevices(kind string) ([]string, error) {
	return []string{kind + " A", kind + " B"}, nil
}
func (p *fullPhone) SetAudioDevice(kind, name string) error {
	p.record("SetAudioDevice %s %s", kind, name)
	return nil
}
func (p *fullPhone) CallHistory(_ context.Context, limit int) ([]phone.CallInfo, error) {
	return p.history, nil
}

// fakeRinger records ring on/off.
type fakeRinger struct{ states []bool }

func (r *fakeRinger) Ring(on bool) { r.states = append(r.states, on) }

// fakePanel is a SidebarPanel that remembers the call it was given.
type fakePanel struct {
	calls []*phone.CallInfo
}

func (p *fakePanel) Object() fyne.CanvasObject { return newPill("CRM", nil, "primary") }
func (p *fakePanel) SetCall(c *phone.CallInfo) {
	p.calls = append(p.calls, c)
}

// testClock is a settable clock.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// newTestDesktop builds a desktop on a headless test app, in English,
// with inline phone requests.
func newTestDesktop(t *testing.T, p Phone, opts ...Option) (*Desktop, *testClock) {
	t.Helper()
	a := test.NewTempApp(t)
	clk := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	all := append([]Option{withSync(), WithClock(clk.now), WithLanguage(LangEnglish)}, opts...)
	d := New(a, p, all...)
	d.Window().Resize(d.Window().Canvas().Size().Max(d.Window().Content().MinSize()))
	t.Cleanup(func() {
		d.Close()
		if err := setLanguage(LangEnglish); err != nil {
			t.Error(err)
		}
	})
	switch f := p.(type) {
	case *fakePhone:
		f.waitWatch(t)
	case demoPhone:
		f.waitWatch(t)
	case *fullPhone:
		f.waitWatch(t)
	case *levelPhone:
		f.waitWatch(t)
	default:
		if w, ok := p.(interface{ waitWatch(*testing.T) }); ok {
			w.waitWatch(t)
		}
	}
	return d, clk
}

// qrPNG is a small valid PNG standing in for a QR code.
func qrPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 21, 21))
	for i := 0; i < 21; i++ {
		img.Set(i, i, color.White)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// levelPhone adds audio levels.
type levelPhone struct {
	*fakePhone
	mic, speaker float64
}

func (p *levelPhone) AudioLevels(string) (float64, float64) { return p.mic, p.speaker }

// crmPhone adds the CRM methods. The plain values live only here; the
// card it hands out is masked, as phone.Agent's is.
type crmPhone struct {
	*fakePhone
	state     crm.State
	card      *crm.Card
	matches   []crm.Card
	err       error
	noCRM     bool              // calls have no CRM lookup (no ContactChanged)
	seen      map[string]bool   // calls whose contact was emitted
	plain     map[string]string // key → plain value, for RevealField
	canReveal bool
	wrapErr   error
}

func newCRMPhone(state crm.State, card *crm.Card) *crmPhone {
	return &crmPhone{fakePhone: newFakePhone().loggedIn(), state: state, card: card, canReveal: true,
		plain: map[string]string{}}
}

// emit sends ev to the watchers; like phone.Agent, a new call's contact
// state goes out before the call itself (unless the call has no CRM).
func (p *crmPhone) emit(ev phone.Event) {
	if c, ok := ev.(phone.CallChanged); ok && c.Call.State != phone.CallEnded {
		p.mu.Lock()
		if p.seen == nil {
			p.seen = map[string]bool{}
		}
		first := !p.seen[c.Call.ID] && !p.noCRM
		p.seen[c.Call.ID] = true
		st := crm.Event{Kind: crm.EventState, State: p.state, Card: p.card, Matches: p.matches, Err: p.err}
		p.mu.Unlock()
		if first {
			p.fakePhone.emit(phone.ContactChanged{CallID: c.Call.ID, Event: st})
		}
	}
	p.fakePhone.emit(ev)
}

func (p *crmPhone) SelectContact(callID, customerID string) error {
	p.record("SelectContact %s %s", callID, customerID)
	return nil
}

func (p *crmPhone) RevealField(callID, key, reason string) (string, error) {
	p.record("RevealField %s %s %s", callID, key, reason)
	if !p.canReveal {
		return "", crm.ErrNotPermitted
	}
	if strings.TrimSpace(reason) == "" {
		return "", crm.ErrReasonRequired
	}
	v, ok := p.plain[key]
	if !ok {
		return "", crm.ErrNotRevealable
	}
	return v, nil
}

func (p *crmPhone) CopyField(callID, key string) (string, error) {
	p.record("CopyField %s %s", callID, key)
	f, ok := p.card.Field(key)
	if !ok {
		return "", crm.ErrNotRevealable
	}
	return f.Value, nil
}

func (p *crmPhone) WrapUp(_ context.Context, callID, code, notes string) error {
	p.record("WrapUp %s %s %s", callID, code, notes)
	return p.wrapErr
}

func (p *crmPhone) CanReveal() bool { return p.canReveal }

// recControls are the recording controls of a fake phone. They only
// record requests: like the real recorder, state changes arrive as events
// the test emits.
type recControls struct {
	f          *fakePhone
	supervisor bool
	err        error
}

// recPhone is a fake phone with recording controls.
type recPhone struct {
	*fakePhone
	*recControls
}

func newRecPhone() *recPhone {
	f := newFakePhone().loggedIn()
	return &recPhone{fakePhone: f, recControls: &recControls{f: f}}
}

// agentPhone has both the CRM and the recording controls, as phone.Agent.
type agentPhone struct {
	*crmPhone
	*recControls
}

func newAgentPhone() *agentPhone {
	c := newFoundPhone()
	return &agentPhone{crmPhone: c, recControls: &recControls{f: c.fakePhone}}
}

func (p *recControls) RecordPause(id string, on bool) error {
	p.f.record("RecordPause %s %v", id, on)
	return p.err
}

func (p *recControls) RecordFlag(id, reason string) error {
	p.f.record("RecordFlag %s %s", id, reason)
	if strings.TrimSpace(reason) == "" {
		return recording.ErrReasonRequired
	}
	return p.err
}

func (p *recControls) CustomerOptOut(id string) error {
	p.f.record("CustomerOptOut %s", id)
	return p.err
}

func (p *recControls) Consent(id string, granted bool) error {
	p.f.record("Consent %s %v", id, granted)
	return p.err
}

func (p *recControls) SetRecording(id string, on bool) error {
	p.f.record("SetRecording %s %v", id, on)
	if !p.supervisor {
		return recording.ErrPermission
	}
	return p.err
}

func (p *recControls) CanControlRecording() bool { return p.supervisor }
