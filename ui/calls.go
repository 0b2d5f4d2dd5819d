package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/assets"
	"softphone/phone"
)

// buttonWidth is the width of every call control button.
const buttonWidth = 134

// endedShown is how long the "call ended" line stays after a call.
const endedShown = 8 * time.Second

// CallsView shows one CallPanel per live call, oldest first, so a second
// incoming call appears below the first without disturbing it.
type CallsView struct {
	d *Desktop
	// Root is the view's content.
	Root fyne.CanvasObject

	// Panels maps call ID to its panel.
	Panels map[string]*CallPanel
	// Idle is shown when there is no call.
	Idle *fyne.Container
	// Ended tells how the last call ended, for a few seconds.
	Ended *widget.Label

	list    *fyne.Container
	endedAt time.Time
}

func newCallsView(d *Desktop) *CallsView {
	v := &CallsView{d: d, Panels: map[string]*CallPanel{}}
	v.list = container.NewVBox()
	v.Ended = widget.NewLabel("")
	v.Ended.Importance = widget.LowImportance
	v.Ended.Hide()
	icon := widget.NewIcon(theme.NewDisabledResource(assets.IconCall.Resource()))
	idleText := widget.NewLabelWithStyle(lang.L("No call"), fyne.TextAlignCenter, fyne.TextStyle{})
	idleText.Importance = widget.LowImportance
	hint := widget.NewLabelWithStyle(tip(lang.L("Incoming calls appear here. Answer"), ShortcutAnswer),
		fyne.TextAlignCenter, fyne.TextStyle{})
	hint.Importance = widget.LowImportance
	v.Idle = container.NewCenter(container.NewVBox(
		container.NewCenter(container.New(fixedWidth{72}, icon)), idleText, hint))
	v.Root = container.NewBorder(nil, container.NewPadded(v.Ended), nil, nil,
		container.NewStack(v.Idle, container.NewVScroll(container.NewPadded(v.list))))
	return v
}

// apply syncs the panels with the live calls.
func (v *CallsView) apply(calls []phone.CallInfo, lastEnd *phone.CallInfo) {
	live := map[string]bool{}
	changed := false
	for _, c := range calls {
		live[c.ID] = true
		p, ok := v.Panels[c.ID]
		if !ok {
			p = newCallPanel(v.d, c)
			v.Panels[c.ID] = p
			changed = true
		}
		p.update(c)
	}
	for id := range v.Panels {
		if !live[id] {
			delete(v.Panels, id)
			changed = true
		}
	}
	if changed {
		v.list.RemoveAll()
		for _, c := range calls {
			v.list.Add(v.Panels[c.ID].Root)
		}
	}
	if len(calls) == 0 {
		v.Idle.Show()
	} else {
		v.Idle.Hide()
	}
	if lastEnd != nil && v.d.opt.now().Sub(lastEnd.Ended) < endedShown {
		why := lastEnd.EndReason
		if why == "" {
			why = lang.L("call ended")
		} else {
			why = lang.L(why)
		}
		v.Ended.SetText(lang.L("Last call {{.Number}}: {{.Reason}}, {{.Duration}}", map[string]any{
			"Number": MaskNumber(callNumber(*lastEnd)), "Reason": why, "Duration": talkTime(*lastEnd, lastEnd.Ended),
		}))
		v.Ended.Show()
		v.endedAt = lastEnd.Ended
	}
	v.refreshFocus()
}

// refreshFocus marks the panel the shortcuts act on.
func (v *CallsView) refreshFocus() {
	w := v.d.working()
	for id, p := range v.Panels {
		p.setCurrent(w != nil && w.ID == id)
	}
}

func (v *CallsView) tick(now time.Time) {
	for _, p := range v.Panels {
		p.tick(now)
	}
	if v.Ended.Visible() && now.Sub(v.endedAt) >= endedShown {
		v.Ended.Hide()
	}
}

func (v *CallsView) applyStats(m map[string]phone.CallStats) {
	for id, s := range m {
		if p, ok := v.Panels[id]; ok {
			p.setStats(s)
		}
	}
}

func (v *CallsView) dtmfReceived(id string, digit rune) {
	if p, ok := v.Panels[id]; ok {
		p.DTMFLog.SetText(lang.L("Received tones: {{.Digits}}", map[string]any{"Digits": p.addReceived(digit)}))
		p.DTMFLog.Show()
	}
}

// answerWaiting answers the oldest incoming call (shortcut).
// answerWaiting answers the oldest waiting call; false if none waits.
func (v *CallsView) answerWaiting() bool {
	c := v.d.waiting()
	if c == nil {
		return false
	}
	v.Panels[c.ID].answer()
	return true
}

// hangupCurrent ends the working call, else declines the waiting one.
func (v *CallsView) hangupCurrent() {
	if c := v.d.working(); c != nil {
		v.Panels[c.ID].hangup()
		return
	}
	if c := v.d.waiting(); c != nil {
		v.Panels[c.ID].decline()
	}
}

func (v *CallsView) toggleMute() {
	if c := v.d.working(); c != nil {
		v.Panels[c.ID].toggleMute()
	}
}

func (v *CallsView) toggleHold() {
	if c := v.d.working(); c != nil {
		v.Panels[c.ID].toggleHold()
	}
}

// setVisible shows or hides o.
func setVisible(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}
