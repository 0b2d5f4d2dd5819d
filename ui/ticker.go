package ui

import (
	"softphone/phone"
	"time"

	"fyne.io/fyne/v2"
)

// The once-a-second ticker: call timers, the idle lock, the level meters.

// touch records agent input for the idle lock.
func (d *Desktop) touch() { d.lastUser = d.opt.now() }

// startTicker drives call timers and the idle lock once a second.
func (d *Desktop) startTicker() {
	if d.opt.sync {
		return // tests call tick directly
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		// The level meters are polled at the stats rate (~15 Hz); without
		// level support the channel stays nil and never fires.
		var levels <-chan time.Time
		if d.levels != nil {
			lt := time.NewTicker(d.opt.statsRate)
			defer lt.Stop()
			levels = lt.C
		}
		for {
			select {
			case <-d.ctx.Done():
				return
			case <-t.C:
				fyne.Do(d.tick)
			case <-levels:
				fyne.Do(d.pollLevels)
			}
		}
	}()
}

// pollLevels updates the VU meters of calls with media. Fyne thread.
func (d *Desktop) pollLevels() {
	if d.ctx.Err() != nil || d.levels == nil || d.Main == nil {
		return
	}
	for _, c := range d.state.calls {
		if c.State != phone.CallActive && c.State != phone.CallHeld {
			continue
		}
		if p := d.Main.Calls.Panels[c.ID]; p != nil {
			mic, spk := d.levels.AudioLevels(c.ID)
			p.setLevels(mic, spk)
		}
	}
}

// tick updates timers and locks an idle session. Fyne thread.
func (d *Desktop) tick() {
	if d.ctx.Err() != nil {
		return
	}
	now := d.opt.now()
	if d.Main != nil {
		d.Main.tick(now)
	}
	d.panelTick(now)
	if d.screen == ScreenMain && d.opt.idleLock > 0 && len(d.state.calls) == 0 &&
		now.Sub(d.lastUser) >= d.opt.idleLock {
		d.log.Info("idle lock")
		d.lockNow()
	}
}
