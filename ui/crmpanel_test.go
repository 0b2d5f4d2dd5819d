package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/crm"
	"softphone/phone"
)

// Test customer: the plain values exist only in the fake phone.
const (
	plainIBAN  = "DE89370400440532013000"
	maskedIBAN = "DE•• •••• •••• •••• ••30 00"
	plainPhone = "+4930123456789"
)

func testCard() *crm.Card {
	return &crm.Card{
		CustomerID: "K-1001",
		Name:       "Erika Mustermann",
		Fields: []crm.CardField{
			{Key: "phone1", Label: "Phone", Kind: crm.KindPhone, Value: "•••••••••••789", Masked: true, Revealable: true},
			{Key: "email", Label: "E-mail", Kind: crm.KindEmail, Value: "e•••@example.com", Masked: true},
			{Key: "iban", Label: "IBAN", Kind: crm.KindIBAN, Value: maskedIBAN, Masked: true, Revealable: true},
			{Key: "custom.tier", Label: "tier", Kind: crm.KindCustom, Value: "gold"},
		},
		Consent:           crm.ConsentGiven,
		PaymentInProgress: true,
	}
}

func newFoundPhone() *crmPhone {
	p := newCRMPhone(crm.StateFound, testCard())
	p.plain["iban"] = plainIBAN
	p.plain["phone1"] = plainPhone
	return p
}

// crmOf returns the desktop's automatically built CRM card.
func crmOf(t *testing.T, d *Desktop) *crmPanel {
	t.Helper()
	p, ok := d.opt.crm.(*crmPanel)
	if !ok {
		t.Fatalf("CRM panel is %T, want the built-in card", d.opt.crm)
	}
	return p
}

// texts collects every text in the tree below objs (hidden objects too),
// descending into containers and widget renderers.
func texts(objs ...fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case nil:
			return
		case *canvas.Text:
			out = append(out, v.Text)
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
			return
		}
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Entry:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		}
		if w, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	for _, o := range objs {
		walk(o)
	}
	return out
}

// windowTexts is every text in the window, dialogs included.
func windowTexts(d *Desktop) []string {
	c := d.Window().Canvas()
	return texts(append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)...)
}

func containsText(all []string, s string) bool {
	for _, t := range all {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// overlayButton finds a button by its text in the window's dialogs.
func overlayButton(t *testing.T, d *Desktop, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil {
			return
		}
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
			return
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, x := range c.Objects {
				walk(x)
			}
			return
		}
		if w, ok := o.(fyne.Widget); ok {
			for _, x := range test.WidgetRenderer(w).Objects() {
				walk(x)
			}
		}
	}
	for _, o := range d.Window().Canvas().Overlays().List() {
		walk(o)
	}
	if found == nil {
		t.Fatalf("no dialog button %q", text)
	}
	return found
}

func TestCRMCardIsMasked(t *testing.T) {
	p := newFoundPhone()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: incomingCall("c1", plainPhone, clk.t)})
	c := crmOf(t, d)
	if c.Name == nil || c.Name.Text != "Erika Mustermann" {
		t.Fatalf("name = %v", c.Name)
	}
	if c.CustomerID.Text != "Customer ID: K-1001" {
		t.Errorf("customer id = %q", c.CustomerID.Text)
	}
	if got := c.Rows["iban"].Value.Text; got != maskedIBAN {
		t.Errorf("IBAN shows %q, want the masked value", got)
	}
	if c.Rows["custom.tier"].Label.Text != "tier" || c.Rows["iban"].Label.Text != "IBAN" {
		t.Errorf("labels = %q, %q", c.Rows["custom.tier"].Label.Text, c.Rows["iban"].Label.Text)
	}
	if c.Consent == nil || c.Consent.Text.Text != "Recording consent given" || c.Consent.Color != theme.ColorNameSuccess {
		t.Error("consent badge missing")
	}
	if c.Payment == nil || c.Payment.Text.Text != "Payment in progress" {
		t.Error("payment badge missing")
	}
	for key, want := range map[string]bool{"phone1": true, "iban": true, "email": false, "custom.tier": false} {
		if got := c.Rows[key].RevealBtn != nil; got != want {
			t.Errorf("%s: reveal button %v, want %v", key, got, want)
		}
	}
	all := windowTexts(d)
	if !containsText(all, maskedIBAN) {
		t.Fatal("tree walk did not find the masked IBAN: the walk is broken")
	}
	if containsText(all, plainIBAN) {
		t.Error("plain IBAN in the widget tree")
	}
	// The sidebar's caller number is masked too; the full number is only
	// in the fake's card data, never on screen.
	if containsText(all, plainPhone) {
		t.Error("plain phone number in the widget tree")
	}
}

func TestCRMNoRevealWithoutPermission(t *testing.T) {
	p := newFoundPhone()
	p.canReveal = false
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
	for key, row := range crmOf(t, d).Rows {
		if row.RevealBtn != nil {
			t.Errorf("%s: reveal offered to a role without permission", key)
		}
	}
}

func TestCRMRevealNeedsReasonAndRemasks(t *testing.T) {
	p := newFoundPhone()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
	c := crmOf(t, d)
	test.Tap(c.Rows["iban"].RevealBtn)
	rd := c.Reveal
	if rd == nil {
		t.Fatal("no reveal dialog")
	}
	if !rd.Confirm.Disabled() {
		t.Fatal("reveal enabled without a reason")
	}
	test.Type(rd.Reason, "   ")
	if !rd.Confirm.Disabled() {
		t.Fatal("reveal enabled with a blank reason")
	}
	rd.Reason.OnSubmitted(rd.Reason.Text) // Enter must not bypass the rule
	for _, r := range p.requests() {
		if strings.HasPrefix(r, "RevealField") {
			t.Fatalf("revealed without a reason: %q", r)
		}
	}
	rd.Reason.SetText("")
	test.Type(rd.Reason, "customer verifies account")
	if rd.Confirm.Disabled() {
		t.Fatal("reveal disabled with a reason")
	}
	test.Tap(rd.Confirm)
	if got := lastRequest(p.fakePhone); got != "RevealField c1 iban customer verifies account" {
		t.Fatalf("request = %q", got)
	}
	if c.Reveal != nil {
		t.Error("dialog still open after the reveal")
	}
	row := c.Rows["iban"]
	if row.Value.Text != plainIBAN {
		t.Fatalf("revealed value = %q", row.Value.Text)
	}
	if !row.Countdown.Visible() || row.Countdown.Text != "Masked again in 30 s" {
		t.Errorf("countdown = %q", row.Countdown.Text)
	}
	clk.t = clk.t.Add(12 * time.Second)
	d.tick()
	if row.Countdown.Text != "Masked again in 18 s" {
		t.Errorf("countdown after 12 s = %q", row.Countdown.Text)
	}
	// A re-mask of another field or call changes nothing.
	p.emit(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventRemasked, Field: "phone1"}})
	p.emit(phone.ContactChanged{CallID: "c9", Event: crm.Event{Kind: crm.EventRemasked, Field: "iban"}})
	if c.Rows["iban"].Value.Text != plainIBAN {
		t.Fatal("value dropped by an unrelated re-mask")
	}
	p.emit(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventRemasked, Field: "iban"}})
	if got := c.Rows["iban"].Value.Text; got != maskedIBAN {
		t.Errorf("after re-mask: %q", got)
	}
	if containsText(windowTexts(d), plainIBAN) {
		t.Error("plain IBAN still in the widget tree after the re-mask")
	}
	if c.model.reveal != nil {
		t.Error("plain value still held by the panel")
	}
}

func TestCRMRevealDroppedWithoutEvent(t *testing.T) {
	tests := []struct {
		name string
		drop func(t *testing.T, p *crmPhone, d *Desktop, clk *testClock)
	}{
		{"countdown ends", func(_ *testing.T, _ *crmPhone, d *Desktop, clk *testClock) {
			clk.t = clk.t.Add(fieldRevealFor)
			d.tick()
		}},
		{"call ends", func(_ *testing.T, p *crmPhone, _ *Desktop, clk *testClock) {
			c := activeCall("c1", "", clk.t)
			c.State, c.Ended = phone.CallEnded, clk.t
			p.emit(phone.CallChanged{Call: c})
		}},
		{"agent hides it", func(t *testing.T, _ *crmPhone, d *Desktop, _ *testClock) {
			c := d.opt.crm.(*crmPanel)
			if c.Rows["phone1"].RevealBtn != nil {
				t.Error("reveal offered for a revealed field")
			}
			test.Tap(c.Rows["phone1"].HideBtn)
		}},
		{"call switch", func(_ *testing.T, _ *crmPhone, d *Desktop, _ *testClock) {
			d.opt.crm.SetCall(&phone.CallInfo{ID: "c2"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFoundPhone()
			d, clk := newTestDesktop(t, p)
			p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
			c := crmOf(t, d)
			test.Tap(c.Rows["phone1"].RevealBtn)
			test.Type(c.Reveal.Reason, "callback number check")
			test.Tap(c.Reveal.Confirm)
			if !containsText(windowTexts(d), plainPhone) {
				t.Fatal("value not shown")
			}
			tt.drop(t, p, d, clk)
			if containsText(windowTexts(d), plainPhone) {
				t.Error("plain value still on screen")
			}
			if c.model.reveal != nil {
				t.Error("plain value still held")
			}
		})
	}
}

func TestCRMCopyGivesMaskedValue(t *testing.T) {
	p := newFoundPhone()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
	c := crmOf(t, d)
	// Even while revealed, copy gives the masked form.
	test.Tap(c.Rows["iban"].RevealBtn)
	test.Type(c.Reveal.Reason, "verify")
	test.Tap(c.Reveal.Confirm)
	test.Tap(c.Rows["iban"].CopyBtn)
	if got := lastRequest(p.fakePhone); got != "CopyField c1 iban" {
		t.Fatalf("request = %q", got)
	}
	if got := d.app.Clipboard().Content(); got != maskedIBAN {
		t.Errorf("clipboard = %q, want %q", got, maskedIBAN)
	}
	if c.Message.Text != "Copied (masked)." {
		t.Errorf("message = %q", c.Message.Text)
	}
}

func TestCRMStates(t *testing.T) {
	tests := []struct {
		name  string
		state crm.State
		err   error
		noCRM bool
		want  string
	}{
		{"searching", crm.StateSearching, nil, false, "Searching the CRM…"},
		{"not found", crm.StateNotFound, nil, false, "No customer found for this number."},
		{"unavailable", crm.StateUnavailable, crm.ErrUnavailable, false, "CRM unavailable — the call goes on."},
		{"token refused", crm.StateUnavailable, crm.ErrUnauthorized, false,
			"CRM unavailable — the call goes on.\nThe CRM refused access: ask an administrator to renew the CRM token."},
		{"closed", crm.StateClosed, nil, false, "The call is over; the customer record is closed."},
		{"no CRM", crm.StateIdle, nil, true, "No customer record for this call."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newCRMPhone(tt.state, nil)
			p.err, p.noCRM = tt.err, tt.noCRM
			d, clk := newTestDesktop(t, p)
			c := crmOf(t, d)
			if c.Status.Text != "Customer details appear here during a call." {
				t.Errorf("idle = %q", c.Status.Text)
			}
			p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
			if c.Status.Text != tt.want {
				t.Errorf("status = %q, want %q", c.Status.Text, tt.want)
			}
		})
	}
}

func TestCRMUnavailableNeverBlocksTheCall(t *testing.T) {
	p := newCRMPhone(crm.StateSearching, nil)
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
	p.emit(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventState, State: crm.StateUnavailable, Err: crm.ErrUnavailable}})
	c := crmOf(t, d)
	if c.Status.Text != "CRM unavailable — the call goes on." {
		t.Fatalf("status = %q", c.Status.Text)
	}
	panel := d.Main.Calls.Panels["c1"]
	for _, b := range []*tipButton{panel.Hold, panel.Mute, panel.Hangup} {
		if b.Disabled() || !b.Visible() {
			t.Fatalf("%q not usable", b.Text)
		}
	}
	test.Tap(panel.Hold)
	test.Tap(panel.Hangup)
	r := p.requests()
	if len(r) < 2 || r[len(r)-2] != "Hold c1 true" || r[len(r)-1] != "Hangup c1" {
		t.Errorf("requests = %q", r)
	}
}

func TestCRMChooseAmongMatches(t *testing.T) {
	p := newCRMPhone(crm.StateSearching, nil)
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
	a, b := *testCard(), *testCard()
	b.CustomerID, b.Name = "K-2002", "E. M."
	p.emit(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventState, State: crm.StateChoosing, Matches: []crm.Card{a, b}}})
	c := crmOf(t, d)
	if c.Status.Text != "Several customers have this number: pick one." || len(c.Choices) != 2 {
		t.Fatalf("status %q, %d choices", c.Status.Text, len(c.Choices))
	}
	if got := c.Choices[1].Text; got != "E. M. · #K-2002 · •••••••••••789" {
		t.Errorf("choice = %q", got)
	}
	test.Tap(c.Choices[1])
	if got := lastRequest(p.fakePhone); got != "SelectContact c1 K-2002" {
		t.Fatalf("request = %q", got)
	}
	p.emit(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventState, State: crm.StateFound, Card: &b}})
	if c.Name == nil || c.Name.Text != "E. M." {
		t.Error("selected card not shown")
	}
	// Consent and payment follow their events.
	p.emit(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventPayment, PaymentInProgress: false}})
	p.emit(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventConsent, Consent: crm.ConsentRefused}})
	if c.Payment != nil {
		t.Error("payment badge after payment ended")
	}
	if c.Consent == nil || c.Consent.Text.Text != "Recording refused" {
		t.Error("refused consent not shown")
	}
}

func endCall(p *fakePhone, c phone.CallInfo, at time.Time) {
	c.State, c.Ended = phone.CallEnded, at
	p.emit(phone.CallChanged{Call: c})
}

func TestCRMWrapUp(t *testing.T) {
	tests := []struct {
		name    string
		wrapErr error
		want    string
	}{
		{"saved", nil, "Wrap-up saved."},
		{"CRM down", errors.Join(errors.New("write wrap-up"), crm.ErrUnavailable),
			"The wrap-up was not saved: CRM unavailable — the call goes on. You can try again or skip it."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFoundPhone()
			p.wrapErr = tt.wrapErr
			d, clk := newTestDesktop(t, p)
			call := activeCall("c1", "", clk.t)
			p.emit(phone.CallChanged{Call: call})
			c := crmOf(t, d)
			if c.Wrap != nil {
				t.Fatal("wrap-up offered during the call")
			}
			endCall(p.fakePhone, call, clk.t.Add(time.Minute))
			f := c.Wrap
			if f == nil || f.callID != "c1" {
				t.Fatal("no wrap-up form after the call")
			}
			if !f.Submit.Disabled() {
				t.Error("submit enabled without a code")
			}
			if len(f.Code.Options) != 4 || f.Code.Options[1] != "Call back" {
				t.Errorf("codes = %q", f.Code.Options)
			}
			f.Code.SetSelected("Call back")
			test.Type(f.Notes, "wants a call on Monday")
			test.Tap(f.Submit)
			if got := lastRequest(p.fakePhone); got != "WrapUp c1 callback wants a call on Monday" {
				t.Fatalf("request = %q", got)
			}
			if f.Message.Text != tt.want {
				t.Errorf("message = %q", f.Message.Text)
			}
			// The phone still works: a new call can be placed meanwhile.
			test.Type(d.Main.Dialer.Number, "1001")
			test.Tap(d.Main.Dialer.Call)
			if got := lastRequest(p.fakePhone); got != "Dial 1001" {
				t.Errorf("dial after wrap-up = %q", got)
			}
			test.Tap(f.Skip)
			if c.Wrap != nil || len(c.wrapBox.Objects) != 0 {
				t.Error("wrap-up form not closed")
			}
		})
	}
}

func TestCRMNoWrapUpWithoutCustomer(t *testing.T) {
	p := newCRMPhone(crm.StateNotFound, nil)
	d, clk := newTestDesktop(t, p)
	call := activeCall("c1", "", clk.t)
	p.emit(phone.CallChanged{Call: call})
	endCall(p.fakePhone, call, clk.t)
	if crmOf(t, d).Wrap != nil {
		t.Error("wrap-up offered without a customer")
	}
}

func TestCRMPanelOverride(t *testing.T) {
	own := &fakePanel{}
	p := newFoundPhone()
	d, clk := newTestDesktop(t, p, WithCRMPanel(own))
	if d.opt.crm != own {
		t.Fatalf("CRM panel = %T, want the given one", d.opt.crm)
	}
	p.emit(phone.CallChanged{Call: activeCall("c1", "", clk.t)})
	if len(own.calls) == 0 || own.calls[len(own.calls)-1].ID != "c1" {
		t.Error("given panel not told about the call")
	}
}

func TestCRMGerman(t *testing.T) {
	p := newFoundPhone()
	d, clk := newTestDesktop(t, p, WithLanguage(LangGerman))
	call := activeCall("c1", "", clk.t)
	p.emit(phone.CallChanged{Call: call})
	c := crmOf(t, d)
	if c.CustomerID.Text != "Kundennummer: K-1001" || c.Payment.Text.Text != "Zahlung läuft" {
		t.Errorf("card = %q / %q", c.CustomerID.Text, c.Payment.Text.Text)
	}
	if c.Rows["iban"].RevealBtn.Text != "Anzeigen" || c.Rows["phone1"].Label.Text != "Telefon" {
		t.Errorf("row = %q / %q", c.Rows["iban"].RevealBtn.Text, c.Rows["phone1"].Label.Text)
	}
	test.Tap(c.Rows["iban"].RevealBtn)
	test.Type(c.Reveal.Reason, "Prüfung")
	test.Tap(c.Reveal.Confirm)
	if got := c.Rows["iban"].Countdown.Text; got != "Wird in 30 s wieder maskiert" {
		t.Errorf("countdown = %q", got)
	}
	endCall(p.fakePhone, call, clk.t)
	if c.Wrap == nil || c.Wrap.Submit.Text != "Speichern" || c.Wrap.Code.Options[0] != "Gelöst" {
		t.Error("wrap-up form not in German")
	}
}

// phone.Agent gets the CRM card automatically.
var _ CRMPhone = (*phone.Agent)(nil)

// The sidebar has a fixed width (sidebarWidth): what it holds must fit in it
// in every language, during a call with the customer's card and in the
// wrap-up after it, or labels and buttons are cut off at the window's edge.
func TestSidebarFitsItsWidth(t *testing.T) {
	for _, language := range []string{LangEnglish, LangGerman} {
		t.Run(language, func(t *testing.T) {
			p := newAgentPhone() // the customer's card and the recording strip, as phone.Agent
			d, clk := newTestDesktop(t, p, WithLanguage(language))
			fits := func(when string) {
				t.Helper()
				if w := d.Main.Sidebar.Root.MinSize().Width; w > sidebarWidth {
					t.Errorf("%s: the sidebar needs %.0f px, it has %d", when, w, sidebarWidth)
				}
			}
			fits("no call")
			call := emitRecorded(p, "c1", stRecording, clk.t)
			fits("in a recorded call")
			p.emit(phone.RecordingChanged{CallID: "c1", RecordingStatus: paused(phone.PauseAgent, phone.PausePayment)})
			fits("recording paused")
			p.emit(phone.RecordingChanged{CallID: "c1", RecordingStatus: stDiskFull})
			fits("recording stopped, disk full")
			endCall(p.fakePhone, call, clk.t)
			if crmOf(t, d).Wrap == nil {
				t.Fatal("no wrap-up form after the call")
			}
			fits("wrap-up")
		})
	}
}
