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

// trimAfterPhases calls phaseDone as the agent's phases end (registered
// after a login, a call set up, a call ended) until ctx ends or the agent
// closes. The desktop runs it; the headless commands call phaseDone where
// they report the same changes.
func trimAfterPhases(ctx context.Context, env *cli, ag *phone.Agent) {
	registered := false
	active := map[string]bool{}
	ag.Watch(ctx, func(ev phone.Event) bool {
		switch e := ev.(type) {
		case phone.RegistrationChanged:
			now := e.Registration.State == phone.RegRegistered
			if now && !registered {
				env.phaseDone("login")
			}
			registered = now
		case phone.CallChanged:
			switch c := e.Call; {
			case c.State == phone.CallEnded:
				delete(active, c.ID)
				env.phaseDone("call ended")
			case c.State == phone.CallActive && !active[c.ID]:
				active[c.ID] = true
				env.phaseDone("call set up")
			}
		}
		return true
	})
}
