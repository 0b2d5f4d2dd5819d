package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/config"
	"softphone/internal/pki"
	"softphone/phone"
)

const cfgIdle = 5 * time.Minute

func activeCall(id, srtp string, at time.Time) phone.CallInfo {
	return phone.CallInfo{
		ID: id, Direction: phone.Outgoing, State: phone.CallActive,
		Remote: "sip:+49201809000@pbx.test", Number: "+49201809000",
		SRTP: srtp, Codec: "PCMA", Created: at.Add(-5 * time.Second), Answered: at,
	}
}

func incomingCall(id, number string, at time.Time) phone.CallInfo {
	return phone.CallInfo{
		ID: id, Direction: phone.Incoming, State: phone.CallIncoming,
		Remote: "sip:" + number + "@pbx.test", Number: number, Created: at,
	}
}

// typeShortcut presses a shortcut as Fyne's desktop driver delivers it:
// to the focused widget when that takes shortcuts (an Entry does), which
// then keeps it, and to the window's canvas only otherwise.
func typeShortcut(d *Desktop, s fyne.Shortcut) {
	c := d.Window().Canvas()
	if f, ok := c.Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	c.(fyne.Shortcutable).TypedShortcut(s)
}

func lastRequest(p *fakePhone) string {
	r := p.requests()
	if len(r) == 0 {
		return ""
	}
	return r[len(r)-1]
}

func TestDialCleansNumbers(t *testing.T) {
	tests := []struct {
		name  string
		input func(v *DialerView)
		want  string
	}{
		{"pasted with separators", func(v *DialerView) {
			v.Number.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip("+49 (201) 809-000")})
		}, "Dial +49201809000"},
		{"pasted national with slash", func(v *DialerView) {
			v.Number.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip(" 0201 / 80 90 00\n")})
		}, "Dial 0201809000"},
		{"typed with trunk zero", func(v *DialerView) { test.Type(v.Number, "+49 (0)201 809000") }, "Dial +49201809000"},
		{"keypad", func(v *DialerView) {
			for _, k := range []int{0, 0, 1} { // 1 1 2
				test.Tap(v.Keys[k])
			}
			test.Tap(v.Keys[1])
		}, "Dial 1122"},
		{"extension name", func(v *DialerView) { test.Type(v.Number, "echo") }, "Dial echo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFakePhone().loggedIn()
			d, _ := newTestDesktop(t, p)
			v := d.Main.Dialer
			tt.input(v)
			test.Tap(v.Call)
			if got := lastRequest(p); got != tt.want {
				t.Fatalf("request = %q, want %q", got, tt.want)
			}
			if v.Number.Text != "" {
				t.Errorf("number field = %q after dialling", v.Number.Text)
			}
		})
	}
}

func TestDialRejectsGarbage(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, _ := newTestDesktop(t, p)
	v := d.Main.Dialer
	test.Type(v.Number, "call me maybe")
	v.Number.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(p.requests()) != 0 {
		t.Fatalf("dialled garbage: %q", p.requests())
	}
	if !v.Message.Visible() || v.Message.Text != "This is not a phone number." {
		t.Errorf("message = %q", v.Message.Text)
	}
}

func TestIncomingCallRingsAndAnswers(t *testing.T) {
	p := newFakePhone().loggedIn()
	r := &fakeRinger{}
	d, clk := newTestDesktop(t, p, WithRinger(r))
	test.AssertNotificationSent(t, fyne.NewNotification("Incoming call", "+49 301 ••• •• 89"), func() {
		p.emit(phone.CallChanged{Call: incomingCall("in1", "+4930123456789", clk.t)})
	})

	panel := d.Main.Calls.Panels["in1"]
	if panel == nil {
		t.Fatal("no panel for the incoming call")
	}
	for name, o := range map[string]fyne.CanvasObject{"answer": panel.Answer, "decline": panel.Decline, "ringing": panel.Ringing} {
		if !o.Visible() {
			t.Errorf("%s hidden", name)
		}
	}
	if panel.Hangup.Visible() || panel.Hold.Visible() {
		t.Error("in-call controls shown before answering")
	}
	if panel.State.Text != "Incoming call" {
		t.Errorf("header = %q", panel.State.Text)
	}
	if panel.Number.Text != "+49 301 ••• •• 89" {
		t.Errorf("number = %q, want masked", panel.Number.Text)
	}
	if d.Main.Calls.Idle.Visible() {
		t.Error("idle placeholder still shown")
	}
	if len(r.states) != 1 || !r.states[0] {
		t.Fatalf("ringer = %v, want [true]", r.states)
	}

	test.Tap(panel.Answer)
	if got := lastRequest(p); got != "Answer in1" {
		t.Fatalf("request = %q", got)
	}
	c := incomingCall("in1", "+4930123456789", clk.t)
	c.State, c.Answered, c.SRTP = phone.CallActive, clk.t, "AES_CM_128_HMAC_SHA1_80"
	p.emit(phone.CallChanged{Call: c})
	if panel.Answer.Visible() || panel.Ringing.Visible() || !panel.Hangup.Visible() {
		t.Error("controls did not switch to an active call")
	}
	if !panel.Secure.Visible() || panel.Insecure.Visible() {
		t.Error("encrypted call not shown as encrypted")
	}
	if panel.Media.Text != "AES_CM_128_HMAC_SHA1_80" {
		t.Errorf("media = %q", panel.Media.Text)
	}
	if panel.Secure.Color != theme.ColorNameSuccess {
		t.Errorf("lock badge colour = %q", panel.Secure.Color)
	}
	if len(r.states) != 2 || r.states[1] {
		t.Errorf("ringer = %v, want [true false]", r.states)
	}
	clk.t = clk.t.Add(83 * time.Second)
	d.tick()
	if panel.Timer.Text != "01:23" {
		t.Errorf("timer = %q", panel.Timer.Text)
	}
	if d.Main.Sidebar.Number.Text != "+49 301 ••• •• 89" || d.Main.Sidebar.Direction.Text != "Incoming call" {
		t.Errorf("sidebar = %q / %q", d.Main.Sidebar.Number.Text, d.Main.Sidebar.Direction.Text)
	}
}

func TestUnencryptedCallShowsWarning(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
	panel := d.Main.Calls.Panels["c1"]
	if !panel.Insecure.Visible() || panel.Secure.Visible() {
		t.Fatal("no warning on an unencrypted call")
	}
	if !strings.Contains(panel.InsecureText.Text, "NOT ENCRYPTED") {
		t.Errorf("banner = %q", panel.InsecureText.Text)
	}

	// Before media is negotiated nothing is claimed either way.
	dialing := activeCall("c2", "", clk.t)
	dialing.State, dialing.Answered = phone.CallDialing, time.Time{}
	p.emit(phone.CallChanged{Call: dialing})
	if p2 := d.Main.Calls.Panels["c2"]; p2.Insecure.Visible() || p2.Secure.Visible() {
		t.Error("encryption state shown before answer")
	}
}

func TestSecondIncomingWhileActive(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})
	p.emit(phone.CallChanged{Call: incomingCall("c2", "+4940111222333", clk.t)})

	calls := d.Main.Calls
	if len(calls.Panels) != 2 || len(calls.list.Objects) != 2 {
		t.Fatalf("panels = %d, rows = %d, want 2", len(calls.Panels), len(calls.list.Objects))
	}
	first, second := calls.Panels["c1"], calls.Panels["c2"]
	if calls.list.Objects[0] != first.Root || calls.list.Objects[1] != second.Root {
		t.Error("calls not in arrival order")
	}
	if !first.Hangup.Visible() || first.State.Text != "Connected" {
		t.Error("first call disturbed by the second")
	}
	if !second.Answer.Visible() || !second.Decline.Visible() {
		t.Error("second call cannot be answered")
	}
	if !first.focusBar.Visible() || second.focusBar.Visible() {
		t.Error("focus marker on the wrong call")
	}

	// Hang-up acts on the call in progress, answer on the waiting one.
	typeShortcut(d, ShortcutHangup)
	if got := lastRequest(p); got != "Hangup c1" {
		t.Errorf("hangup shortcut sent %q", got)
	}
	typeShortcut(d, ShortcutAnswer)
	if got := lastRequest(p); got != "Answer c2" {
		t.Errorf("answer shortcut sent %q", got)
	}
	test.Tap(second.Decline)
	if got := lastRequest(p); got != "Decline c2" {
		t.Errorf("decline sent %q", got)
	}

	// The first call ends: only the second remains.
	end := activeCall("c1", "AEAD_AES_128_GCM", clk.t)
	end.State, end.Ended, end.EndReason = phone.CallEnded, clk.t.Add(time.Minute), "remote hangup"
	p.emit(phone.CallChanged{Call: end})
	if len(calls.Panels) != 1 || calls.Panels["c2"] == nil {
		t.Fatalf("panels after end = %v", calls.Panels)
	}
	if !calls.Ended.Visible() || !strings.Contains(calls.Ended.Text, "remote hangup") {
		t.Errorf("ended line = %q", calls.Ended.Text)
	}
}

func TestShortcutsTriggerCallControls(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})

	tests := []struct {
		name string
		sc   *desktop.CustomShortcut
		want string
	}{
		{"mute", ShortcutMute, "Mute c1 true"},
		{"hold", ShortcutHold, "Hold c1 true"},
		{"hang up", ShortcutHangup, "Hangup c1"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" on canvas", func(t *testing.T) {
			typeShortcut(d, tt.sc)
			if got := lastRequest(p); got != tt.want {
				t.Errorf("sent %q, want %q", got, tt.want)
			}
		})
		t.Run(tt.name+" while typing a number", func(t *testing.T) {
			// A focused entry swallows shortcuts in Fyne; ours must pass.
			d.Window().Canvas().Focus(d.Main.Dialer.Number)
			d.Main.Dialer.Number.TypedShortcut(tt.sc)
			if got := lastRequest(p); got != tt.want {
				t.Errorf("sent %q, want %q", got, tt.want)
			}
		})
	}

	// Mute and hold toggle from the call's state.
	c := activeCall("c1", "AEAD_AES_128_GCM", clk.t)
	c.Muted, c.LocalHold, c.State = true, true, phone.CallHeld
	p.emit(phone.CallChanged{Call: c})
	panel := d.Main.Calls.Panels["c1"]
	if panel.Mute.Text != "Unmute" || panel.Hold.Text != "Resume" || panel.State.Text != "On hold" {
		t.Errorf("buttons %q/%q header %q", panel.Mute.Text, panel.Hold.Text, panel.State.Text)
	}
	typeShortcut(d, ShortcutMute)
	if got := lastRequest(p); got != "Mute c1 false" {
		t.Errorf("sent %q", got)
	}
	typeShortcut(d, ShortcutHold)
	if got := lastRequest(p); got != "Hold c1 false" {
		t.Errorf("sent %q", got)
	}

	// Focus dialer.
	d.Main.Tabs.SelectIndex(TabHistory)
	typeShortcut(d, ShortcutDialer)
	if d.Main.Tabs.SelectedIndex() != TabPhone || d.Window().Canvas().Focused() != d.Main.Dialer.Number {
		t.Error("dialer not focused")
	}
}

func TestTooltipsNameShortcuts(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: incomingCall("c1", "1002", clk.t)})
	panel := d.Main.Calls.Panels["c1"]
	for _, tt := range []struct {
		b    *tipButton
		want string
	}{
		{panel.Answer, "Answer (Ctrl+Enter)"},
		{panel.Decline, "Decline (Ctrl+E)"},
		{panel.Hangup, "Hang up (Ctrl+E)"},
		{panel.Mute, "Mute / unmute microphone (Ctrl+M)"},
		{panel.Hold, "Hold / resume (Ctrl+H)"},
		{d.Main.LockBtn, "Lock the desktop (Ctrl+L)"},
	} {
		if tt.b.Tooltip != tt.want {
			t.Errorf("tooltip = %q, want %q", tt.b.Tooltip, tt.want)
		}
	}
	// The tooltip layer shows the text under the button.
	d.tips.show(panel.Answer, panel.Answer.Tooltip)
	if !d.tips.box.Visible() || d.tips.text.Text != "Answer (Ctrl+Enter)" {
		t.Error("tooltip not shown")
	}
	panel.Answer.MouseOut()
	if d.tips.box.Visible() {
		t.Error("tooltip not hidden")
	}
}

func TestRegistrationBadge(t *testing.T) {
	tests := []struct {
		name       string
		reg        phone.Registration
		text       string
		color      fyne.ThemeColorName
		detailPart string
	}{
		{"registered", phone.Registration{State: phone.RegRegistered, AOR: "sip:1001@pbx.test"}, "Registered", theme.ColorNameSuccess, "sip:1001@pbx.test"},
		{"registering", phone.Registration{State: phone.RegRegistering}, "Connecting…", theme.ColorNameWarning, ""},
		{"failed with reason", phone.Registration{State: phone.RegFailed, Reason: "certificate not trusted"}, "Not registered", theme.ColorNameError, "Certificate not trusted — retrying"},
		{"off", phone.Registration{State: phone.RegOff}, "Offline", theme.ColorNameButton, ""},
		{"typed: wrong password", phone.Registration{State: phone.RegFailed, Cause: phone.RegCauseAuth, Reason: "register 1000@x: wrong user name or password"},
			"Not registered", theme.ColorNameError, "Wrong SIP user name or password — retrying"},
		{"typed: expired certificate", phone.Registration{State: phone.RegFailed, Cause: phone.RegCauseCertExpired, Reason: "x"},
			"Not registered", theme.ColorNameError, "The server's certificate has expired"},
		{"typed: host name", phone.Registration{State: phone.RegFailed, Cause: phone.RegCauseCertHostname, Reason: "x"},
			"Not registered", theme.ColorNameError, "another host name"},
		{"typed: refused", phone.Registration{State: phone.RegFailed, Cause: phone.RegCauseUnreachable, Reason: "x"},
			"Not registered", theme.ColorNameError, "cannot be reached"},
	}
	p := newFakePhone().loggedIn()
	d, _ := newTestDesktop(t, p)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.emit(phone.RegistrationChanged{Registration: tt.reg})
			m := d.Main
			if m.RegPill.Text.Text != tt.text || m.RegPill.Color != tt.color {
				t.Errorf("pill = %q/%q, want %q/%q", m.RegPill.Text.Text, m.RegPill.Color, tt.text, tt.color)
			}
			if !strings.Contains(m.RegDetail.Text, tt.detailPart) {
				t.Errorf("detail = %q, want it to contain %q", m.RegDetail.Text, tt.detailPart)
			}
		})
	}
}

func TestStatsShownAndCoalesced(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})
	panel := d.Main.Calls.Panels["c1"]
	for i := 0; i < 50; i++ {
		p.emit(phone.StatsUpdated{CallID: "c1", Stats: phone.CallStats{PacketsReceived: 990, PacketsLost: uint64(i % 11), JitterMs: 12}})
	}
	if panel.Quality.Text != "" {
		t.Fatalf("stats applied before the flush: %q", panel.Quality.Text)
	}
	d.adapter.flush()
	// Last value wins: 49 % 11 = 5 lost of 995.
	if want := "Loss 0.5 % · Jitter 12 ms"; panel.Quality.Text != want {
		t.Errorf("quality = %q, want %q", panel.Quality.Text, want)
	}
	p.emit(phone.StatsUpdated{CallID: "c1", Stats: phone.CallStats{PacketsReceived: 900, PacketsLost: 100, JitterMs: 80, RTTMs: 40, MOS: 2.5}})
	d.adapter.flush()
	if !strings.Contains(panel.Quality.Text, "Loss 10.0 %") || !strings.Contains(panel.Quality.Text, "MOS 2.5") {
		t.Errorf("quality = %q", panel.Quality.Text)
	}
	if panel.Quality.Importance != widget.DangerImportance {
		t.Errorf("bad call quality importance = %v, want danger", panel.Quality.Importance)
	}
}

func TestCallControlsFromPanel(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})
	panel := d.Main.Calls.Panels["c1"]

	test.Tap(panel.Keypad)
	if !panel.DTMFPad.Visible() {
		t.Fatal("keypad hidden")
	}
	test.Tap(panel.DTMFKeys[10]) // 0
	test.Tap(panel.DTMFKeys[11]) // #
	if got := p.requests(); strings.Join(got[len(got)-2:], "|") != "SendDTMF c1 0|SendDTMF c1 #" {
		t.Errorf("dtmf requests = %q", got)
	}
	if panel.DTMFSent.Text != "0#" {
		t.Errorf("sent digits = %q", panel.DTMFSent.Text)
	}

	p.emit(phone.DTMFReceived{CallID: "c1", Digit: '4'})
	if strings.Contains(panel.DTMFLog.Text, "4") || !strings.Contains(panel.DTMFLog.Text, "•") {
		t.Errorf("received tones shown as %q, want masked", panel.DTMFLog.Text)
	}

	test.Tap(panel.Transfer)
	if !panel.TransferRow.Visible() {
		t.Fatal("transfer row hidden")
	}
	panel.TransferTarget.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip("+49 (89) 1234-56")})
	test.Tap(panel.TransferGo)
	if got := lastRequest(p); got != "Transfer c1 +4989123456" {
		t.Errorf("transfer sent %q", got)
	}
	if panel.TransferRow.Visible() {
		t.Error("transfer row still open after success")
	}
	test.Tap(panel.Hangup)
	if got := lastRequest(p); got != "Hangup c1" {
		t.Errorf("hangup sent %q", got)
	}
}

func TestSidebarPanelsReceiveFocusedCall(t *testing.T) {
	crm := &fakePanel{}
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p, WithCRMPanel(crm))
	if len(d.Main.Sidebar.CRM.Objects) != 1 {
		t.Fatal("CRM slot empty")
	}
	p.emit(phone.CallChanged{Call: incomingCall("c1", "+4930123456789", clk.t)})
	last := crm.calls[len(crm.calls)-1]
	if last == nil || last.ID != "c1" {
		t.Fatalf("CRM panel got %v", last)
	}
	end := incomingCall("c1", "+4930123456789", clk.t)
	end.State = phone.CallEnded
	p.emit(phone.CallChanged{Call: end})
	if crm.calls[len(crm.calls)-1] != nil {
		t.Error("CRM panel not cleared after the call")
	}
	if d.Main.Sidebar.Direction.Text != "No call" {
		t.Errorf("sidebar = %q", d.Main.Sidebar.Direction.Text)
	}
}

func TestHistoryMasksNumbers(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	c := activeCall("c1", "AEAD_AES_128_GCM", clk.t)
	c.State, c.Ended = phone.CallEnded, clk.t.Add(65*time.Second)
	p.emit(phone.CallChanged{Call: c})

	h := d.Main.History
	d.Main.Tabs.SelectIndex(TabHistory)
	if len(h.Entries) != 1 || h.Empty.Visible() {
		t.Fatalf("entries = %d", len(h.Entries))
	}
	row := h.List.CreateItem().(*fyne.Container)
	h.fillRow(h.Entries[0], row)
	text := rowNumber(row)
	if text != "+49 201 ••• •• 00" {
		t.Errorf("history number = %q, want masked", text)
	}
	test.Tap(h.Reveal)
	h.fillRow(h.Entries[0], row)
	if rowNumber(row) != "+49201809000" {
		t.Errorf("revealed number = %q", rowNumber(row))
	}
	clk.t = clk.t.Add(revealFor)
	d.tick()
	if h.Reveal.Checked {
		t.Error("numbers not masked again after the reveal time")
	}
}

func TestHistoryFromPhone(t *testing.T) {
	base := newFakePhone().loggedIn()
	at := time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC)
	fp := &fullPhone{fakePhone: base, history: []phone.CallInfo{
		{ID: "h1", Direction: phone.Incoming, State: phone.CallEnded, Number: "+4930123456789", Created: at, Ended: at.Add(time.Minute)},
	}}
	fp.cfg.UI.Language = LangEnglish
	d, _ := newTestDesktop(t, fp)
	d.Main.Tabs.SelectIndex(TabHistory)
	if len(d.Main.History.Entries) != 1 || d.Main.History.Entries[0].ID != "h1" {
		t.Fatalf("entries = %v", d.Main.History.Entries)
	}
}

func TestSettingsView(t *testing.T) {
	base := newFakePhone().loggedIn()
	fp := &fullPhone{fakePhone: base, cfg: config.Default()}
	fp.cfg.Account.Server = "old.example:5061"
	fp.cfg.Media.Suites = []string{"AEAD_AES_128_GCM"}
	fp.cfg.Audio.Input = "headset (unplugged)"
	d, _ := newTestDesktop(t, fp)
	s := d.Main.Settings

	if s.Server.Text != "old.example:5061" {
		t.Errorf("server = %q", s.Server.Text)
	}
	if !s.AllowPlain.Disabled() {
		t.Error("agent can change the SRTP policy")
	}
	if !strings.Contains(s.SRTPPolicy.Text, "required") {
		t.Errorf("policy = %q", s.SRTPPolicy.Text)
	}
	if want := []string{"System default", "input A", "input B", "headset (unplugged)"}; strings.Join(s.Input.Options, "|") != strings.Join(want, "|") {
		t.Errorf("input options = %q, want %q", s.Input.Options, want)
	}
	s.Output.SetSelected("output B")
	if got := lastRequest(fp.fakePhone); got != "SetAudioDevice output output B" {
		t.Errorf("device request = %q", got)
	}
	s.Server.SetText("new.example:5061")
	// The CA file must exist and hold a certificate (config.Validate reads it).
	ca, err := pki.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue("new.example")
	if err != nil {
		t.Fatal(err)
	}
	caFile, _, _, err := pki.WriteFiles(t.TempDir(), ca, leaf)
	if err != nil {
		t.Fatal(err)
	}
	s.CAFile.SetText(caFile)
	test.Tap(s.Save)
	if len(fp.saved) != 1 {
		t.Fatalf("saved %d times; message %q", len(fp.saved), s.Message.Text)
	}
	got := fp.saved[0]
	if got.Account.Server != "new.example:5061" || got.Account.CAFile != caFile || got.Audio.Output != "output B" || got.UI.Language != LangEnglish {
		t.Errorf("saved %+v", got)
	}
	if s.Message.Text != "Settings saved." {
		t.Errorf("message = %q", s.Message.Text)
	}

	// An invalid configuration is refused before it reaches the phone.
	s.cfg.Account.Transport = "udp"
	test.Tap(s.Save)
	if len(fp.saved) != 1 || !strings.Contains(s.Message.Text, "clear text") {
		t.Errorf("invalid config: saved %d times, message %q", len(fp.saved), s.Message.Text)
	}
}

func TestSettingsReadOnlyWithoutStore(t *testing.T) {
	d, _ := newTestDesktop(t, newFakePhone().loggedIn())
	s := d.Main.Settings
	if !s.Server.Disabled() || !s.Save.Disabled() {
		t.Error("settings editable without a store")
	}
}

func TestLanguageSwitchToGerman(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: incomingCall("c1", "+4930123456789", clk.t)})
	d.Main.Tabs.SelectIndex(TabSettings)
	p.emit(phone.RegistrationChanged{Registration: phone.Registration{State: phone.RegFailed, Reason: "certificate not trusted"}})

	if err := d.SetLanguage(LangGerman); err != nil {
		t.Fatal(err)
	}
	m := d.Main
	panel := m.Calls.Panels["c1"]
	checks := map[string][2]string{
		"call button":  {m.Dialer.Call.Text, "Anrufen"},
		"history tab":  {m.Tabs.Items[TabHistory].Text, "Verlauf"},
		"pill":         {m.RegPill.Text.Text, "Nicht angemeldet"},
		"header":       {panel.State.Text, "Eingehender Anruf"},
		"answer":       {panel.Answer.Text, "Annehmen"},
		"answer tip":   {panel.Answer.Tooltip, "Annehmen (Strg+Eingabe)"},
		"lock":         {m.LockBtn.Text, "Sperren"},
		"sidebar":      {m.Sidebar.Direction.Text, "Eingehender Anruf"},
		"settings tab": {m.Tabs.Items[TabSettings].Text, "Einstellungen"},
		"reg reason":   {m.RegDetail.Text, "Zertifikat nicht vertrauenswürdig — neuer Versuch läuft"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	p.emit(phone.RegistrationChanged{Registration: phone.Registration{State: phone.RegFailed, Cause: phone.RegCauseAuth, Reason: "wrong user name or password"}})
	if want := "Falscher SIP-Benutzername oder falsches Passwort — neuer Versuch läuft"; m.RegDetail.Text != want {
		t.Errorf("typed reg reason = %q, want %q", m.RegDetail.Text, want)
	}
	if m.Tabs.SelectedIndex() != TabSettings {
		t.Error("tab not kept across the rebuild")
	}
	if d.Language() != LangGerman {
		t.Errorf("language = %q", d.Language())
	}

	if err := d.SetLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	if d.Main.Dialer.Call.Text != "Call" {
		t.Errorf("back in English: %q", d.Main.Dialer.Call.Text)
	}
	if err := d.SetLanguage("fr"); err == nil {
		t.Error("unknown language accepted")
	}
}

func TestLanguageSwitchOnLoginScreen(t *testing.T) {
	d, _ := newTestDesktop(t, newFakePhone())
	test.Type(d.Login.Profile, "alice")
	d.Login.Language.SetSelected("Deutsch")
	if d.Login.Submit.Text != "Anmelden" {
		t.Errorf("submit = %q", d.Login.Submit.Text)
	}
	if d.Login.Profile.Text != "alice" {
		t.Error("profile lost on language switch")
	}
}

func TestDemoCallButton(t *testing.T) {
	p := demoPhone{newFakePhone().loggedIn()}
	d, _ := newTestDesktop(t, p)
	if d.Main.DemoBtn == nil {
		t.Fatal("no demo button")
	}
	test.Tap(d.Main.DemoBtn)
	if got := lastRequest(p.fakePhone); got != "DemoCall" {
		t.Errorf("request = %q", got)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, _ := newTestDesktop(t, p)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	// Events after close are dropped, not applied to a closed window.
	p.emit(phone.RegistrationChanged{Registration: phone.Registration{State: phone.RegFailed}})
}

// rowNumber reads the number label of a history row.
func rowNumber(row *fyne.Container) string {
	return row.Objects[0].(*fyne.Container).Objects[0].(*widget.Label).Text
}

// clip is an in-memory clipboard.
type memClipboard struct{ s string }

func (c *memClipboard) Content() string     { return c.s }
func (c *memClipboard) SetContent(s string) { c.s = s }

func clip(s string) fyne.Clipboard { return &memClipboard{s: s} }

func TestLevelMeters(t *testing.T) {
	p := &levelPhone{fakePhone: newFakePhone().loggedIn(), mic: 0.4, speaker: 1.7}
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})
	panel := d.Main.Calls.Panels["c1"]
	if !panel.levelRow.Visible() {
		t.Fatal("meters hidden")
	}
	d.pollLevels()
	if panel.MicLevel.Value != 0.4 || panel.SpeakerLevel.Value != 1 {
		t.Errorf("levels = %v/%v, want 0.4/1 (clamped)", panel.MicLevel.Value, panel.SpeakerLevel.Value)
	}

	plain, _ := newTestDesktop(t, newFakePhone().loggedIn())
	plain.state.calls = nil
	plain.applyCall(activeCall("c1", "", clk.t))
	if plain.Main.Calls.Panels["c1"].levelRow.Visible() {
		t.Error("meters shown without level support")
	}
}

// TestNoticeShownOnMainScreen: a standing warning (no sound card) is on the
// main screen, in German too.
func TestNoticeShownOnMainScreen(t *testing.T) {
	for _, tc := range []struct{ lang, want string }{
		{"en", "No sound card found"},
		{"de", "Keine Soundkarte gefunden"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			d, _ := newTestDesktop(t, newFakePhone().loggedIn(),
				WithNotice("No sound card found: calls connect but are silent (null audio device)."), WithLanguage(tc.lang))
			if d.Main == nil {
				t.Fatal("main screen not shown for a logged-in agent")
			}
			if d.Main.Notice == nil || !strings.Contains(d.Main.Notice.Text, tc.want) {
				t.Fatalf("notice = %v, want text with %q", d.Main.Notice, tc.want)
			}
		})
	}
}

// With the keyboard alone: Ctrl+1…3 choose the Phone, History and Settings
// tabs (Fyne's tab buttons take no focus) and put the focus on the tab's
// first control; Ctrl+4 does nothing without the Review tab.
func TestTabShortcuts(t *testing.T) {
	p := &fullPhone{fakePhone: newFakePhone().loggedIn(), cfg: config.Default()} // a settings store: the account can be edited
	d, _ := newTestDesktop(t, p)
	m := d.Main
	c := d.Window().Canvas()
	typeShortcut(d, ShortcutTabs[TabHistory])
	if m.Tabs.SelectedIndex() != TabHistory || c.Focused() != m.History.focusTarget() {
		t.Fatalf("Ctrl+2: tab %d, focus %T", m.Tabs.SelectedIndex(), c.Focused())
	}
	typeShortcut(d, ShortcutTabs[TabSettings])
	if m.Tabs.SelectedIndex() != TabSettings || c.Focused() != m.Settings.Server {
		t.Fatalf("Ctrl+3: tab %d, focus %T", m.Tabs.SelectedIndex(), c.Focused())
	}
	typeShortcut(d, ShortcutTabs[3])
	if m.Tabs.SelectedIndex() != TabSettings {
		t.Fatalf("Ctrl+4 without a Review tab moved to tab %d", m.Tabs.SelectedIndex())
	}
	// From a settings field (it has the focus now) back to the dialer.
	typeShortcut(d, ShortcutTabs[TabPhone])
	if m.Tabs.SelectedIndex() != TabPhone || c.Focused() != m.Dialer.Number {
		t.Fatalf("Ctrl+1: tab %d, focus %T", m.Tabs.SelectedIndex(), c.Focused())
	}
}

// The desktop's shortcuts work while a text field has the focus: an agent
// typing wrap-up notes answers the next call with Ctrl+Enter. (A focused
// widget.Entry kept every shortcut to itself.)
func TestShortcutsWorkInTextFields(t *testing.T) {
	p := newFoundPhone()
	d, clk := newTestDesktop(t, p)
	call := activeCall("c1", "", clk.t)
	p.emit(phone.CallChanged{Call: call})
	endCall(p.fakePhone, call, clk.t)
	notes := crmOf(t, d).Wrap.Notes
	d.Window().Canvas().Focus(notes)
	test.Type(notes, "called back")
	p.emit(phone.CallChanged{Call: incomingCall("c2", "+4930123456789", clk.t)})
	typeShortcut(d, ShortcutAnswer)
	if got := lastRequest(p.fakePhone); got != "Answer c2" {
		t.Fatalf("Ctrl+Enter while typing wrap-up notes: last request %q", got)
	}
	if notes.Text != "called back" {
		t.Errorf("notes = %q", notes.Text)
	}
}

// Answering with Ctrl+Enter from another tab brings the Phone tab, where the
// call's controls are, forward; the focus leaves the hidden settings field.
func TestAnswerShortcutShowsThePhoneTab(t *testing.T) {
	p := &fullPhone{fakePhone: newFakePhone().loggedIn(), cfg: config.Default()}
	d, clk := newTestDesktop(t, p)
	typeShortcut(d, ShortcutTabs[TabSettings])
	p.emit(phone.CallChanged{Call: incomingCall("c1", "+4930123456789", clk.t)})
	typeShortcut(d, ShortcutAnswer)
	if got := lastRequest(p.fakePhone); got != "Answer c1" {
		t.Fatalf("last request %q", got)
	}
	if d.Main.Tabs.SelectedIndex() != TabPhone || d.Window().Canvas().Focused() != nil {
		t.Errorf("after answering: tab %d, focus %T", d.Main.Tabs.SelectedIndex(), d.Window().Canvas().Focused())
	}
}

// A call does not make the window wider than its default size, in English
// or German: an answered incoming call with the customer's initials, the
// SRTP suite and the codec (the window grew from 1100 to 1212 px, 1220 px in
// German, when such a call came in).
func TestCallFitsTheDefaultWindow(t *testing.T) {
	for _, language := range []string{LangEnglish, LangGerman} {
		t.Run(language, func(t *testing.T) {
			p := newAgentPhone()
			d, clk := newTestDesktop(t, p, WithLanguage(language))
			c := incomingCall("c1", "+4930123456789", clk.t)
			p.emit(phone.CallChanged{Call: c})
			c.State, c.SRTP, c.Codec, c.Answered = phone.CallActive, "AEAD_AES_128_GCM", "PCMA", clk.t
			p.emit(phone.CallChanged{Call: c})
			p.emit(phone.RecordingChanged{CallID: "c1", RecordingStatus: stRecording})
			if w := d.Window().Content().MinSize().Width; w > windowWidth {
				t.Errorf("the window needs %.0f px in a call, its default is %d", w, windowWidth)
			}
		})
	}
}

// Settings' cards sit in two columns when both fit, else in one, and ask
// for one card's width only: German labels stack the cards instead of
// widening the window.
func TestCardColumns(t *testing.T) {
	rect := func(w, h float32) fyne.CanvasObject {
		r := canvas.NewRectangle(nil)
		r.SetMinSize(fyne.NewSize(w, h))
		return r
	}
	cards := []fyne.CanvasObject{rect(300, 100), rect(200, 50), rect(250, 80)}
	changed := 0
	l := &cardColumns{changed: func() { changed++ }}
	pad := theme.Padding()
	if got := l.MinSize(cards); got.Width != 300 || got.Height != 230+2*pad {
		t.Fatalf("MinSize before a layout = %v, want one card wide and one column high", got)
	}
	l.Layout(cards, fyne.NewSize(800, 400))
	if cards[1].Position().X <= 0 || cards[1].Position().Y != 0 || cards[2].Position().Y != 100+pad {
		t.Errorf("800 px: positions %v %v %v, want two columns", cards[0].Position(), cards[1].Position(), cards[2].Position())
	}
	if got := l.MinSize(cards); got.Height != 180+pad || changed != 1 {
		t.Errorf("after two columns: MinSize %v, changed %d times", got, changed)
	}
	l.Layout(cards, fyne.NewSize(400, 400))
	if cards[1].Position().X != 0 || cards[1].Position().Y != 100+pad || cards[1].Size().Width != 400 {
		t.Errorf("400 px: card 2 at %v size %v, want one column", cards[1].Position(), cards[1].Size())
	}
	if got := l.MinSize(cards); got.Height != 230+2*pad || changed != 2 {
		t.Errorf("after one column: MinSize %v, changed %d times", got, changed)
	}
	l.Layout(cards, fyne.NewSize(400, 600))
	if changed != 2 {
		t.Error("the same columns again reported a change")
	}
}
