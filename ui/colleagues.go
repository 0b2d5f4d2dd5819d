package ui

import (
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// ColleaguesView lists watched colleagues (BLF): available or not, and
// idle, ringing or in a call. It stays hidden until a state arrives.
type ColleaguesView struct {
	d  *Desktop
	sp SupervisorPhone // nil: the phone cannot send supervisor commands
	// Root is the view's content.
	Root  fyne.CanvasObject
	Title *widget.Label
	Rows  *fyne.Container
	// Message reports the outcome of a supervisor's recording command.
	Message *widget.Label
	// States are the colleagues shown, by user.
	States map[string]phone.Colleague
}

func newColleaguesView(d *Desktop) *ColleaguesView {
	v := &ColleaguesView{d: d, States: map[string]phone.Colleague{}}
	v.sp, _ = d.phone.(SupervisorPhone)
	v.Title = widget.NewLabelWithStyle(lang.L("Colleagues"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.Rows = container.NewVBox()
	v.Message = widget.NewLabel("")
	v.Message.Wrapping = fyne.TextWrapWord
	v.Message.Hide()
	v.Root = container.NewVBox(widget.NewSeparator(), v.Title, v.Rows, v.Message)
	v.Root.Hide()
	return v
}

// apply shows one colleague's new state. Fyne thread.
func (v *ColleaguesView) apply(c phone.Colleague) {
	v.States[c.User] = c
	users := make([]string, 0, len(v.States))
	for u := range v.States {
		users = append(users, u)
	}
	sort.Strings(users)
	v.Rows.RemoveAll()
	for _, u := range users {
		v.Rows.Add(v.row(v.States[u]))
	}
	v.Root.Show()
	v.Root.Refresh()
}

// colleagueText is the row text: "2000 — Available · In a call".
func colleagueText(c phone.Colleague) string {
	avail := lang.L("Not available")
	if c.Open {
		avail = lang.L("Available")
	}
	var dlg string
	switch c.Dialog {
	case phone.DialogIdle:
		dlg = lang.L("Idle")
	case phone.DialogRinging:
		dlg = lang.L("Ringing")
	case phone.DialogInCall:
		dlg = lang.L("In a call")
	default:
		dlg = "—"
	}
	return c.User + " — " + avail + " · " + dlg
}

// row is a colleague's line, with the supervisor's recording actions
// while the colleague is in a call.
func (v *ColleaguesView) row(c phone.Colleague) fyne.CanvasObject {
	line := colleagueRow(c)
	if acts := v.superviseActions(c); acts != nil {
		return container.NewBorder(nil, nil, nil, acts, line)
	}
	return line
}

func colleagueRow(c phone.Colleague) fyne.CanvasObject {
	var icon fyne.Resource = theme.NewErrorThemedResource(theme.RadioButtonCheckedIcon())
	switch {
	case c.Dialog == phone.DialogRinging:
		icon = theme.NewWarningThemedResource(theme.RadioButtonCheckedIcon())
	case c.Open && c.Dialog != phone.DialogInCall:
		icon = theme.NewSuccessThemedResource(theme.RadioButtonCheckedIcon())
	}
	return container.NewHBox(widget.NewIcon(icon), widget.NewLabel(colleagueText(c)))
}
