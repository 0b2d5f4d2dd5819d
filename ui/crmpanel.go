package ui

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/crm"
	"softphone/phone"
	"softphone/recording"
)

// CRMPhone is what the CRM card needs from the phone. phone.Agent
// implements it; when the desktop's Phone does, the card is built
// automatically (WithCRMPanel overrides it). Changes arrive through Watch as
// phone.ContactChanged.
type CRMPhone interface {
	// Contact is the CRM snapshot of a call, also of a just-ended call
	// until its wrap-up. Cards are masked.
	Contact(callID string) (crm.State, *crm.Card, []crm.Card, error)
	// SelectContact picks one of several matching customers.
	SelectContact(callID, customerID string) error
	// RevealField returns the plain value of a masked field. It needs the
	// permission and a reason and is audited; the value must be dropped on
	// crm.EventRemasked.
	RevealField(callID, key, reason string) (string, error)
	// CopyField returns what the clipboard gets: the masked form, always.
	CopyField(callID, key string) (string, error)
	// WrapUp writes the wrap-up code and notes back to the CRM.
	WrapUp(ctx context.Context, callID, code, notes string) error
	// CanReveal reports whether the logged-in role may reveal fields.
	CanReveal() bool
}

// WrapUpCodes are the wrap-up codes the agent picks from, as sent to the CRM.
var WrapUpCodes = []string{"resolved", "callback", "escalated", "no action"}

// fieldRevealFor is how long a revealed value is shown at most. The phone
// re-masks after the same time (crm.DefaultRevealFor) and says so with
// crm.EventRemasked; the panel also drops the value itself when the
// countdown ends, whichever comes first.
const fieldRevealFor = crm.DefaultRevealFor

// revealed is the one field whose plain value is on screen.
type revealed struct {
	callID, key string
	value       string
	until       time.Time
}

// crmPanel is the CRM card of the sidebar. It shows the focused call's
// customer (masked), lets a permitted agent reveal a field for a short time
// with a reason, copies masked values, and offers the wrap-up form after a
// call. A CRM that is down only shows a message: nothing waits for it.
// All methods run on the Fyne thread.
type crmPanel struct {
	d     *Desktop
	phone CRMPhone
	log   *slog.Logger

	// What the phone told us about the focused call.
	callID  string
	state   crm.State
	card    *crm.Card
	matches []crm.Card
	err     error // why the CRM is unavailable
	noCRM   bool  // the call has no CRM session (not configured, no number)
	reveal  *revealed
	wrapID  string          // the ended call waiting for its wrap-up; "" when none
	found   map[string]bool // calls whose customer was found (wrap-up possible)

	// Widgets, rebuilt by Object and on every change of the card.
	root    *fyne.Container
	body    *fyne.Container
	wrapBox *fyne.Container
	// Status says what the CRM is doing (searching, not found, unavailable…).
	Status *widget.Label
	// Name and CustomerID head a found card.
	Name       *widget.Label
	CustomerID *widget.Label
	// Consent and Payment are the badges of a found card (nil when absent).
	Consent *pill
	Payment *pill
	// Rows are the card's fields by key.
	Rows map[string]*crmFieldRow
	// Choices select one of several matching customers.
	Choices []*widget.Button
	// Message shows the result of the last copy, reveal or selection.
	Message *widget.Label
	// Reveal is the open reveal dialog; nil when none.
	Reveal *revealDialog
	// Wrap is the wrap-up form; nil when no wrap-up is due.
	Wrap *wrapUpForm
}

// crmFieldRow is one field of the card.
type crmFieldRow struct {
	Label *widget.Label
	// Value shows the masked value, or the plain value while revealed.
	Value *widget.Label
	// Countdown says when a revealed value is masked again.
	Countdown *widget.Label
	// RevealBtn is nil unless the field is revealable and the role may reveal.
	RevealBtn *tipButton
	// HideBtn masks a revealed value again at once; nil unless revealed.
	HideBtn *tipButton
	CopyBtn *tipButton
}

// revealDialog asks for the reason of a reveal.
type revealDialog struct {
	Dialog  *dialog.CustomDialog
	Reason  *widget.Entry
	Confirm *widget.Button
	Cancel  *widget.Button
	Message *widget.Label
}

// wrapUpForm is the after-call form.
type wrapUpForm struct {
	callID string
	// Code selects one of WrapUpCodes (shown translated).
	Code    *widget.Select
	Notes   *widget.Entry
	Submit  *widget.Button
	Skip    *widget.Button
	Message *widget.Label
	codes   map[string]string // shown text → code
}

func newCRMPanel(d *Desktop, p CRMPhone) *crmPanel {
	return &crmPanel{d: d, phone: p, log: d.log.With("panel", "crm"), found: map[string]bool{}, Rows: map[string]*crmFieldRow{}}
}

// Object builds the panel's widgets in the current language.
func (p *crmPanel) Object() fyne.CanvasObject {
	p.body = container.NewVBox()
	p.wrapBox = container.NewVBox()
	p.Message = widget.NewLabel("")
	p.Message.Wrapping = fyne.TextWrapWord
	p.Message.Hide()
	p.root = container.NewVBox(p.body, p.Message, p.wrapBox)
	p.render()
	p.renderWrapUp()
	return p.root
}

// SetCall follows the call in focus. A different call drops any revealed
// value and loads that call's CRM snapshot.
func (p *crmPanel) SetCall(c *phone.CallInfo) {
	id := ""
	if c != nil {
		id = c.ID
	}
	if id == p.callID {
		return
	}
	p.dropReveal()
	p.closeRevealDialog()
	p.callID = id
	p.state, p.card, p.matches, p.err, p.noCRM = crm.StateIdle, nil, nil, nil, false
	p.setMessage("", false)
	if id != "" {
		st, card, matches, err := p.phone.Contact(id)
		if err != nil && st == crm.StateIdle && card == nil {
			// No lookup for this call: no CRM configured, no number, or
			// the call is gone.
			p.noCRM = true
		} else {
			p.state, p.card, p.matches, p.err = st, card, matches, err
			p.noteFound(id, st, card)
		}
	}
	p.render()
}

// PhoneEvent applies CRM changes of the focused call and notices call ends.
func (p *crmPanel) PhoneEvent(ev phone.Event) {
	switch e := ev.(type) {
	case phone.ContactChanged:
		p.contactChanged(e)
	case phone.CallChanged:
		if e.Call.State != phone.CallEnded {
			return
		}
		if p.reveal != nil && p.reveal.callID == e.Call.ID {
			p.dropReveal()
			p.closeRevealDialog()
			p.render()
		}
		if !e.Call.Answered.IsZero() {
			p.offerWrapUp(e.Call.ID)
		}
		delete(p.found, e.Call.ID)
	}
}

func (p *crmPanel) contactChanged(e phone.ContactChanged) {
	if e.Event.Kind == crm.EventState {
		p.noteFound(e.CallID, e.Event.State, e.Event.Card)
	}
	if e.CallID != p.callID {
		// A re-mask of a call no longer in focus: nothing of it is shown.
		return
	}
	ev := e.Event
	switch ev.Kind {
	case crm.EventState:
		p.noCRM = false
		p.state, p.card, p.matches, p.err = ev.State, ev.Card, ev.Matches, ev.Err
		if ev.State != crm.StateFound {
			p.dropReveal()
			p.closeRevealDialog()
		}
	case crm.EventRemasked:
		if p.reveal != nil && p.reveal.key == ev.Field {
			p.dropReveal()
		}
	case crm.EventConsent:
		if p.card != nil {
			c := *p.card
			c.Consent = ev.Consent
			p.card = &c
		}
	case crm.EventPayment:
		if p.card != nil {
			c := *p.card
			c.PaymentInProgress = ev.PaymentInProgress
			p.card = &c
		}
	case crm.EventRevealed:
		return // the value came back from RevealField
	}
	p.render()
}

// noteFound remembers calls whose customer was found, for the wrap-up.
func (p *crmPanel) noteFound(callID string, st crm.State, card *crm.Card) {
	if st == crm.StateFound && card != nil && len(p.found) < maxFound {
		p.found[callID] = true
	}
}

// maxFound bounds the calls remembered for a wrap-up (the phone keeps 8).
const maxFound = 32

// tick updates the reveal countdown and drops the value when it runs out.
func (p *crmPanel) tick(now time.Time) {
	r := p.reveal
	if r == nil {
		return
	}
	left := r.until.Sub(now)
	if left <= 0 {
		p.dropReveal()
		p.render()
		return
	}
	if row := p.Rows[r.key]; row != nil {
		row.Countdown.SetText(countdownText(left))
	}
}

func countdownText(left time.Duration) string {
	s := int(math.Ceil(left.Seconds()))
	return lang.L("Masked again in {{.Seconds}} s", map[string]any{"Seconds": s})
}

// dropReveal forgets the plain value (the widgets follow on render).
func (p *crmPanel) dropReveal() {
	if p.reveal == nil {
		return
	}
	p.reveal.value = ""
	p.reveal = nil
}

func (p *crmPanel) closeRevealDialog() {
	if p.Reveal != nil {
		p.Reveal.Dialog.Hide()
		p.Reveal = nil
	}
}

func (p *crmPanel) setMessage(text string, bad bool) {
	if p.Message == nil {
		return
	}
	if text == "" {
		p.Message.Hide()
		return
	}
	p.Message.Importance = widget.MediumImportance
	if bad {
		p.Message.Importance = widget.DangerImportance
	}
	p.Message.SetText(text)
	p.Message.Show()
}

// render rebuilds the card from the state.
func (p *crmPanel) render() {
	if p.body == nil {
		return // Object not called yet
	}
	defer p.d.refreshSidebar()
	p.body.RemoveAll()
	p.Rows = map[string]*crmFieldRow{}
	p.Choices = nil
	p.Name, p.CustomerID, p.Consent, p.Payment = nil, nil, nil, nil
	p.Status = widget.NewLabel("")
	p.Status.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle(lang.L("Customer"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.body.Add(title)
	p.body.Add(p.Status)

	switch {
	case p.callID == "":
		p.Status.Importance = widget.LowImportance
		p.Status.SetText(lang.L("Customer details appear here during a call."))
		return
	case p.noCRM:
		p.Status.Importance = widget.LowImportance
		p.Status.SetText(lang.L("No customer record for this call."))
		return
	}
	switch p.state {
	case crm.StateIdle, crm.StateSearching:
		p.Status.Importance = widget.LowImportance
		p.Status.SetText(lang.L("Searching the CRM…"))
	case crm.StateNotFound:
		p.Status.SetText(lang.L("No customer found for this number."))
	case crm.StateUnavailable:
		p.Status.Importance = widget.WarningImportance
		text := lang.L("CRM unavailable — the call goes on.")
		if errors.Is(p.err, crm.ErrUnauthorized) {
			text += "\n" + panelErrorText(p.err)
		}
		p.Status.SetText(text)
	case crm.StateClosed:
		p.Status.Importance = widget.LowImportance
		p.Status.SetText(lang.L("The call is over; the customer record is closed."))
	case crm.StateChoosing:
		p.Status.SetText(lang.L("Several customers have this number: pick one."))
		p.renderChoices()
	case crm.StateFound:
		if p.card == nil {
			p.Status.SetText(lang.L("Searching the CRM…"))
			return
		}
		p.Status.Hide()
		p.renderCard(*p.card)
	}
}

func (p *crmPanel) renderChoices() {
	for _, m := range p.matches {
		id := m.CustomerID
		text := cardSummary(m)
		b := widget.NewButton(text, func() { p.selectContact(id) })
		b.Alignment = widget.ButtonAlignLeading
		p.Choices = append(p.Choices, b)
		p.body.Add(b)
	}
}

// cardSummary is one line for the choice list: name, id and the first
// field, all as the card has them (masked).
func cardSummary(c crm.Card) string {
	parts := []string{}
	if c.Name != "" {
		parts = append(parts, c.Name)
	}
	if c.CustomerID != "" {
		parts = append(parts, "#"+c.CustomerID)
	}
	if len(c.Fields) > 0 {
		parts = append(parts, c.Fields[0].Value)
	}
	return strings.Join(parts, " · ")
}

func (p *crmPanel) renderCard(c crm.Card) {
	p.Name = widget.NewLabelWithStyle(c.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.Name.SizeName = theme.SizeNameSubHeadingText
	p.Name.Truncation = fyne.TextTruncateEllipsis
	p.CustomerID = widget.NewLabel(lang.L("Customer ID: {{.ID}}", map[string]any{"ID": c.CustomerID}))
	p.body.Add(p.Name)
	p.body.Add(p.CustomerID)

	// One badge a line: the sidebar is too narrow for two side by side.
	badges := container.NewVBox()
	switch c.Consent {
	case crm.ConsentGiven:
		p.Consent = newPill(lang.L("Recording consent given"), nil, theme.ColorNameSuccess)
	case crm.ConsentRefused:
		p.Consent = newPill(lang.L("Recording refused"), nil, theme.ColorNameError)
	}
	if p.Consent != nil {
		badges.Add(container.NewHBox(p.Consent))
	}
	if c.PaymentInProgress {
		p.Payment = newPill(lang.L("Payment in progress"), nil, theme.ColorNameWarning)
		badges.Add(container.NewHBox(p.Payment))
	}
	if len(badges.Objects) > 0 {
		p.body.Add(badges)
	}

	canReveal := p.phone.CanReveal()
	form := container.NewVBox()
	for _, f := range c.Fields {
		form.Add(p.fieldRow(f, canReveal))
	}
	p.body.Add(form)
}

func (p *crmPanel) fieldRow(f crm.CardField, canReveal bool) fyne.CanvasObject {
	key := f.Key
	row := &crmFieldRow{
		Label:     widget.NewLabelWithStyle(fieldLabel(f), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		Value:     widget.NewLabel(f.Value),
		Countdown: widget.NewLabel(""),
	}
	row.Value.Wrapping = fyne.TextWrapWord
	row.Countdown.Importance = widget.WarningImportance
	row.Countdown.Hide()
	row.CopyBtn = newTipButton(p.d.tips, "", theme.ContentCopyIcon(), lang.L("Copy (masked)"), func() { p.copyField(key) })
	buttons := container.NewHBox()
	if r := p.reveal; r != nil && r.key == key {
		row.Value.SetText(r.value)
		row.Value.Importance = widget.WarningImportance
		row.Countdown.SetText(countdownText(r.until.Sub(p.d.opt.now())))
		row.Countdown.Show()
		row.HideBtn = newTipButton(p.d.tips, lang.L("Hide"), theme.VisibilityOffIcon(),
			lang.L("Mask the value again now"), func() {
				p.dropReveal()
				p.render()
			})
		buttons.Add(row.HideBtn)
	} else if f.Masked && f.Revealable && canReveal {
		row.RevealBtn = newTipButton(p.d.tips, lang.L("Reveal"), theme.VisibilityIcon(),
			lang.L("Show the full value for 30 seconds (needs a reason, audited)"), func() { p.askReveal(key) })
		buttons.Add(row.RevealBtn)
	}
	buttons.Add(row.CopyBtn)
	p.Rows[key] = row
	return container.NewBorder(row.Label, row.Countdown, nil, buttons, row.Value)
}

// fieldLabel translates the standard field labels; custom labels are
// shown as configured.
func fieldLabel(f crm.CardField) string {
	switch {
	case strings.HasPrefix(f.Key, "phone"):
		return lang.L("Phone")
	case f.Key == "email":
		return lang.L("E-mail")
	case f.Key == "birth_date":
		return lang.L("Birth date")
	case f.Key == "address":
		return lang.L("Address")
	case f.Key == "iban":
		return lang.L("IBAN")
	case f.Key == "card":
		return lang.L("Payment card")
	case f.Key == "notes":
		return lang.L("Notes")
	}
	return f.Label
}

func (p *crmPanel) selectContact(customerID string) {
	id := p.callID
	p.d.do(func(context.Context) error { return p.phone.SelectContact(id, customerID) }, func(err error) {
		if err != nil {
			p.setMessage(panelErrorText(err), true)
		}
		// The card follows with a ContactChanged event.
	})
}

func (p *crmPanel) copyField(key string) {
	id := p.callID
	var masked string
	p.d.do(func(context.Context) error {
		var err error
		masked, err = p.phone.CopyField(id, key)
		return err
	}, func(err error) {
		if err != nil {
			p.setMessage(panelErrorText(err), true)
			return
		}
		p.d.app.Clipboard().SetContent(masked)
		p.setMessage(lang.L("Copied (masked)."), false)
	})
}

// askReveal opens the dialog that asks for the reason of a reveal.
func (p *crmPanel) askReveal(key string) {
	p.closeRevealDialog()
	rd := &revealDialog{Reason: widget.NewEntry(), Message: widget.NewLabel("")}
	rd.Reason.SetPlaceHolder(lang.L("Reason, e.g. customer asks to verify the address"))
	rd.Message.Importance = widget.DangerImportance
	rd.Message.Wrapping = fyne.TextWrapWord
	rd.Message.Hide()
	rd.Confirm = widget.NewButtonWithIcon(lang.L("Reveal"), theme.VisibilityIcon(), func() { p.doReveal(rd, key) })
	rd.Confirm.Importance = widget.HighImportance
	rd.Cancel = widget.NewButton(lang.L("Cancel"), func() { rd.Dialog.Hide() })
	requireReason(rd.Reason, rd.Confirm, func() { p.doReveal(rd, key) })
	label := key
	if p.card != nil {
		if f, ok := p.card.Field(key); ok {
			label = fieldLabel(f)
		}
	}
	intro := widget.NewLabel(lang.L("Why do you need to see the full {{.Field}}? Your reason is written to the audit log.",
		map[string]any{"Field": label}))
	intro.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(intro, rd.Reason, rd.Message,
		container.NewHBox(layout.NewSpacer(), rd.Cancel, rd.Confirm))
	rd.Dialog = dialog.NewCustomWithoutButtons(lang.L("Reveal field"), container.New(fixedWidth{360}, content), p.d.win)
	rd.Dialog.SetOnClosed(func() {
		if p.Reveal == rd {
			p.Reveal = nil
		}
	})
	p.Reveal = rd
	rd.Dialog.Show()
	p.d.win.Canvas().Focus(rd.Reason)
}

func (p *crmPanel) doReveal(rd *revealDialog, key string) {
	reason := strings.TrimSpace(rd.Reason.Text)
	if reason == "" {
		return
	}
	id := p.callID
	rd.Confirm.Disable()
	var value string
	p.d.do(func(context.Context) error {
		var err error
		value, err = p.phone.RevealField(id, key, reason)
		return err
	}, func(err error) {
		if err != nil {
			rd.Message.SetText(panelErrorText(err))
			rd.Message.Show()
			rd.Confirm.Enable()
			return
		}
		if p.callID != id {
			return // the call changed meanwhile: do not show it
		}
		p.reveal = &revealed{callID: id, key: key, value: value, until: p.d.opt.now().Add(fieldRevealFor)}
		p.log.Info("field revealed", "field", key) // never the value
		rd.Dialog.Hide()
		p.render()
	})
}

// offerWrapUp shows the wrap-up form for an ended call whose customer was
// found: without a customer there is nothing to write back to.
func (p *crmPanel) offerWrapUp(callID string) {
	if !p.found[callID] {
		return
	}
	delete(p.found, callID)
	p.wrapID = callID
	p.Wrap = nil
	p.renderWrapUp()
}

func (p *crmPanel) renderWrapUp() {
	if p.wrapBox == nil {
		return
	}
	defer p.d.refreshSidebar()
	p.wrapBox.RemoveAll()
	if p.wrapID == "" {
		p.Wrap = nil
		return
	}
	old := p.Wrap
	f := &wrapUpForm{callID: p.wrapID, codes: map[string]string{}}
	var shown []string
	for _, c := range WrapUpCodes {
		t := wrapUpCodeText(c)
		f.codes[t] = c
		shown = append(shown, t)
	}
	f.Code = widget.NewSelect(shown, nil)
	f.Code.PlaceHolder = lang.L("Outcome")
	f.Notes = widget.NewMultiLineEntry()
	f.Notes.SetPlaceHolder(lang.L("Notes for the customer record"))
	f.Notes.Wrapping = fyne.TextWrapWord
	f.Message = widget.NewLabel("")
	f.Message.Wrapping = fyne.TextWrapWord
	f.Message.Hide()
	f.Submit = widget.NewButton(lang.L("Save wrap-up"), func() { p.submitWrapUp(f) })
	f.Submit.Importance = widget.HighImportance
	f.Submit.Disable()
	f.Skip = widget.NewButton(lang.L("Skip"), p.closeWrapUp)
	f.Code.OnChanged = func(string) { f.Submit.Enable() }
	if old != nil && old.callID == f.callID {
		// A language switch keeps what was typed.
		if c, ok := old.codes[old.Code.Selected]; ok {
			f.Code.SetSelected(wrapUpCodeText(c))
		}
		f.Notes.SetText(old.Notes.Text)
	}
	p.Wrap = f
	title := widget.NewLabelWithStyle(lang.L("Wrap-up of the last call"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.wrapBox.Add(widget.NewSeparator())
	p.wrapBox.Add(title)
	p.wrapBox.Add(f.Code)
	p.wrapBox.Add(f.Notes)
	p.wrapBox.Add(f.Message)
	p.wrapBox.Add(container.NewHBox(layout.NewSpacer(), f.Skip, f.Submit))
}

// wrapUpCodeText is how a wrap-up code is shown.
func wrapUpCodeText(code string) string {
	switch code {
	case "resolved":
		return lang.L("Resolved")
	case "callback":
		return lang.L("Call back")
	case "escalated":
		return lang.L("Escalated")
	case "no action":
		return lang.L("No action")
	}
	return code
}

func (p *crmPanel) submitWrapUp(f *wrapUpForm) {
	code, ok := f.codes[f.Code.Selected]
	if !ok {
		return
	}
	notes := f.Notes.Text
	f.Submit.Disable()
	f.Message.Importance = widget.LowImportance
	f.Message.SetText(lang.L("Saving…"))
	f.Message.Show()
	p.d.do(func(ctx context.Context) error { return p.phone.WrapUp(ctx, f.callID, code, notes) }, func(err error) {
		if p.Wrap != f {
			return
		}
		if err != nil {
			p.log.Warn("wrap-up", "err", err)
			f.Message.Importance = widget.DangerImportance
			f.Message.SetText(lang.L("The wrap-up was not saved: {{.Err}} You can try again or skip it.",
				map[string]any{"Err": panelErrorText(err)}))
			f.Submit.Enable()
			return
		}
		f.Message.Importance = widget.SuccessImportance
		f.Message.SetText(lang.L("Wrap-up saved."))
		f.Code.Disable()
		f.Notes.Disable()
		f.Skip.SetText(lang.L("Close"))
	})
}

func (p *crmPanel) closeWrapUp() {
	p.wrapID = ""
	p.Wrap = nil
	p.renderWrapUp()
}

// panelErrorText explains CRM and recording errors to the agent.
func panelErrorText(err error) string {
	switch {
	case errors.Is(err, crm.ErrNotPermitted):
		return lang.L("Your role may not reveal this field.")
	case errors.Is(err, crm.ErrReasonRequired), errors.Is(err, recording.ErrReasonRequired):
		return lang.L("A reason is required.")
	case errors.Is(err, crm.ErrNotRevealable):
		return lang.L("This field cannot be revealed.")
	case errors.Is(err, crm.ErrNoCard):
		return lang.L("No customer is selected.")
	case errors.Is(err, crm.ErrClosed):
		return lang.L("The call is over; the customer record is closed.")
	case errors.Is(err, crm.ErrUnauthorized):
		return lang.L("The CRM refused access: ask an administrator to renew the CRM token.")
	case errors.Is(err, crm.ErrUnavailable):
		return lang.L("CRM unavailable — the call goes on.")
	case errors.Is(err, recording.ErrPermission):
		return lang.L("Your role may not do this.")
	case errors.Is(err, recording.ErrNotRecorded):
		return lang.L("This call has no recording.")
	case errors.Is(err, recording.ErrOptedOut):
		return lang.L("The customer opted out of recording.")
	case errors.Is(err, recording.ErrClosed):
		return lang.L("The recording has ended.")
	}
	return errorText(err)
}

// refreshSidebar lays the sidebar out again after a panel changed its size
// or visibility (Fyne does not re-layout parents of a shown object).
func (d *Desktop) refreshSidebar() {
	if d.Main != nil && d.Main.Sidebar != nil {
		d.Main.Sidebar.Root.Refresh()
	}
}
