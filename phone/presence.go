package phone

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"softphone/sip"
)

// Presence and BLF: the agent's state is published as RFC 3856 presence
// (PIDF: open only when available, the state in the note) and its calls
// as RFC 4235 dialog state; colleagues' are watched by subscription.

// defaultPresenceExpires is the lifetime of publications and
// subscriptions when Config.PresenceExpires is 0.
const defaultPresenceExpires = 10 * time.Minute

// DialogState is what a colleague's phone is doing, from dialog events.
type DialogState int

// Dialog states.
const (
	DialogUnknown DialogState = iota // no state received yet
	DialogIdle                       // no call
	DialogRinging                    // a call is ringing (early)
	DialogInCall                     // on a call (confirmed)
)

// String returns "unknown", "idle", "ringing" or "in_call".
func (s DialogState) String() string {
	switch s {
	case DialogIdle:
		return "idle"
	case DialogRinging:
		return "ringing"
	case DialogInCall:
		return "in_call"
	}
	return "unknown"
}

// Colleague is a watched colleague's state.
type Colleague struct {
	User   string
	Open   bool   // presence basic status: open = available for calls
	Note   string // their agent state as published ("available", "not_ready", "acw")
	Dialog DialogState
}

// ColleagueChanged is sent when a watched colleague's state changes.
type ColleagueChanged struct{ Colleague Colleague }

func (ColleagueChanged) isEvent() {}

// presenceState is what we last published; guarded by Agent.mu.
type presenceState struct {
	kick       chan struct{} // wakes the publisher
	pres, dlg  sip.Publication
	note       string
	dialog     DialogState
	colleagues map[string]Colleague
	rereg      chan struct{} // closed (and replaced) at a re-registration
}

// startPresenceLocked starts the publisher and the colleague watches once
// registered, when presence is configured. a.mu is held.
func (a *Agent) startPresenceLocked(ua *sip.UA) {
	w := a.cfg.Settings.Workday
	if !w.Presence || a.presence.kick != nil {
		return
	}
	a.presence.kick = make(chan struct{}, 1)
	a.presence.colleagues = map[string]Colleague{}
	a.presence.rereg = make(chan struct{})
	a.kickPresenceLocked()
	a.wg.Add(1)
	go a.publishPresence(ua, a.presence.kick)
	for _, user := range w.Colleagues {
		a.wg.Add(1)
		go a.watchColleague(ua, user)
	}
}

// kickPresenceLocked asks the publisher to publish the current state.
func (a *Agent) kickPresenceLocked() {
	if a.presence.kick == nil {
		return
	}
	select {
	case a.presence.kick <- struct{}{}:
	default:
	}
}

// dialogStateLocked sums up our calls for BLF.
func (a *Agent) dialogStateLocked() DialogState {
	st := DialogIdle
	for _, c := range a.calls {
		switch c.info.State {
		case CallIncoming, CallDialing, CallRinging:
			if st == DialogIdle {
				st = DialogRinging
			}
		case CallActive, CallHeld:
			st = DialogInCall
		}
	}
	return st
}

func pidf(entity string, open bool, note string) []byte {
	basic := "closed"
	if open {
		basic = "open"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="%s">`+
		`<tuple id="agent"><status><basic>%s</basic></status><note>%s</note></tuple></presence>`, xmlText(entity), basic, xmlText(note))
	return b.Bytes()
}

func dialogInfo(entity string, st DialogState) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="%d" state="full" entity="%s">`,
		time.Now().Unix()%1_000_000, xmlText(entity))
	switch st {
	case DialogRinging:
		b.WriteString(`<dialog id="agent"><state>early</state></dialog>`)
	case DialogInCall:
		b.WriteString(`<dialog id="agent"><state>confirmed</state></dialog>`)
	}
	b.WriteString(`</dialog-info>`)
	return b.Bytes()
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
