package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/crm"
	"softphone/phone"
)

// CRMPhone is what the CRM card needs from the phone. phone.Agent
// implements it; when the desktop's Phone does, the card is built
// automatically (WithCRMPanel overrides it). Contacts arrive through Watch as
// phone.ContactChanged (replayed for a late watcher): the card never pulls.
type CRMPhone interface {
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

// crmPanel is the CRM card of the sidebar, the view of crmCards: it shows
// the focused call's customer (masked), lets a permitted agent reveal a
// field for a short time with a reason, copies masked values, and offers
// the wrap-up form after a call. A CRM that is down only shows a message:
// nothing waits for it. Widgets are built again only when the card's shape
// changes (another customer, other fields, a badge, a reveal); otherwise
// their texts are updated in place. All methods run on the Fyne thread.
type crmPanel struct {
	d     *Desktop
	phone CRMPhone
	log   *slog.Logger
	model *crmCards

	shape string // what the built widgets show; "" forces a build

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

func newCRMPanel(d *Desktop, p CRMPhone) *crmPanel {
	return &crmPanel{d: d, phone: p, log: d.log.With("panel", "crm"), model: newCRMCards(), Rows: map[string]*crmFieldRow{}}
}

// Object builds the panel's widgets in the current language.
func (p *crmPanel) Object() fyne.CanvasObject {
	p.body = container.NewVBox()
	p.wrapBox = container.NewVBox()
	p.Message = widget.NewLabel("")
	p.Message.Wrapping = fyne.TextWrapWord
	p.Message.Hide()
	p.root = container.NewVBox(p.body, p.Message, p.wrapBox)
	p.shape = ""
	p.render()
	p.renderWrapUp()
	return p.root
}

// SetCall follows the call in focus. A different call drops any revealed
// value; its contact is already known from ContactChanged.
func (p *crmPanel) SetCall(c *phone.CallInfo) {
	id := ""
	if c != nil {
		id = c.ID
	}
	if !p.model.focusOn(id) {
		return
	}
	p.closeRevealDialog()
	p.setMessage("", false)
	p.render()
}

// PhoneEvent applies CRM changes and notices call ends.
func (p *crmPanel) PhoneEvent(ev phone.Event) {
	switch e := ev.(type) {
	case phone.ContactChanged:
		hadReveal := p.model.reveal != nil
		if p.model.apply(e) {
			if hadReveal && p.model.reveal == nil {
				p.closeRevealDialog()
			}
			p.render()
		}
	case phone.CallChanged:
		if e.Call.State != phone.CallEnded {
			return
		}
		changed, offered := p.model.callEnded(e.Call)
		if changed {
			p.closeRevealDialog()
			p.render()
		}
		if offered {
			p.Wrap = nil
			p.renderWrapUp()
		}
	}
}

// tick updates the reveal countdown and drops the value when it runs out.
func (p *crmPanel) tick(now time.Time) {
	dropped, left := p.model.expire(now)
	switch {
	case dropped:
		p.render()
	case left > 0:
		if row := p.Rows[p.model.reveal.key]; row != nil {
			row.Countdown.SetText(countdownText(left))
		}
	}
}

func countdownText(left time.Duration) string {
	s := int(math.Ceil(left.Seconds()))
	return lang.L("Masked again in {{.Seconds}} s", map[string]any{"Seconds": s})
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

// shapeOf is what decides which widgets the card needs: the same shape
// only changes texts.
func (p *crmPanel) shapeOf(v cardView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%t|%t", v.status, errors.Is(v.err, crm.ErrUnauthorized), p.phone.CanReveal())
	for _, m := range v.matches {
		fmt.Fprintf(&b, "|m:%s", m.CustomerID)
	}
	if c := v.card; c != nil {
		fmt.Fprintf(&b, "|c:%s|%d|%t", c.CustomerID, c.Consent, c.PaymentInProgress)
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "|f:%s:%t:%t", f.Key, f.Masked, f.Revealable)
		}
	}
	if v.reveal != nil {
		fmt.Fprintf(&b, "|r:%s", v.reveal.key)
	}
	return b.String()
}

// render draws the focused card: in place when its shape is unchanged.
func (p *crmPanel) render() {
	if p.body == nil {
		return // Object not called yet
	}
	v := p.model.view()
	shape := p.shapeOf(v)
	if shape == p.shape {
		p.update(v)
		return
	}
	p.shape = shape
	p.build(v)
}

// update refreshes the texts of the built widgets.
func (p *crmPanel) update(v cardView) {
	if v.card == nil || p.Name == nil {
		return
	}
	p.Name.SetText(v.card.Name)
	for _, f := range v.card.Fields {
		if row := p.Rows[f.Key]; row != nil && (v.reveal == nil || v.reveal.key != f.Key) {
			row.Value.SetText(f.Value)
		}
	}
}

// build makes the card's widgets for v.
func (p *crmPanel) build(v cardView) {
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
	p.Status.Importance = widget.LowImportance
	switch v.status {
	case cardNoCall:
		p.Status.SetText(lang.L("Customer details appear here during a call."))
	case cardNoCRM:
		p.Status.SetText(lang.L("No customer record for this call."))
	case cardSearching:
		p.Status.SetText(lang.L("Searching the CRM…"))
	case cardNotFound:
		p.Status.Importance = widget.MediumImportance
		p.Status.SetText(lang.L("No customer found for this number."))
	case cardUnavailable:
		p.Status.Importance = widget.WarningImportance
		text := lang.L("CRM unavailable — the call goes on.")
		if errors.Is(v.err, crm.ErrUnauthorized) {
			text += "\n" + panelErrorText(v.err)
		}
		p.Status.SetText(text)
	case cardClosed:
		p.Status.SetText(lang.L("The call is over; the customer record is closed."))
	case cardChoosing:
		p.Status.Importance = widget.MediumImportance
		p.Status.SetText(lang.L("Several customers have this number: pick one."))
		p.buildChoices(v.matches)
	case cardFound:
		p.Status.Hide()
		p.buildCard(*v.card, v.reveal)
	}
}

func (p *crmPanel) buildChoices(matches []crm.Card) {
	for _, m := range matches {
		id := m.CustomerID
		b := widget.NewButton(cardSummary(m), func() { p.selectContact(id) })
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

func (p *crmPanel) buildCard(c crm.Card, r *revealed) {
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
		form.Add(p.fieldRow(f, r, canReveal))
	}
	p.body.Add(form)
}

func (p *crmPanel) fieldRow(f crm.CardField, r *revealed, canReveal bool) fyne.CanvasObject {
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
	if r != nil && r.key == key {
		row.Value.SetText(r.value)
		row.Value.Importance = widget.WarningImportance
		row.Countdown.SetText(countdownText(r.until.Sub(p.d.opt.now())))
		row.Countdown.Show()
		row.HideBtn = newTipButton(p.d.tips, lang.L("Hide"), theme.VisibilityOffIcon(),
			lang.L("Mask the value again now"), func() {
				p.model.dropReveal()
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
