package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// MissedCallsPhone is implemented by a phone that keeps missed calls for
// call-back. phone.Agent implements it; the list arrives as events.
type MissedCallsPhone interface {
	CallBack(ctx context.Context, id string) (string, error)
	DismissMissed(id string) error
}

// ShortcutCallBack calls back the newest missed call.
var ShortcutCallBack = &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierShortcutDefault}

// MissedView lists missed calls, masked, each with a one-click call-back.
type MissedView struct {
	d  *Desktop
	mp MissedCallsPhone
	// Root is the view's content.
	Root fyne.CanvasObject

	Title   *widget.Label
	List    *widget.List
	Message *widget.Label
	// Entries are the missed calls shown, newest first.
	Entries []phone.MissedCall
}

func newMissedView(d *Desktop, mp MissedCallsPhone) *MissedView {
	v := &MissedView{d: d, mp: mp}
	v.Title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.List = widget.NewList(
		func() int { return len(v.Entries) },
		func() fyne.CanvasObject {
			num := widget.NewLabel("")
			num.Truncation = fyne.TextTruncateEllipsis
			back := newTipButton(d.tips, "", theme.NewSuccessThemedResource(theme.MailReplyIcon()), "", nil)
			drop := newTipButton(d.tips, "", theme.DeleteIcon(), lang.L("Remove from the list"), nil)
			return container.NewBorder(nil, nil, nil, container.NewHBox(back, drop), num)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= 0 && i < len(v.Entries) {
				v.fillRow(v.Entries[i], o.(*fyne.Container))
			}
		},
	)
	v.Message = widget.NewLabel("")
	v.Message.Importance = widget.DangerImportance
	v.Message.Hide()
	v.Root = container.NewBorder(container.NewVBox(widget.NewSeparator(), v.Title, v.Message), nil, nil, nil,
		container.New(minHeight{160}, v.List))
	v.show(nil)
	return v
}

func (v *MissedView) fillRow(m phone.MissedCall, row *fyne.Container) {
	num := row.Objects[0].(*widget.Label)
	btns := row.Objects[1].(*fyne.Container)
	back, drop := btns.Objects[0].(*tipButton), btns.Objects[1].(*tipButton)
	text := MaskNumber(m.Number) + "  " + m.At.Local().Format("15:04")
	if m.Count > 1 {
		text += fmt.Sprintf("  ×%d", m.Count)
	}
	if m.Unavailable {
		text += "  " + lang.L("(not available)")
	}
	num.SetText(text)
	back.Tooltip = tip(lang.L("Call back"), ShortcutCallBack)
	id := m.ID
	back.OnTapped = func() { v.callBack(id) }
	drop.OnTapped = func() {
		v.d.touch()
		v.report(v.mp.DismissMissed(id))
	}
}

// callBack dials the caller of missed call id.
func (v *MissedView) callBack(id string) {
	v.d.touch()
	v.d.do(func(ctx context.Context) error {
		_, err := v.mp.CallBack(ctx, id)
		return err
	}, v.report)
}

// callBackNewest is the keyboard shortcut's action.
func (v *MissedView) callBackNewest() bool {
	if len(v.Entries) == 0 {
		return false
	}
	v.callBack(v.Entries[0].ID)
	return true
}

func (v *MissedView) report(err error) {
	if err == nil {
		v.Message.Hide()
		return
	}
	v.Message.SetText(errorText(err))
	v.Message.Show()
}

// show replaces the list. Fyne thread.
func (v *MissedView) show(list []phone.MissedCall) {
	v.Entries = list
	v.Title.SetText(lang.L("Missed calls ({{.Count}})", map[string]any{"Count": len(list)}))
	setVisible(v.Root, len(list) > 0)
	v.List.Refresh()
}

// minHeight gives its object at least h of height.
type minHeight struct{ h float32 }

func (l minHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, l.h)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s.Max(fyne.NewSize(0, l.h))
}

func (l minHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}
