package main

import (
	"strings"
	"testing"

	"softphone/phone"
)

// Each one-time phase is named once: the registration (again after it
// failed), a call's first "active" (not again after a hold), its end.
func TestPhasesEnded(t *testing.T) {
	reg := func(s phone.RegState) phone.Event {
		return phone.RegistrationChanged{Registration: phone.Registration{State: s}}
	}
	call := func(id string, s phone.CallState) phone.Event {
		return phone.CallChanged{Call: phone.CallInfo{ID: id, State: s}}
	}
	events := []phone.Event{
		reg(phone.RegRegistered), reg(phone.RegRegistered),
		call("a", phone.CallRinging), call("a", phone.CallActive), call("a", phone.CallHeld), call("a", phone.CallActive),
		call("b", phone.CallActive), call("a", phone.CallEnded),
		reg(phone.RegFailed), reg(phone.RegRegistered),
		call("b", phone.CallEnded),
	}
	var p phases
	var got []string
	for _, ev := range events {
		if phase := p.ended(ev); phase != "" {
			got = append(got, phase)
		}
	}
	want := "login, call set up, call set up, call ended, login, call ended"
	if s := strings.Join(got, ", "); s != want {
		t.Fatalf("phases = %s\nwant     %s", s, want)
	}
}
