package phone

import (
	"encoding/xml"
	"strings"

	"softphone/sip"
)

// colleagueNotified applies one NOTIFY body (PIDF or dialog-info).
func (a *Agent) colleagueNotified(user string, n sip.Notification) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.presence.colleagues == nil {
		return
	}
	c := a.presence.colleagues[user]
	c.User = user
	switch {
	case strings.HasPrefix(n.Event, "presence"):
		c.Open, c.Note = parsePIDF(n.Body)
	case strings.HasPrefix(n.Event, "dialog"):
		c.Dialog = parseDialogInfo(n.Body)
	default:
		return
	}
	if old, ok := a.presence.colleagues[user]; ok && old == c {
		return
	}
	a.presence.colleagues[user] = c
	a.emitLocked(ColleagueChanged{c})
}

// parsePIDF reads the first tuple's basic status and note (RFC 3863).
func parsePIDF(body []byte) (open bool, note string) {
	var p struct {
		Tuples []struct {
			Basic string `xml:"status>basic"`
			Note  string `xml:"note"`
		} `xml:"tuple"`
		Note string `xml:"note"`
	}
	if xml.Unmarshal(body, &p) != nil || len(p.Tuples) == 0 {
		return false, ""
	}
	t := p.Tuples[0]
	note = strings.TrimSpace(t.Note)
	if note == "" {
		note = strings.TrimSpace(p.Note)
	}
	return strings.EqualFold(strings.TrimSpace(t.Basic), "open"), note
}

// parseDialogInfo sums up a dialog-info document (RFC 4235): in a call if
// any dialog is confirmed, ringing if any is early or trying, else idle.
func parseDialogInfo(body []byte) DialogState {
	var d struct {
		Dialogs []struct {
			State string `xml:"state"`
		} `xml:"dialog"`
	}
	if xml.Unmarshal(body, &d) != nil {
		return DialogUnknown
	}
	st := DialogIdle
	for _, x := range d.Dialogs {
		switch strings.TrimSpace(x.State) {
		case "confirmed":
			st = DialogInCall
		case "early", "trying", "proceeding":
			if st == DialogIdle {
				st = DialogRinging
			}
		}
	}
	return st
}

// Colleagues returns the watched colleagues' last known states.
func (a *Agent) Colleagues() []Colleague {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Colleague, 0, len(a.presence.colleagues))
	for _, c := range a.presence.colleagues {
		out = append(out, c)
	}
	return out
}
