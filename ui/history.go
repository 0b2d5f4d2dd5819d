package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// historyLimit bounds the history shown (and kept in memory).
const historyLimit = 200

// revealFor is how long full numbers stay visible in the history.
const revealFor = 30 * time.Second

// HistoryView lists past calls with masked numbers; full numbers are
// shown on request for a short time only.
type HistoryView struct {
	d *Desktop
	// Root is the view's content.
	Root fyne.CanvasObject

	List    *widget.List
	Reveal  *widget.Check
	Reload  *widget.Button
	Empty   *widget.Label
	Message *widget.Label
	// Entries are the calls shown, newest first.
	Entries []phone.CallInfo

	revealedAt time.Time
}

func newHistoryView(d *Desktop) *HistoryView {
	v := &HistoryView{d: d}
	v.List = widget.NewList(
		func() int { return len(v.Entries) },
		func() fyne.CanvasObject {
			num := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			detail := widget.NewLabel("")
			detail.Importance = widget.LowImportance
			dur := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
			return container.NewBorder(nil, nil, widget.NewIcon(nil), dur, container.NewHBox(num, detail))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < 0 || i >= len(v.Entries) {
				return
			}
			v.fillRow(v.Entries[i], o.(*fyne.Container))
		},
	)
	v.Reveal = widget.NewCheck(lang.L("Show full numbers (30 s)"), func(on bool) {
		d.touch()
		if on {
			v.revealedAt = d.opt.now()
		}
		v.List.Refresh()
	})
	v.Reload = widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), v.refresh)
	v.Empty = widget.NewLabelWithStyle(lang.L("No calls yet."), fyne.TextAlignCenter, fyne.TextStyle{})
	v.Empty.Importance = widget.LowImportance
	v.Message = widget.NewLabel("")
	v.Message.Importance = widget.DangerImportance
	v.Message.Hide()
	note := widget.NewLabel(lang.L("Stored on this computer only."))
	note.Importance = widget.LowImportance
	note.Wrapping = fyne.TextWrapWord // it gives way to the controls instead of widening the window
	top := container.NewBorder(nil, v.Message, nil, container.NewHBox(v.Reveal, v.Reload), note)
	v.Root = container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewStack(v.Empty, v.List))
	v.show(d.state.ended)
	return v
}

func (v *HistoryView) fillRow(c phone.CallInfo, row *fyne.Container) {
	// Border layout keeps the centre first, then left and right.
	centre := row.Objects[0].(*fyne.Container)
	icon := row.Objects[1].(*widget.Icon)
	dur := row.Objects[2].(*widget.Label)
	num := centre.Objects[0].(*widget.Label)
	detail := centre.Objects[1].(*widget.Label)

	n := callNumber(c)
	if !v.Reveal.Checked {
		n = MaskNumber(n)
	}
	num.SetText(n)
	if c.Direction == phone.Incoming {
		icon.SetResource(theme.NavigateBackIcon())
	} else {
		icon.SetResource(theme.NavigateNextIcon())
	}
	when := c.Created.Local().Format("02.01.2006 15:04")
	why := c.EndReason
	if c.Answered.IsZero() {
		if c.Direction == phone.Incoming {
			why = lang.L("missed")
		} else {
			why = lang.L("not answered")
		}
	} else if why != "" {
		why = lang.L(why)
	}
	detail.SetText(when + "  " + why)
	if c.Answered.IsZero() {
		dur.SetText("—")
	} else {
		dur.SetText(formatDuration(c.Ended.Sub(c.Answered)))
	}
	row.Refresh() // re-lay out: the texts changed width
}

// refresh reloads the history from the phone, or shows this session's calls.
func (v *HistoryView) refresh() {
	d := v.d
	if d.history == nil {
		v.show(d.state.ended)
		return
	}
	var list []phone.CallInfo
	d.do(func(ctx context.Context) error {
		var err error
		list, err = d.history.CallHistory(ctx, historyLimit)
		return err
	}, func(err error) {
		if d.Main == nil || d.Main.History != v {
			return
		}
		if err != nil {
			v.Message.SetText(errorText(err))
			v.Message.Show()
			v.show(d.state.ended)
			return
		}
		v.Message.Hide()
		v.show(list)
	})
}

func (v *HistoryView) show(list []phone.CallInfo) {
	v.Entries = list
	setVisible(v.Empty, len(list) == 0)
	v.List.Refresh()
}

// tick re-masks the numbers after revealFor.
func (v *HistoryView) tick(now time.Time) {
	if v.Reveal.Checked && now.Sub(v.revealedAt) >= revealFor {
		v.Reveal.SetChecked(false)
	}
}

// focusTarget is where the keyboard focus goes when the tab is chosen with
// the keyboard (ShortcutTabs): the list of calls, or Reload when it is empty.
func (v *HistoryView) focusTarget() fyne.Focusable {
	if len(v.Entries) > 0 {
		return v.List
	}
	return v.Reload
}
