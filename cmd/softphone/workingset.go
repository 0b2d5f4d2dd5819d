package main

import "softphone/internal/workingset"

// phaseDone gives back the code pages a one-time phase touched (start-up
// and login, a call's set-up, a call's end) once it is over: the kernel
// maps a process's code in 64 KiB windows and never unmaps them, so
// without this the RSS keeps every window ever touched, though the next
// phase touches far fewer. A page still in use comes back by a minor
// fault, from the page cache.
func (c *cli) phaseDone(phase string) {
	n, err := workingset.Trim()
	if err != nil {
		c.log.Warn("working set not trimmed", "phase", phase, "err", err)
		return
	}
	c.log.Debug("working set trimmed", "phase", phase, "mapped_bytes", n)
}
