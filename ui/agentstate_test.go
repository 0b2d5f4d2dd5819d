package ui

import (
	"testing"
	"time"

	"softphone/phone"
)

// fakeAgentPhone is a fakePhone with agent states: it applies a request
// and emits the change, like phone.Agent.
type fakeAgentPhone struct {
	*fakePhone
	clk    func() time.Time
	status phone.AgentStatus
}

var _ AgentStatePhone = (*phone.Agent)(nil)

func (f *fakeAgentPhone) NotReadyReasons() []string { return []string{"break", "training"} }

func (f *fakeAgentPhone) SetAgentState(st phone.AgentState, reason string) error {
	f.record("SetAgentState %v %s", st, reason)
	if f.status.State == phone.AgentAfterCall && f.status.WrapUpRequired && f.status.WrapUp == "" && st == phone.AgentAvailable {
		return phone.ErrWrapUpRequired
	}
	s := phone.AgentStatus{State: st, Reason: reason, Since: f.clk()}
	if st == phone.AgentAfterCall {
		s.ACWEnds = f.clk().Add(30 * time.Second)
	}
	f.set(s)
	return nil
}

func (f *fakeAgentPhone) ExtendACW() error {
	f.record("ExtendACW")
	s := f.status
	s.Extended, s.ACWEnds = true, s.ACWEnds.Add(30*time.Second)
	f.set(s)
	return nil
}

func (f *fakeAgentPhone) SetWrapUp(code string) error {
	f.record("SetWrapUp %s", code)
	s := f.status
	s.WrapUp = code
	f.set(s)
	return nil
}

func (f *fakeAgentPhone) set(s phone.AgentStatus) {
	f.status = s
	f.emit(phone.AgentStateChanged{Status: s})
}

func TestAgentStateBar(t *testing.T) {
	fp := &fakeAgentPhone{fakePhone: newFakePhone().loggedIn()}
	var clk *testClock
	fp.clk = func() time.Time { return clk.t }
	d, c := newTestDesktop(t, fp)
	clk = c
	b := d.Main.AgentState
	if b == nil {
		t.Fatal("no agent state bar for a phone with agent states")
	}
	fp.set(phone.AgentStatus{State: phone.AgentAvailable, Since: clk.t})
	clk.t = clk.t.Add(65 * time.Second)
	d.tick()
	if b.Pill.Text.Text != "Available" || b.Time.Text != "1:05" {
		t.Fatalf("available: pill %q time %q", b.Pill.Text.Text, b.Time.Text)
	}
	if b.End.Visible() || b.Extend.Visible() || b.WrapUp.Visible() {
		t.Fatal("ACW controls shown while available")
	}

	b.Choose.SetSelected("Not ready: Break")
	if b.Pill.Text.Text != "Not ready: Break" || b.Time.Text != "0:00" {
		t.Fatalf("not ready: pill %q time %q", b.Pill.Text.Text, b.Time.Text)
	}
	d.shortcut(ShortcutAgentState) // back to available
	if fp.status.State != phone.AgentAvailable {
		t.Fatalf("shortcut left state %v", fp.status.State)
	}

	// ACW with a required wrap-up code: countdown, extend once, the code.
	fp.set(phone.AgentStatus{State: phone.AgentAfterCall, Since: clk.t, ACWEnds: clk.t.Add(30 * time.Second), WrapUpRequired: true})
	clk.t = clk.t.Add(10 * time.Second)
	d.tick()
	if b.Pill.Text.Text != "After-call work" || b.Time.Text != "0:20 left" {
		t.Fatalf("acw: pill %q time %q", b.Pill.Text.Text, b.Time.Text)
	}
	if !b.End.Visible() || !b.Extend.Visible() || !b.WrapUp.Visible() {
		t.Fatal("ACW controls hidden")
	}
	d.shortcut(ShortcutAgentState)
	if b.Error.Text != "Enter a wrap-up code first" || fp.status.State != phone.AgentAfterCall {
		t.Fatalf("ended ACW without the code: %q %v", b.Error.Text, fp.status.State)
	}
	b.Extend.OnTapped()
	if b.Extend.Visible() || b.Time.Text != "0:50 left" {
		t.Fatalf("after extend: visible %v, time %q", b.Extend.Visible(), b.Time.Text)
	}
	b.WrapUp.SetText("sale")
	b.End.OnTapped()
	if fp.status.State != phone.AgentAvailable || fp.status.WrapUp != "" {
		t.Fatalf("after end: %+v", fp.status)
	}
	if got := fp.requests(); got[len(got)-2] != "SetWrapUp sale" {
		t.Fatalf("requests %v", got)
	}

	if err := d.SetLanguage(LangGerman); err != nil {
		t.Fatal(err)
	}
	b = d.Main.AgentState
	fp.set(phone.AgentStatus{State: phone.AgentNotReady, Reason: "break", Since: clk.t})
	if b.Pill.Text.Text != "Nicht bereit: Pause" {
		t.Fatalf("German pill %q", b.Pill.Text.Text)
	}
}
