package recording

// OnState registers fn for every state change. fn is first called with the
// current state, then with every later change, in order, from one goroutine.
// fn may call the recorder's methods except Close and OnState.
func (r *Recorder) OnState(fn func(State, string)) {
	r.cbMu.Lock()
	defer r.cbMu.Unlock()
	r.mu.Lock()
	st, why, seq := r.state, r.reason, r.stateSeq
	r.mu.Unlock()
	r.cbs = append(r.cbs, callback{fn: fn, since: seq})
	fn(st, why)
}

func (r *Recorder) kick() {
	select {
	case r.kickCh <- struct{}{}:
	default:
	}
}

func (r *Recorder) notifier() {
	defer close(r.notifyDone)
	for {
		select {
		case <-r.kickCh:
			r.deliver()
		case <-r.quit:
			r.deliver()
			return
		}
	}
}

// setStateLocked records the new state and queues it for the callbacks; mu is held.
func (r *Recorder) setStateLocked(st State, why string) {
	if st == r.state && why == r.reason {
		return
	}
	r.state, r.reason = st, why
	r.stateSeq++
	r.pending = append(r.pending, stateChange{st, why, r.stateSeq})
}

type stateChange struct {
	st  State
	why string
	seq uint64
}

type callback struct {
	fn    func(State, string)
	since uint64 // the state this callback was registered with
}

// deliver passes every queued state change, in order, to the callbacks.
func (r *Recorder) deliver() {
	r.cbMu.Lock()
	defer r.cbMu.Unlock()
	r.mu.Lock()
	changes := r.pending
	r.pending = nil
	r.mu.Unlock()
	for _, c := range changes {
		for _, cb := range r.cbs {
			if c.seq > cb.since {
				cb.fn(c.st, c.why)
			}
		}
	}
}
