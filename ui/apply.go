package ui

import (
	"softphone/phone"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// How phone events change the desktop's state (Fyne thread).

// deskState is what the phone told us, as applied on the Fyne thread.
type deskState struct {
	login      phone.Login
	reg        phone.Registration
	calls      []phone.CallInfo // live calls, oldest first
	stats      map[string]phone.CallStats
	ended      []phone.CallInfo // calls ended in this session, newest first
	lastEnd    *phone.CallInfo  // the last ended call, shown for a while
	agent      *phone.AgentStatus
	missed     []phone.MissedCall
	colleagues map[string]phone.Colleague
}

// applySnapshot replaces the state with a snapshot.
func (d *Desktop) applySnapshot(s phone.Snapshot) {
	d.state.login = s.Login
	d.state.reg = s.Registration
	d.state.calls = append([]phone.CallInfo(nil), s.Calls...)
	d.updateRinging()
}

// apply handles one phone event. Fyne thread.
func (d *Desktop) apply(ev phone.Event) {
	switch e := ev.(type) {
	case phone.RegistrationChanged:
		d.state.reg = e.Registration
		if d.Main != nil {
			d.Main.applyRegistration()
		}
		d.dialPendingLink()
	case phone.LoginChanged:
		d.applyLogin(e.Login)
	case phone.CallChanged:
		d.applyCall(e.Call)
	case phone.DTMFReceived:
		if d.Main != nil {
			d.Main.Calls.dtmfReceived(e.CallID, e.Digit)
		}
	case phone.StatsUpdated:
		d.applyStats(map[string]phone.CallStats{e.CallID: e.Stats})
	case phone.QualityWarning, phone.QualityCleared:
		d.applyQuality(e)
	case phone.ColleagueChanged:
		if d.state.colleagues == nil {
			d.state.colleagues = map[string]phone.Colleague{}
		}
		d.state.colleagues[e.Colleague.User] = e.Colleague
		if d.Main != nil {
			d.Main.Colleagues.apply(e.Colleague)
		}
	case phone.DeviceChanged:
		if d.Main != nil {
			d.Main.applyDeviceChange(e)
		}
	case phone.SupervisorActed:
		if d.Main != nil {
			d.Main.applySupervisor(e)
		}
	case phone.MissedCallsChanged:
		d.state.missed = e.Calls
		if d.Main != nil && d.Main.Missed != nil {
			d.Main.Missed.show(e.Calls)
		}
	case phone.AgentStateChanged:
		s := e.Status
		d.state.agent = &s
		if d.Main != nil && d.Main.AgentState != nil {
			d.Main.AgentState.apply(s)
		}
	}
	d.panelEvent(ev)
}

// applyLogin follows a lock, unlock or logout that happened elsewhere
// (idle lock in the phone, a headless command). Logging in is routed by the
// login and enrolment views themselves, so the recovery codes stay on
// screen until the agent has stored them.
func (d *Desktop) applyLogin(l phone.Login) {
	d.state.login = l
	switch {
	case !l.LoggedIn && (d.screen == ScreenMain || d.screen == ScreenLock):
		d.showLogin("", false)
	case l.LoggedIn && l.Locked && d.screen == ScreenMain:
		d.showLock("")
	case l.LoggedIn && !l.Locked && d.screen == ScreenLock:
		d.loggedIn()
	}
}

// applyCall merges a call change into the state.
func (d *Desktop) applyCall(c phone.CallInfo) {
	if c.Feature {
		return // the phone's own queue pause/unpause call
	}
	idx := -1
	for i := range d.state.calls {
		if d.state.calls[i].ID == c.ID {
			idx = i
			break
		}
	}
	newIncoming := idx < 0 && c.State == phone.CallIncoming
	switch {
	case c.State == phone.CallEnded:
		if idx >= 0 {
			d.state.calls = append(d.state.calls[:idx], d.state.calls[idx+1:]...)
		}
		delete(d.state.stats, c.ID)
		d.state.ended = append([]phone.CallInfo{c}, d.state.ended...)
		if len(d.state.ended) > historyLimit {
			d.state.ended = d.state.ended[:historyLimit]
		}
		end := c
		d.state.lastEnd = &end
		if len(d.state.calls) == 0 {
			// The idle period starts again when the last call ends, so the
			// desktop does not lock the moment a long call is over.
			d.touch()
		}
	case idx >= 0:
		d.state.calls[idx] = c
	default:
		d.state.calls = append(d.state.calls, c)
	}
	d.updateRinging()
	if newIncoming {
		d.notifyIncoming(c)
	}
	if d.Lock != nil {
		d.Lock.showCalls(d.state.calls)
	}
	if d.Main != nil {
		d.Main.applyCalls()
		if c.State == phone.CallEnded {
			d.Main.History.refresh()
		}
	}
}

// applyStats stores coalesced statistics and shows them.
func (d *Desktop) applyStats(m map[string]phone.CallStats) {
	for id, s := range m {
		if d.findCall(id) == nil {
			continue // ended meanwhile
		}
		d.state.stats[id] = s
	}
	if d.Main != nil {
		d.Main.Calls.applyStats(d.state.stats)
	}
}

func (d *Desktop) findCall(id string) *phone.CallInfo {
	for i := range d.state.calls {
		if d.state.calls[i].ID == id {
			return &d.state.calls[i]
		}
	}
	return nil
}

// updateRinging rings while any call is incoming.
func (d *Desktop) updateRinging() {
	ring := false
	for _, c := range d.state.calls {
		if c.State == phone.CallIncoming {
			ring = true
		}
	}
	d.setRinging(ring)
}

func (d *Desktop) setRinging(on bool) {
	if on == d.ringing {
		return
	}
	d.ringing = on
	if d.ringer != nil {
		d.ringer.Ring(on)
	}
}

// notifyIncoming raises a desktop notification (masked number only) and
// brings the window forward.
func (d *Desktop) notifyIncoming(c phone.CallInfo) {
	d.app.SendNotification(fyne.NewNotification(lang.L("Incoming call"), MaskNumber(callNumber(c))))
	d.win.RequestFocus()
}

// callNumber is what identifies the far end: the number, else the URI.
func callNumber(c phone.CallInfo) string {
	if c.Number != "" {
		return c.Number
	}
	return c.Remote
}

// working is the call the agent works on: the oldest call that is not
// waiting to be answered. Shortcuts for hang up, mute and hold act on it.
func (d *Desktop) working() *phone.CallInfo {
	for i := range d.state.calls {
		if d.state.calls[i].State != phone.CallIncoming {
			return &d.state.calls[i]
		}
	}
	return nil
}

// waiting is the oldest incoming call (the one Answer picks up).
func (d *Desktop) waiting() *phone.CallInfo {
	for i := range d.state.calls {
		if d.state.calls[i].State == phone.CallIncoming {
			return &d.state.calls[i]
		}
	}
	return nil
}

// focusCall is the call the sidebar shows: the working call, else the
// waiting one.
func (d *Desktop) focusCall() *phone.CallInfo {
	if c := d.working(); c != nil {
		return c
	}
	return d.waiting()
}
