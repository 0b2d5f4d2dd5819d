package ui

import (
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

// Sidebar is the right-hand column. Until the CRM card and recording strip
// are plugged in (WithCRMPanel, WithRecordingPanel) it shows the focused
// call's masked number and direction.
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
