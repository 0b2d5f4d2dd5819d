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
	// Root is the view's content.
	Root  fyne.CanvasObject
	Title *widget.Label
	Rows  *fyne.Container
	// States are the colleagues shown, by user.
	States map[string]phone.Colleague
}

func newColleaguesView() *ColleaguesView {
	v := &ColleaguesView{States: map[string]phone.Colleague{}}
	v.Title = widget.NewLabelWithStyle(lang.L("Colleagues"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.Rows = container.NewVBox()
	v.Root = container.NewVBox(widget.NewSeparator(), v.Title, v.Rows)
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
		v.Rows.Add(colleagueRow(v.States[u]))
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
