package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// fakeSupervisorPhone is a fakePhone that sends supervisor commands.
type fakeSupervisorPhone struct {
	*fakePhone
	err error
}

var _ SupervisorPhone = (*phone.Agent)(nil)

func (f *fakeSupervisorPhone) SuperviseRecording(_ context.Context, agent string, on bool) error {
	f.record("SuperviseRecording %s %v", agent, on)
	return f.err
}

// superviseButtons returns the recording buttons of user's row, if any.
func superviseButtons(t *testing.T, v *ColleaguesView, user string) (off, on *widget.Button) {
	t.Helper()
	for _, o := range v.Rows.Objects {
		row, ok := o.(*fyne.Container)
		if !ok || len(row.Objects) != 2 {
			continue
		}
		line, ok := row.Objects[0].(*fyne.Container)
		acts, ok2 := row.Objects[1].(*fyne.Container)
		if !ok || !ok2 || len(line.Objects) != 2 || line.Objects[1].(*widget.Label).Text != colleagueText(v.States[user]) {
			continue
		}
		return acts.Objects[0].(*widget.Button), acts.Objects[1].(*widget.Button)
	}
	return nil, nil
}

// A supervisor switches recording of a colleague's live call from the
// BLF list, by mouse or keyboard, in English and German, and sees the
// outcome; an agent, or a colleague not in a call, gets no such action.
func TestSupervisorSwitchesRecordingFromColleagueList(t *testing.T) {
	colleagues := func(p *fakePhone) {
		p.emit(phone.ColleagueChanged{Colleague: phone.Colleague{User: "2000", Open: false, Note: "available", Dialog: phone.DialogInCall}})
		p.emit(phone.ColleagueChanged{Colleague: phone.Colleague{User: "2001", Open: true, Dialog: phone.DialogIdle}})
	}
	t.Run("agent: no recording actions", func(t *testing.T) {
		fp := &fakeSupervisorPhone{fakePhone: newFakePhone().loggedIn()}
		d, _ := newTestDesktop(t, fp)
		colleagues(fp.fakePhone)
		if off, _ := superviseButtons(t, d.Main.Colleagues, "2000"); off != nil {
			t.Fatal("an agent was offered supervisor actions")
		}
	})

	fp := &fakeSupervisorPhone{fakePhone: newFakePhone().loggedIn()}
	fp.snap.Login.Role = phone.RoleSupervisor
	d, _ := newTestDesktop(t, fp)
	colleagues(fp.fakePhone)
	v := d.Main.Colleagues
	if off, _ := superviseButtons(t, v, "2001"); off != nil {
		t.Fatal("actions offered for a colleague not in a call")
	}
	off, on := superviseButtons(t, v, "2000")
	if off == nil || off.Text != "Recording off" || on.Text != "Recording on" {
		t.Fatalf("supervisor actions missing for a colleague in a call: %v %v", off, on)
	}
	test.Tap(off)
	if got := fp.requests(); got[len(got)-1] != "SuperviseRecording 2000 false" {
		t.Fatalf("requests %v", got)
	}
	if !v.Message.Visible() || v.Message.Text != "Recording switched off for 2000" {
		t.Fatalf("outcome %q visible %v", v.Message.Text, v.Message.Visible())
	}

	// Keyboard: Tab reaches the button, Space presses it.
	c := d.Window().Canvas()
	for i := 0; i < 100 && c.Focused() != fyne.Focusable(on); i++ {
		c.FocusNext()
	}
	if c.Focused() != fyne.Focusable(on) {
		t.Fatal("Tab never reaches Recording on")
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if got := fp.requests(); got[len(got)-1] != "SuperviseRecording 2000 true" {
		t.Fatalf("requests %v", got)
	}
	if v.Message.Text != "Recording switched on for 2000" {
		t.Fatalf("outcome %q", v.Message.Text)
	}

	// A refusal (the agent's phone did not accept the command) is shown.
	fp.err = errors.New("supervisor command refused")
	test.Tap(off)
	if v.Message.Importance != widget.DangerImportance || v.Message.Text == "Recording switched off for 2000" {
		t.Fatalf("failure shown as %q (%v)", v.Message.Text, v.Message.Importance)
	}

	// German.
	if err := d.SetLanguage(LangGerman); err != nil {
		t.Fatal(err)
	}
	v = d.Main.Colleagues
	v.apply(v.States["2000"])
	off, on = superviseButtons(t, v, "2000")
	if off == nil || off.Text != "Aufzeichnung aus" || on.Text != "Aufzeichnung an" {
		t.Fatalf("German actions %v %v", off, on)
	}
	fp.err = nil
	test.Tap(off)
	if v.Message.Text != "Aufzeichnung für 2000 ausgeschaltet" {
		t.Fatalf("German outcome %q", v.Message.Text)
	}
}
