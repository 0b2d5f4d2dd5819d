package main

import (
	"context"

	"softphone/internal/workingset"
	"softphone/phone"
)

// phaseDone gives back the code pages a one-time phase touched (start-up
// and login, a call's set-up, a call's end) once it is over, the program's
// and its libraries' (workingset.Trim): the kernel maps code in 64 KiB
// windows and never unmaps them, so without this the RSS keeps every
// window ever touched, though the next phase touches far fewer. A page
// still in use comes back by a minor fault, from the page cache.
func (c *cli) phaseDone(phase string) {
	n, err := workingset.Trim()
	if err != nil {
		c.log.Warn("working set not trimmed", "phase", phase, "err", err)
		return
	}
	c.log.Debug("working set trimmed", "phase", phase, "mapped_bytes", n)
}

// phases follows the agent's events and names the one-time phase an event
// ends: "login" when the agent is registered (again after a failure), "call
// set up" when a call first becomes active (not again after a hold), "call
// ended". The desktop and the headless commands both trim through it.
type phases struct {
	registered bool
	active     map[string]bool // calls that were active and have not ended
}

// ended is the phase ev ends, or "".
func (p *phases) ended(ev phone.Event) string {
	switch e := ev.(type) {
	case phone.RegistrationChanged:
		was := p.registered
		p.registered = e.Registration.State == phone.RegRegistered
		if p.registered && !was {
			return "login"
		}
	case phone.CallChanged:
		switch c := e.Call; {
		case c.State == phone.CallEnded:
			delete(p.active, c.ID)
			return "call ended"
		case c.State == phone.CallActive && !p.active[c.ID]:
			if p.active == nil {
				p.active = make(map[string]bool)
			}
			p.active[c.ID] = true
			return "call set up"
		}
	}
	return ""
}

// trimAfterPhases calls phaseDone as the agent's phases end, until ctx
// ends or the agent closes (the desktop; the headless commands trim in
// their own event loop, before they print the event).
func trimAfterPhases(ctx context.Context, env *cli, ag *phone.Agent) {
	var p phases
	ag.Watch(ctx, func(ev phone.Event) bool {
		if phase := p.ended(ev); phase != "" {
			env.phaseDone(phase)
		}
		return true
	})
}
