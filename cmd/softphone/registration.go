package main

import "softphone/phone"

// registrationFields is the JSON of a registration change: state, and for
// a failure the typed cause and the reason written for the agent.
func registrationFields(r phone.Registration) map[string]any {
	f := map[string]any{"state": r.State.String(), "aor": r.AOR}
	if r.State == phone.RegFailed {
		f["cause"] = r.Cause.String()
		f["reason"] = r.Reason
	}
	return f
}

// registration reports a change of the registration while calls run: a
// "registration" event when it fails (with its cause), and a "registered"
// event every time it comes back (registrar restart, lost TLS flow).
func (d *callDriver) registration(r phone.Registration) {
	switch {
	case r.State == phone.RegRegistered && d.reg != phone.RegRegistered:
		d.env.emit("registered", map[string]any{"aor": r.AOR, "again": true})
	case r.State == phone.RegFailed:
		d.env.emit("registration", registrationFields(r))
	}
	d.reg = r.State
}
