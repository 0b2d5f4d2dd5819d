package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"softphone/phone"
)

// TestScreenshots renders the main screens to PNG files with the software
// painter, for reviewing the layout without a display. It runs only when
// SOFTPHONE_UI_SHOTS names an output directory.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("SOFTPHONE_UI_SHOTS")
	if dir == "" {
		t.Skip("set SOFTPHONE_UI_SHOTS=dir to render screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	save := func(d *Desktop, name string) {
		t.Helper()
		w := d.Window()
		w.Resize(fyne.NewSize(windowWidth, windowHeight))
		img := w.Canvas().Capture()
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}

	p := demoPhone{newFakePhone()}
	d, clk := newTestDesktop(t, p)
	fyne.CurrentApp().Settings().SetTheme(theme.DefaultTheme())
	d.rebuild()
	save(d, "login")

	p.loginErr = phone.ErrEnrolmentRequired
	p.enrolment = phone.Enrolment{Secret: "JBSWY3DPEHPK3PXP", QRPNG: qrPNG(t)}
	d.Login.Profile.SetText("alice")
	d.Login.Password.SetText("pw")
	d.Login.submit()
	save(d, "enrol")

	p.loginErr = nil
	p.fakePhone.loggedIn()
	d.loggedIn()
	p.emit(phone.RegistrationChanged{Registration: phone.Registration{State: phone.RegRegistered, AOR: "sip:1001@pbx.example.com"}})
	c := activeCall("c1", "AEAD_AES_128_GCM", clk.t.Add(-83*time.Second))
	p.emit(phone.CallChanged{Call: c})
	p.emit(phone.StatsUpdated{CallID: "c1", Stats: phone.CallStats{PacketsReceived: 4000, PacketsLost: 12, JitterMs: 9, RTTMs: 38, MOS: 4.3}})
	d.adapter.flush()
	p.emit(phone.CallChanged{Call: incomingCall("c2", "+4930123456789", clk.t)})
	d.tick()
	save(d, "main-calls")

	old := incomingCall("h1", "+4989123456", clk.t.Add(-time.Hour))
	old.State, old.Ended = phone.CallEnded, clk.t.Add(-59*time.Minute)
	p.emit(phone.CallChanged{Call: old})
	done := activeCall("h2", "AEAD_AES_128_GCM", clk.t.Add(-30*time.Minute))
	done.State, done.Ended, done.EndReason = phone.CallEnded, clk.t.Add(-25*time.Minute), "remote hangup"
	p.emit(phone.CallChanged{Call: done})
	d.Main.Tabs.SelectIndex(TabHistory)
	save(d, "history")
	d.Main.Tabs.SelectIndex(TabPhone)

	plain := activeCall("c1", "", clk.t.Add(-20*time.Second))
	p.emit(phone.CallChanged{Call: plain})
	p.emit(phone.RegistrationChanged{Registration: phone.Registration{State: phone.RegFailed, Reason: "certificate not trusted"}})
	if err := d.SetLanguage(LangGerman); err != nil {
		t.Fatal(err)
	}
	save(d, "main-de-unencrypted")
	d.Main.Tabs.SelectIndex(TabSettings)
	save(d, "settings-de")
	d.lockNow()
	save(d, "lock-de")
}
