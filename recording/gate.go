package recording

import (
	"errors"
	"strings"
	"time"
)

// WriteAgent hands over captured agent audio (8 kHz mono). It never blocks on I/O.
func (r *Recorder) WriteAgent(pcm []int16) { r.write(ChannelAgent, pcm) }

// WriteCustomer hands over played customer audio (8 kHz mono). It never blocks on I/O.
func (r *Recorder) WriteCustomer(pcm []int16) { r.write(ChannelCustomer, pcm) }

func (r *Recorder) write(c Channel, pcm []int16) {
	if len(pcm) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pos[c]
	r.pos[c] += uint64(len(pcm))
	// The gate: audio of a paused or stopped stretch is dropped here, before
	// it is copied, queued or encrypted.
	if !r.gate || r.chClosed {
		return
	}
	for len(pcm) > 0 {
		n := min(len(pcm), bufSamples)
		select {
		case b := <-r.free:
			copy(b[:], pcm[:n])
			select {
			case r.ch <- frameMsg{ch: c, pos: p, buf: b, n: n}:
			default: // only if flush requests fill the spare slots
				r.dropped++
				r.free <- b
			}
		default:
			r.dropped++
		}
		pcm, p = pcm[n:], p+uint64(n)
	}
}

// Pause closes the gate for reason (the set of reasons grows).
func (r *Recorder) Pause(reason PauseReason) error {
	return r.changePauses(reason, true)
}

// Resume removes reason; the gate opens when no reason is left.
func (r *Recorder) Resume(reason PauseReason) error {
	return r.changePauses(reason, false)
}

func (r *Recorder) changePauses(reason PauseReason, on bool) error {
	r.opMu.Lock()
	if r.closed {
		r.opMu.Unlock()
		return ErrClosed
	}
	before := r.pauses
	if on {
		r.pauses |= PauseReasons(reason)
	} else {
		r.pauses &^= PauseReasons(reason)
	}
	changed := before != r.pauses
	err := r.applyLocked(r.owner)
	id, active := r.id, r.pauses.String()
	r.opMu.Unlock()
	r.kick()
	if changed && id != "" {
		act := actPause
		if !on {
			act = actResume
		}
		st, _ := r.State()
		err = errors.Join(err, r.s.audit(act, r.owner, map[string]string{
			"recording": id, "reason": reason.String(), "active_reasons": active, "state": st.String()}))
	}
	return err
}

// Payment is called when the CRM reports that a payment starts (true) or
// ends (false): with Config.AutoPausePayment it pauses/resumes with reason
// payment; otherwise it does nothing.
func (r *Recorder) Payment(inProgress bool) error {
	if !r.s.cfg.AutoPausePayment {
		return nil
	}
	if inProgress {
		return r.Pause(PausePayment)
	}
	return r.Resume(PausePayment)
}

// PromptDTMF is called when the configured prompt for keyed digits plays:
// the recorder pauses (reason dtmf) until DTMFIdle passes without a digit or
// the customer presses '#'. Without Config.AutoPauseDTMF it does nothing.
func (r *Recorder) PromptDTMF() error {
	if !r.s.cfg.AutoPauseDTMF {
		return nil
	}
	if err := r.Pause(PauseDTMF); err != nil {
		return err
	}
	r.resetDTMF()
	return nil
}

// DTMF reports a digit the customer keyed (RFC 4733 or INFO).
func (r *Recorder) DTMF(digit rune) {
	r.opMu.Lock()
	armed := r.pauses.Has(PauseDTMF) && !r.closed
	r.opMu.Unlock()
	if !armed {
		return
	}
	if digit == '#' {
		r.opMu.Lock()
		if r.dtmfTimer != nil {
			r.dtmfTimer.Stop()
		}
		r.opMu.Unlock()
		r.Resume(PauseDTMF)
		return
	}
	r.resetDTMF()
}

func (r *Recorder) resetDTMF() {
	r.opMu.Lock()
	defer r.opMu.Unlock()
	if r.closed {
		return
	}
	if r.dtmfTimer != nil {
		r.dtmfTimer.Stop()
	}
	r.dtmfTimer = time.AfterFunc(r.s.cfg.DTMFIdle, func() { r.Resume(PauseDTMF) })
}

// desiredLocked is the state the control inputs ask for.
func (r *Recorder) desiredLocked() (State, string) {
	switch {
	case r.closed:
		return NotRecording, "stopped"
	case r.optedOut:
		return NotRecording, "customer opted out"
	case !r.enabled && r.offBySup:
		return NotRecording, "switched off by supervisor"
	case !r.enabled:
		return NotRecording, "recording policy is off"
	case r.consent < 0:
		return NotRecording, "customer declined recording"
	case r.consentNeeded && r.consent == 0:
		return NotRecording, "waiting for customer consent"
	case r.pauses != 0:
		return Paused, "paused: " + strings.Join(r.pauses.List(), ", ")
	}
	return Recording, ""
}

// applyLocked moves the recorder to the desired state: creating the
// recording on first use, then setting the gate.
func (r *Recorder) applyLocked(actor string) error {
	want, why := r.desiredLocked()
	var err error
	if want == Recording && !r.created {
		if err = r.createLocked(actor); err != nil {
			r.log.Error("recording could not start", "err", err)
			r.mu.Lock()
			r.failed, r.failReason = true, "cannot start: "+shortErr(err)
			r.mu.Unlock()
		}
	}
	now := r.s.now()
	r.mu.Lock()
	if r.failed {
		want, why = NotRecording, r.failReason
	}
	prev := r.state
	r.gate = want == Recording && !r.chClosed
	r.setStateLocked(want, why)
	r.mu.Unlock()
	if !r.created || r.optedOut || r.closed {
		return err // Close seals the intervals itself
	}
	switch {
	case prev == Recording && want != Recording:
		r.meta.Pauses = append(r.meta.Pauses, Interval{Start: now, Reasons: r.gapReasonsLocked()})
		r.flush()
	case prev != Recording && want == Recording:
		r.closeIntervalLocked(now)
	case want != Recording:
		if k := len(r.meta.Pauses); k > 0 && r.meta.Pauses[k-1].End.IsZero() {
			r.meta.Pauses[k-1].Reasons = union(r.meta.Pauses[k-1].Reasons, r.gapReasonsLocked())
		}
	default:
		return err
	}
	return errors.Join(err, r.persistLocked())
}

func (r *Recorder) gapReasonsLocked() []string {
	out := r.pauses.List()
	if !r.enabled {
		out = append(out, "off")
	}
	if r.failed {
		out = append(out, "failed")
	}
	if r.closed {
		out = append(out, "stopped")
	}
	return out
}

func (r *Recorder) closeIntervalLocked(now time.Time) {
	if k := len(r.meta.Pauses); k > 0 && r.meta.Pauses[k-1].End.IsZero() {
		r.meta.Pauses[k-1].End = now
	}
}

func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, x := range b {
		found := false
		for _, y := range out {
			found = found || x == y
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}
