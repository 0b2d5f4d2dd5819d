package ui

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"softphone/phone"
)

func TestLoginFailureMessages(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		want    string
		notWant string
	}{
		{name: "refused", err: phone.ErrLoginRefused, want: "Login failed. Check your password and code."},
		{name: "wrapped refused", err: errors.Join(phone.ErrLoginRefused, errors.New("totp: code reused")),
			want: "Login failed. Check your password and code.", notWant: "totp"},
		{name: "other error stays generic", err: errors.New("vault: secret for alice unreadable"),
			want: "Login failed. Check your password and code.", notWant: "vault"},
		{name: "locked", err: phone.ErrLocked, want: "This profile is locked after too many failed attempts."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFakePhone()
			p.loginErr = tt.err
			var logs bytes.Buffer
			d, _ := newTestDesktop(t, p, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			if d.Screen() != ScreenLogin || d.Login == nil {
				t.Fatalf("screen = %v, want login", d.Screen())
			}
			v := d.Login
			test.Type(v.Profile, "alice")
			test.Type(v.Password, "s3cret")
			test.Type(v.Code, "123 456")
			test.Tap(v.Submit)

			if got := p.requests(); len(got) != 1 || got[0] != "Login alice s3cret 123456" {
				t.Fatalf("requests = %q", got)
			}
			if d.Screen() != ScreenLogin {
				t.Fatalf("screen = %v after failure", d.Screen())
			}
			if !v.Message.Visible() || !strings.HasPrefix(v.Message.Text, tt.want) {
				t.Errorf("message = %q (visible %v), want %q", v.Message.Text, v.Message.Visible(), tt.want)
			}
			if tt.notWant != "" && strings.Contains(v.Message.Text, tt.notWant) {
				t.Errorf("message %q leaks %q", v.Message.Text, tt.notWant)
			}
			if v.Code.Text != "" {
				t.Errorf("code field = %q, want cleared (codes are single-use)", v.Code.Text)
			}
			for _, secret := range []string{"alice", "s3cret", "123456"} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("log leaks %q: %s", secret, logs.String())
				}
			}
			if v.Submit.Disabled() {
				t.Error("submit button still disabled")
			}
		})
	}
}

func TestLoginNeedsProfileAndPassword(t *testing.T) {
	p := newFakePhone()
	d, _ := newTestDesktop(t, p)
	test.Tap(d.Login.Submit)
	if len(p.requests()) != 0 {
		t.Fatalf("login sent without password: %q", p.requests())
	}
	if !d.Login.Message.Visible() {
		t.Error("no hint shown")
	}
}

func TestLoginSuccessShowsMainView(t *testing.T) {
	p := newFakePhone()
	p.snap.Registration = phone.Registration{State: phone.RegRegistering, AOR: "sip:1001@pbx.test"}
	d, _ := newTestDesktop(t, p)
	test.Type(d.Login.Profile, "alice")
	test.Type(d.Login.Password, "pw")
	test.Type(d.Login.Code, "000000")
	d.Login.Code.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter submits

	if d.Screen() != ScreenMain || d.Main == nil {
		t.Fatalf("screen = %v, want main", d.Screen())
	}
	if d.Main.Profile.Text != "alice" {
		t.Errorf("profile label = %q", d.Main.Profile.Text)
	}
	if d.Main.RegPill.Text.Text != "Connecting…" {
		t.Errorf("pill = %q", d.Main.RegPill.Text.Text)
	}
}

func TestEnrolmentFlow(t *testing.T) {
	p := newFakePhone()
	p.loginErr = phone.ErrEnrolmentRequired
	png := qrPNG(t)
	p.enrolment = phone.Enrolment{URI: "otpauth://totp/Softphone:alice?secret=JBSWY3DPEHPK3PXP", Secret: "JBSWY3DPEHPK3PXP", QRPNG: png}
	p.codes = []string{"abcd-efgh", "ijkl-mnop", "qrst-uvwx", "yzab-cdef"}
	d, _ := newTestDesktop(t, p)

	test.Type(d.Login.Profile, "alice")
	test.Type(d.Login.Password, "pw")
	test.Tap(d.Login.Submit)

	if d.Screen() != ScreenEnrol || d.Enrol == nil {
		t.Fatalf("screen = %v, want enrol", d.Screen())
	}
	e := d.Enrol
	if e.QR.Resource == nil || string(e.QR.Resource.Content()) != string(png) {
		t.Error("QR image does not show the enrolment PNG")
	}
	if e.Secret.Text != "JBSW Y3DP EHPK 3PXP" {
		t.Errorf("secret = %q", e.Secret.Text)
	}
	if !e.step1.Visible() || e.step2.Visible() {
		t.Fatal("wrong step shown")
	}

	// A refused code keeps step 1 with a message.
	p.completeErr = phone.ErrLoginRefused
	test.Type(e.Code, "111111")
	test.Tap(e.Confirm)
	if !e.Message.Visible() || e.step2.Visible() {
		t.Fatal("refused code not reported")
	}

	p.completeErr = nil
	test.Type(e.Code, "222222")
	test.Tap(e.Confirm)
	if !e.step2.Visible() || e.step1.Visible() {
		t.Fatal("recovery codes not shown")
	}
	for _, c := range p.codes {
		if !strings.Contains(e.Codes.Text, c) {
			t.Errorf("recovery code %q missing from %q", c, e.Codes.Text)
		}
	}
	if !e.Continue.Disabled() {
		t.Error("continue enabled before the agent confirmed storing the codes")
	}
	test.Tap(e.Saved)
	if e.Continue.Disabled() {
		t.Fatal("continue still disabled")
	}
	test.Tap(e.Continue)

	// The fake did not log in on enrolment: back to login with a notice.
	if d.Screen() != ScreenLogin {
		t.Fatalf("screen = %v, want login", d.Screen())
	}
	if d.Login.Profile.Text != "alice" || !strings.Contains(d.Login.Message.Text, "set up") {
		t.Errorf("login after enrolment: profile %q message %q", d.Login.Profile.Text, d.Login.Message.Text)
	}
	want := []string{"Login alice pw ", "BeginEnrolment alice pw", "CompleteEnrolment alice pw 111111", "CompleteEnrolment alice pw 222222"}
	if got := p.requests(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("requests = %q, want %q", got, want)
	}
}

func TestDemoHintOnLogin(t *testing.T) {
	p := demoPhone{newFakePhone()}
	d, _ := newTestDesktop(t, p)
	if d.Login.DemoHint == nil {
		t.Fatal("demo hint missing")
	}
	if got := d.Login.DemoHint.Text; !strings.Contains(got, "profile: agent · password: demo-pw · code: 123456") {
		t.Errorf("demo hint = %q", got)
	}
	// The agent's language, not English: the hint is translated like the rest of the screen.
	if err := d.SetLanguage(LangGerman); err != nil {
		t.Fatal(err)
	}
	if got := d.Login.DemoHint.Text; !strings.Contains(got, "Profil: agent · Passwort: demo-pw · Code: 123456") || !strings.Contains(got, "Rufen Sie") {
		t.Errorf("German demo hint = %q", got)
	}
	plain, _ := newTestDesktop(t, newFakePhone())
	if plain.Login.DemoHint != nil {
		t.Error("demo hint shown without demo")
	}
}

func TestIdleLockAndUnlock(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p, WithIdleLock(cfgIdle))
	if d.Screen() != ScreenMain {
		t.Fatalf("screen = %v", d.Screen())
	}
	clk.t = clk.t.Add(cfgIdle - 1)
	d.tick()
	if d.Screen() != ScreenMain {
		t.Fatal("locked too early")
	}

	// Never during a call.
	p.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})
	clk.t = clk.t.Add(cfgIdle * 2)
	d.tick()
	if d.Screen() != ScreenMain {
		t.Fatal("locked during a call")
	}
	ended := activeCall("c1", "AEAD_AES_128_GCM", clk.t)
	ended.State, ended.Ended = phone.CallEnded, clk.t
	p.emit(phone.CallChanged{Call: ended})
	clk.t = clk.t.Add(cfgIdle - 1)
	d.tick()
	if d.Screen() != ScreenMain {
		t.Fatal("locked right after the call: the idle period must restart")
	}
	clk.t = clk.t.Add(1)
	d.tick()
	if d.Screen() != ScreenLock || d.Lock == nil {
		t.Fatalf("screen = %v, want lock", d.Screen())
	}
	if got := p.requests(); got[len(got)-1] != "Lock" {
		t.Errorf("phone not locked: %q", got)
	}

	p.unlockErr = phone.ErrLoginRefused
	test.Type(d.Lock.Password, "pw")
	test.Type(d.Lock.Code, "123456")
	test.Tap(d.Lock.Unlock)
	if d.Screen() != ScreenLock || d.Lock.Message.Text == "" {
		t.Fatal("failed unlock not reported")
	}
	p.unlockErr = nil
	test.Type(d.Lock.Code, "654321")
	test.Tap(d.Lock.Unlock)
	if d.Screen() != ScreenMain {
		t.Fatalf("screen = %v after unlock", d.Screen())
	}
}

func TestLockShortcutAndLogout(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, _ := newTestDesktop(t, p)
	typeShortcut(d, ShortcutLock)
	if d.Screen() != ScreenLock {
		t.Fatalf("screen = %v", d.Screen())
	}
	test.Tap(d.Lock.Logout)
	if d.Screen() != ScreenLogin {
		t.Fatalf("screen = %v after logout", d.Screen())
	}
}

// TestTabOrder checks that Tab walks the login form in reading order and
// that the dialer's keypad keys are skipped.
func TestTabOrder(t *testing.T) {
	d, _ := newTestDesktop(t, newFakePhone())
	c := d.Window().Canvas()
	v := d.Login
	c.Focus(v.Profile)
	var order []fyne.Focusable
	for i := 0; i < 3; i++ {
		test.FocusNext(c)
		order = append(order, c.Focused())
	}
	if order[0] != v.Password {
		t.Errorf("after profile: %T", order[0])
	}
	// The password field's reveal toggle may take focus; the code field
	// and the submit button must follow.
	rest := order[1:]
	if rest[0] != v.Code && rest[1] != v.Code {
		t.Errorf("code field not reached: %T %T", rest[0], rest[1])
	}

	p := newFakePhone().loggedIn()
	m, _ := newTestDesktop(t, p)
	mc := m.Window().Canvas()
	mc.Focus(m.Main.Dialer.Number)
	for i := 0; i < 4; i++ {
		// padKey does not implement fyne.Focusable (the compiler checks
		// that: a type assertion to it would not build), so only the
		// paste, clear and call buttons lie between.
		test.FocusNext(mc)
		if mc.Focused() == m.Main.Dialer.Call {
			return
		}
	}
	t.Errorf("call button not reached within 4 tabs from the number field; at %T", mc.Focused())
}

func TestLockScreenWarnsOfIncomingCall(t *testing.T) {
	p := newFakePhone().loggedIn()
	r := &fakeRinger{}
	d, clk := newTestDesktop(t, p, WithRinger(r))
	typeShortcut(d, ShortcutLock)
	if d.Lock.Calls.Visible() {
		t.Fatal("call notice without a call")
	}
	p.emit(phone.CallChanged{Call: incomingCall("c1", "+4930123456789", clk.t)})
	if !d.Lock.Calls.Visible() || !strings.Contains(d.Lock.Calls.Text, "Unlock to answer") {
		t.Errorf("notice = %q", d.Lock.Calls.Text)
	}
	if len(r.states) != 1 || !r.states[0] {
		t.Errorf("ringer = %v while locked", r.states)
	}
	// Shortcuts do nothing behind the lock.
	typeShortcut(d, ShortcutAnswer)
	if got := lastRequest(p); got == "Answer c1" {
		t.Error("answered through the lock screen")
	}
}

func TestLoginChangedEvents(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.LoginChanged{Login: phone.Login{Profile: "alice", LoggedIn: true, Locked: true}})
	if d.Screen() != ScreenLock {
		t.Fatalf("screen = %v after a lock elsewhere", d.Screen())
	}
	p.emit(phone.LoginChanged{Login: phone.Login{Profile: "alice", LoggedIn: true}})
	if d.Screen() != ScreenMain {
		t.Fatalf("screen = %v after an unlock elsewhere", d.Screen())
	}

	// No lock during a call, neither by shortcut nor by button.
	p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
	if !d.Main.LockBtn.Disabled() {
		t.Error("lock button enabled during a call")
	}
	typeShortcut(d, ShortcutLock)
	if d.Screen() != ScreenMain {
		t.Fatal("locked during a call")
	}

	p.emit(phone.LoginChanged{Login: phone.Login{}})
	if d.Screen() != ScreenLogin {
		t.Fatalf("screen = %v after logout elsewhere", d.Screen())
	}
}

// The language choice on the login screen shows any of its options in full,
// also in German ("Systemsprache" was cut off).
func TestLanguageSelectShowsItsChoice(t *testing.T) {
	for _, language := range []string{LangEnglish, LangGerman} {
		d, _ := newTestDesktop(t, newFakePhone(), WithLanguage(language))
		sel := d.Login.Language
		room := sel.Size().Width - 2*theme.InnerPadding() - theme.IconInlineSize()
		for _, o := range sel.Options {
			if text := fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width; room < text {
				t.Errorf("%s: %q needs %.0f px, the select leaves %.0f", language, o, text, room)
			}
		}
	}
}
