package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// SidebarPanel is content another package puts into the right-hand sidebar:
// the CRM card and the recording control strip. Both methods are called on
// the Fyne thread.
type SidebarPanel interface {
	// Object returns the panel's content. It is called again after a
	// language switch, so the panel can rebuild its widgets.
	Object() fyne.CanvasObject
	// SetCall tells the panel about the call in focus; nil when there is none.
	SetCall(c *phone.CallInfo)
}

// PanelEvents is optionally implemented by a SidebarPanel that wants the
// phone's events (phone.ContactChanged, phone.RecordingChanged, …). The
// desktop calls PhoneEvent on the Fyne thread for every event, after it
// applied the event itself (so SetCall has already seen a CallChanged).
type PanelEvents interface {
	PhoneEvent(ev phone.Event)
}

// panelTicker is implemented by panels with a countdown; tick runs once a
// second on the Fyne thread.
type panelTicker interface {
	tick(now time.Time)
}

// panelEvent hands ev to the panels that want events.
func (d *Desktop) panelEvent(ev phone.Event) {
	for _, p := range []SidebarPanel{d.opt.crm, d.opt.recording} {
		if pe, ok := p.(PanelEvents); ok {
			pe.PhoneEvent(ev)
		}
	}
}

// panelTick drives the panels' countdowns.
func (d *Desktop) panelTick(now time.Time) {
	for _, p := range []SidebarPanel{d.opt.crm, d.opt.recording} {
		if pt, ok := p.(panelTicker); ok {
			pt.tick(now)
		}
	}
}

// Sidebar is the right-hand column: the focused call's masked number and
// direction, the CRM card and the recording strip. The card and the strip
// are built automatically when the Phone implements CRMPhone or
// RecordingPhone; WithCRMPanel and WithRecordingPanel replace them.
type Sidebar struct {
	d *Desktop
	// Root is the sidebar's content.
	Root fyne.CanvasObject

	// Caller summarises the focused call.
	Caller    *widget.Card
	Number    *widget.Label
	Direction *widget.Label
	State     *widget.Label
	// CRM and Recording are the slots for the other panels; they hold a
	// placeholder until a panel is given.
	CRM       *fyne.Container
	Recording *fyne.Container
}

func newSidebar(d *Desktop) *Sidebar {
	s := &Sidebar{d: d}
	s.Number = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.Number.SizeName = theme.SizeNameSubHeadingText
	s.Direction = widget.NewLabel("")
	s.State = widget.NewLabel("")
	s.State.Importance = widget.LowImportance
	s.Caller = widget.NewCard("", lang.L("Caller"), container.NewVBox(s.Number, s.Direction, s.State))

	s.CRM = container.NewStack()
	if d.opt.crm != nil {
		s.CRM.Add(d.opt.crm.Object())
	} else {
		s.CRM.Add(placeholder(lang.L("Customer details appear here during a call.")))
	}
	s.Recording = container.NewStack()
	if d.opt.recording != nil {
		s.Recording.Add(d.opt.recording.Object())
	}
	s.Root = container.NewBorder(nil, s.Recording, nil, nil,
		container.NewVScroll(container.NewVBox(s.Caller, s.CRM)))
	return s
}

// setCall shows the focused call and passes it to the panels.
func (s *Sidebar) setCall(c *phone.CallInfo) {
	if c == nil {
		s.Number.SetText("—")
		s.Direction.SetText(lang.L("No call"))
		s.State.SetText("")
	} else {
		s.Number.SetText(MaskNumber(callNumber(*c)))
		if c.Direction == phone.Incoming {
			s.Direction.SetText(lang.L("Incoming call"))
		} else {
			s.Direction.SetText(lang.L("Outgoing call"))
		}
		title, _ := stateTitle(*c)
		s.State.SetText(title)
	}
	for _, p := range []SidebarPanel{s.d.opt.crm, s.d.opt.recording} {
		if p != nil {
			p.SetCall(c)
		}
	}
}

// placeholder is a calm, low-contrast hint text.
func placeholder(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return container.NewPadded(l)
}
