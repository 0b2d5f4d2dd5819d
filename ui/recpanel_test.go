package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"softphone/crm"
	"softphone/phone"
	"softphone/recording"
)

// recOf returns the desktop's automatically built recording strip.
func recOf(t *testing.T, d *Desktop) *recPanel {
	t.Helper()
	r, ok := d.opt.recording.(*recPanel)
	if !ok {
		t.Fatalf("recording panel is %T, want the built-in strip", d.opt.recording)
	}
	return r
}

// pillText is the strip as the agent reads it: state — reason.
func pillText(r *recPanel) string {
	if !r.Reason.Visible() {
		return r.Pill.Text.Text
	}
	return r.Pill.Text.Text + " " + r.Reason.Text
}

// Recorder states as the phone reports them.
var (
	stRecording = phone.RecordingStatus{State: phone.Recording}
	stDiskFull  = phone.RecordingStatus{State: phone.NotRecording, Cause: phone.CauseDiskFull}
	stWaiting   = phone.RecordingStatus{State: phone.NotRecording, Cause: phone.CauseAwaitingConsent}
	stNone      = phone.RecordingStatus{}
)

func paused(r ...phone.PauseReason) phone.RecordingStatus {
	s := phone.RecordingStatus{State: phone.RecordingPaused}
	for _, x := range r {
		s.Paused |= phone.PauseReasons(x)
	}
	return s
}

// emitRecorded emits an active call and its recorder state, as the phone does.
func emitRecorded(p interface{ emit(phone.Event) }, id string, st phone.RecordingStatus, at time.Time) phone.CallInfo {
	c := activeCall(id, "AEAD_AES_128_GCM", at)
	p.emit(phone.CallChanged{Call: c})
	if st.State != phone.RecordingNone {
		p.emit(phone.RecordingChanged{CallID: id, RecordingStatus: st})
	}
	return c
}

func TestRecordingPillFollowsEventsOnly(t *testing.T) {
	p := newRecPhone()
	d, clk := newTestDesktop(t, p)
	r := recOf(t, d)
	emitRecorded(p, "c1", stRecording, clk.t)
	if !r.root.Visible() {
		t.Fatal("strip hidden for a recorded call")
	}
	if pillText(r) != "● RECORDING" || r.Pill.Color != theme.ColorNameError {
		t.Fatalf("pill = %q (%s)", pillText(r), r.Pill.Color)
	}
	if r.Pill.Text.TextSize <= theme.TextSize() {
		t.Error("pill text is not larger than body text")
	}

	test.Tap(r.Pause)
	if got := lastRequest(p.fakePhone); got != "RecordPause c1 true" {
		t.Fatalf("request = %q", got)
	}
	if pillText(r) != "● RECORDING" || r.Pause.Text != "Pause" {
		t.Fatalf("optimistic UI: pill %q, button %q before any event", pillText(r), r.Pause.Text)
	}

	p.emit(phone.RecordingChanged{CallID: "c1", RecordingStatus: paused(phone.PauseAgent, phone.PausePayment)})
	if pillText(r) != "❚❚ PAUSED — By the agent, payment in progress" || r.Pill.Color != theme.ColorNameWarning {
		t.Fatalf("pill = %q (%s)", pillText(r), r.Pill.Color)
	}
	if r.Pause.Text != "Resume" {
		t.Errorf("button = %q", r.Pause.Text)
	}
	// An event for another call changes nothing here.
	p.emit(phone.RecordingChanged{CallID: "c9", RecordingStatus: stDiskFull})
	// Another call's CallChanged does not undo the event.
	p.emit(phone.CallChanged{Call: incomingCall("c2", "+4930123456789", clk.t)})
	if pillText(r) != "❚❚ PAUSED — By the agent, payment in progress" {
		t.Fatalf("pill reverted to %q", pillText(r))
	}

	typeShortcut(d, ShortcutRecordPause)
	if got := lastRequest(p.fakePhone); got != "RecordPause c1 false" {
		t.Fatalf("shortcut request = %q", got)
	}
	if pillText(r) == "● RECORDING" {
		t.Fatal("pill resumed before the recorder said so")
	}

	// A new recorder state is real news.
	emitRecorded(p, "c1", stDiskFull, clk.t)
	if pillText(r) != "NOT RECORDING — Disk full" || r.Pill.Color != theme.ColorNameDisabled {
		t.Fatalf("pill = %q (%s)", pillText(r), r.Pill.Color)
	}
	if !r.Pause.Disabled() {
		t.Error("pause offered while not recording")
	}
	n := len(p.requests())
	typeShortcut(d, ShortcutRecordPause)
	if len(p.requests()) != n {
		t.Error("shortcut paused a recorder that is not recording")
	}
}

func TestRecordingStripHiddenWithoutRecorder(t *testing.T) {
	p := newRecPhone()
	d, clk := newTestDesktop(t, p)
	r := recOf(t, d)
	if r.root.Visible() {
		t.Error("strip shown without a call")
	}
	emitRecorded(p, "c1", stNone, clk.t)
	if r.root.Visible() {
		t.Error("strip shown although recording is not configured")
	}
	typeShortcut(d, ShortcutRecordPause)
	if got := lastRequest(p.fakePhone); got != "" {
		t.Errorf("shortcut sent %q", got)
	}
	// Without the interface there is no strip at all.
	plain, _ := newTestDesktop(t, newFakePhone().loggedIn())
	if plain.opt.recording != nil || len(plain.Main.Sidebar.Recording.Objects) != 0 {
		t.Error("strip built for a phone without recording")
	}
}

func TestRecordingPauseTooltipNamesShortcut(t *testing.T) {
	p := newRecPhone()
	d, _ := newTestDesktop(t, p)
	if got, want := recOf(t, d).Pause.Tooltip, "Pause / resume recording ("+shortcutLabel(ShortcutRecordPause)+")"; got != want {
		t.Errorf("tooltip = %q, want %q", got, want)
	}
}

func TestRecordingSupervisorSwitch(t *testing.T) {
	tests := []struct {
		name       string
		supervisor bool
	}{
		{"agent", false},
		{"supervisor", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newRecPhone()
			p.supervisor = tt.supervisor
			d, clk := newTestDesktop(t, p)
			emitRecorded(p, "c1", stRecording, clk.t)
			r := recOf(t, d)
			if got := r.Supervisor != nil; got != tt.supervisor {
				t.Fatalf("switch shown = %v", got)
			}
			if containsText(texts(r.root), "Record this call (supervisor)") != tt.supervisor {
				t.Error("switch text presence wrong")
			}
			if !tt.supervisor {
				return
			}
			if !r.Supervisor.Checked {
				t.Fatal("switch off while recording")
			}
			test.Tap(r.Supervisor)
			if got := lastRequest(p.fakePhone); got != "SetRecording c1 false" {
				t.Fatalf("request = %q", got)
			}
			if !r.Supervisor.Checked {
				t.Error("switch moved before the recorder reported")
			}
			p.emit(phone.RecordingChanged{CallID: "c1", RecordingStatus: phone.RecordingStatus{State: phone.NotRecording, Cause: phone.CauseSupervisorOff}})
			if r.Supervisor.Checked || pillText(r) != "NOT RECORDING — Switched off by supervisor" {
				t.Errorf("after event: checked %v, pill %q", r.Supervisor.Checked, pillText(r))
			}
		})
	}
}

func TestRecordingFlagNeedsReason(t *testing.T) {
	p := newRecPhone()
	d, clk := newTestDesktop(t, p)
	emitRecorded(p, "c1", stRecording, clk.t)
	r := recOf(t, d)
	test.Tap(r.Flag)
	fd := r.FlagDialog
	if fd == nil {
		t.Fatal("no flag dialog")
	}
	if !fd.Confirm.Disabled() {
		t.Fatal("flag enabled without a reason")
	}
	test.Type(fd.Reason, "  ")
	fd.Reason.OnSubmitted(fd.Reason.Text)
	if !fd.Confirm.Disabled() || lastRequest(p.fakePhone) != "" {
		t.Fatalf("blank reason accepted (request %q)", lastRequest(p.fakePhone))
	}
	test.Type(fd.Reason, "customer complaint")
	if fd.Confirm.Disabled() {
		t.Fatal("flag disabled with a reason")
	}
	test.Tap(fd.Confirm)
	if got := lastRequest(p.fakePhone); got != "RecordFlag c1 customer complaint" {
		t.Fatalf("request = %q", got)
	}
	if r.FlagDialog != nil {
		t.Error("dialog still open")
	}
}

func TestRecordingOptOutAsksFirst(t *testing.T) {
	p := newRecPhone()
	d, clk := newTestDesktop(t, p)
	emitRecorded(p, "c1", stRecording, clk.t)
	r := recOf(t, d)
	test.Tap(r.OptOut)
	if got := lastRequest(p.fakePhone); got != "" {
		t.Fatalf("opted out without confirmation: %q", got)
	}
	test.Tap(overlayButton(t, d, "Yes"))
	if got := lastRequest(p.fakePhone); got != "CustomerOptOut c1" {
		t.Fatalf("request = %q", got)
	}
	if pillText(r) != "● RECORDING" {
		t.Errorf("pill = %q before the recorder reported", pillText(r))
	}
}

func TestRecordingConsentAndErrors(t *testing.T) {
	p := newRecPhone()
	d, clk := newTestDesktop(t, p)
	emitRecorded(p, "c1", stWaiting, clk.t)
	r := recOf(t, d)
	if !r.ConsentYes.Visible() || !r.ConsentNo.Visible() {
		t.Fatal("consent buttons hidden while waiting for consent")
	}
	test.Tap(r.ConsentYes)
	if got := lastRequest(p.fakePhone); got != "Consent c1 true" {
		t.Fatalf("request = %q", got)
	}
	p.emit(phone.RecordingChanged{CallID: "c1", RecordingStatus: stRecording})
	if r.ConsentYes.Visible() {
		t.Error("consent buttons still shown while recording")
	}
	p.err = recording.ErrPermission
	test.Tap(r.Pause)
	if !r.Message.Visible() || r.Message.Text != "Your role may not do this." {
		t.Errorf("message = %q", r.Message.Text)
	}
}

func TestRecordingGerman(t *testing.T) {
	p := newRecPhone()
	d, clk := newTestDesktop(t, p, WithLanguage(LangGerman))
	emitRecorded(p, "c1", stRecording, clk.t)
	r := recOf(t, d)
	if pillText(r) != "● AUFZEICHNUNG" || r.Pause.Text != "Pausieren" || r.OptOut.Text != "Kunde widerspricht" {
		t.Errorf("strip = %q / %q / %q", pillText(r), r.Pause.Text, r.OptOut.Text)
	}
	p.emit(phone.RecordingChanged{CallID: "c1", RecordingStatus: paused(phone.PausePayment)})
	if pillText(r) != "❚❚ PAUSIERT — Zahlung läuft" {
		t.Errorf("pill = %q", pillText(r))
	}
	// A language switch rebuilds the strip with the same real state.
	if err := d.SetLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	if pillText(r) != "❚❚ PAUSED — Payment in progress" {
		t.Errorf("after switch: %q", pillText(r))
	}
}

// phone.Agent gets the recording strip automatically.
var _ RecordingPhone = (*phone.Agent)(nil)

// TestPanelsTogether runs both panels on one phone, as with phone.Agent:
// the CRM going down leaves the recording strip and the call working.
// With SOFTPHONE_UI_SHOTS=dir it also renders the sidebar for review.
func TestPanelsTogether(t *testing.T) {
	p := newAgentPhone()
	d, clk := newTestDesktop(t, p)
	d.Window().Resize(fyne.NewSize(windowWidth, windowHeight))
	call := emitRecorded(p, "c1", stRecording, clk.t.Add(-83*time.Second))
	c, r := crmOf(t, d), recOf(t, d)
	if c.Name == nil || !r.root.Visible() {
		t.Fatal("panels not both shown")
	}
	test.Tap(c.Rows["iban"].RevealBtn)
	test.Type(c.Reveal.Reason, "customer verifies the account")
	test.Tap(c.Reveal.Confirm)
	shot(t, d, "sidebar-revealed")

	p.emit(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventState, State: crm.StateUnavailable, Err: crm.ErrUnavailable}})
	if containsText(windowTexts(d), plainIBAN) {
		t.Error("revealed value survives the CRM going down")
	}
	test.Tap(r.Pause)
	if got := lastRequest(p.fakePhone); got != "RecordPause c1 true" {
		t.Errorf("request = %q", got)
	}
	p.emit(phone.RecordingChanged{CallID: "c1", RecordingStatus: paused(phone.PauseAgent)})
	shot(t, d, "sidebar-crm-down-paused")
	endCall(p.fakePhone, call, clk.t)
	if r.root.Visible() {
		t.Error("strip shown after the call")
	}
	if c.Wrap == nil {
		t.Error("no wrap-up: the customer had been found")
	}
	shot(t, d, "sidebar-wrapup")
}

// shot saves the window as PNG when SOFTPHONE_UI_SHOTS names a directory.
func shot(t *testing.T, d *Desktop, name string) {
	t.Helper()
	dir := os.Getenv("SOFTPHONE_UI_SHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, d.Window().Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
