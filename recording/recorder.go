package recording

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"softphone/internal/filelock"
)

// queueFrames is how many frames may wait for the writer (~4 s of both
// channels in 20 ms frames): enough to ride out a slow fsync on a busy disk.
// Frames that find no free buffer are dropped and counted (the recording is
// then marked incomplete).
const queueFrames = 400

// bufSamples is the size of one queue buffer; longer writes are split.
const bufSamples = 320

type frameMsg struct {
	flush bool
	ch    Channel
	pos   uint64
	buf   *[bufSamples]int16
	n     int
}

// Recorder records one call. Write methods may be called from the audio
// goroutines; control methods from anywhere. All methods are safe for
// concurrent use and never panic on I/O errors: a failing disk turns the
// recorder into NotRecording ("disk full") and the call goes on.
type Recorder struct {
	s     *Store
	call  CallMeta
	ref   string // customer pseudonym
	owner string
	log   *slog.Logger

	// opMu serialises control operations; the fields below it are only
	// touched with opMu held.
	opMu          sync.Mutex
	enabled       bool // policy or supervisor wants recording
	offBySup      bool // a supervisor switched it off
	consentNeeded bool
	consent       int // 0 unknown, 1 given, -1 refused
	optedOut      bool
	closed        bool
	closeErr      error
	created       bool
	id            string
	recID         [16]byte
	key           recordingKey
	lock          *filelock.File
	pauses        PauseReasons
	meta          Meta // recorder-owned fields: Pauses, Status, Ended, Duration, Segments, Dropped
	writerDone    chan struct{}
	dtmfTimer     *time.Timer

	// mu guards the gate and what Write touches; held only briefly.
	mu         sync.Mutex
	gate       bool // audio passes only while true
	state      State
	reason     string
	failed     bool
	failReason string
	pos        [3]uint64 // per channel sample position (index = Channel)
	dropped    int
	ch         chan frameMsg
	free       chan *[bufSamples]int16 // preallocated buffers: the audio path never allocates
	chClosed   bool
	pending    []stateChange // state changes not yet delivered to callbacks
	stateSeq   uint64        // number of the current state, for callbacks registered late

	discard  atomic.Bool  // writer: drop the open segment instead of sealing (opt-out)
	segments atomic.Int64 // sealed segments, written by the writer goroutine

	// notifier: one goroutine delivers state changes to callbacks in order.
	cbMu       sync.Mutex
	cbs        []callback
	kickCh     chan struct{}
	quit       chan struct{}
	notifyDone chan struct{}
}

func newRecorder(s *Store, call CallMeta, owner string, p Policy) *Recorder {
	r := &Recorder{
		s: s, owner: owner, log: s.log,
		ref:    Pseudonym(s.pkey, call.Number),
		kickCh: make(chan struct{}, 1), quit: make(chan struct{}), notifyDone: make(chan struct{}),
	}
	call.Number = "" // never kept
	r.call = call
	r.enabled = p != PolicyOff
	r.consentNeeded = p == PolicyAsk
	r.state, r.reason = NotRecording, "starting"
	go r.notifier()
	return r
}

// ID returns the recording id, or "" while nothing has been recorded.
func (r *Recorder) ID() string {
	r.opMu.Lock()
	defer r.opMu.Unlock()
	return r.id
}

// State returns what the recorder is doing now and why (e.g. "paused: payment").
func (r *Recorder) State() (State, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state, r.reason
}

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

// SetRecording switches recording on or off for this call (supervisor, admin).
func (r *Recorder) SetRecording(actor string, role Role, on bool) error {
	if !role.Can(PermToggle) {
		return ErrPermission
	}
	r.opMu.Lock()
	if r.closed {
		r.opMu.Unlock()
		return ErrClosed
	}
	if r.optedOut {
		r.opMu.Unlock()
		return ErrOptedOut
	}
	r.enabled, r.offBySup = on, !on
	err := r.applyLocked(actor)
	id := r.id
	r.opMu.Unlock()
	r.kick()
	return errors.Join(err, r.s.audit(actToggle, actor, map[string]string{
		"call": r.call.CallID, "recording": id, "on": strconv.FormatBool(on)}))
}

// Consent records the customer's answer under the "ask" policy. A refusal
// after recording started is an opt-out.
func (r *Recorder) Consent(actor string, granted bool) error {
	r.opMu.Lock()
	if r.closed {
		r.opMu.Unlock()
		return ErrClosed
	}
	created := r.created
	if granted {
		r.consent = 1
	} else {
		r.consent = -1
	}
	err := r.applyLocked(actor)
	r.opMu.Unlock()
	r.kick()
	err = errors.Join(err, r.s.audit(actConsent, actor, map[string]string{"call": r.call.CallID, "granted": strconv.FormatBool(granted)}))
	if !granted && created {
		return errors.Join(err, r.OptOut(actor))
	}
	return err
}

// OptOut stops recording at once and deletes what was recorded of this call.
func (r *Recorder) OptOut(actor string) error {
	r.opMu.Lock()
	if r.optedOut {
		r.opMu.Unlock()
		return nil
	}
	if r.closed {
		// After the call, deleting is a supervisor's decision (Store.Delete).
		r.opMu.Unlock()
		return ErrClosed
	}
	r.optedOut = true
	err := r.applyLocked(actor) // closes the gate before anything else
	var shredErr error
	if r.created {
		r.discard.Store(true)
		r.stopWriterLocked()
		// Release the lock file first: Windows cannot remove an open file.
		r.lock.Close()
		shredErr = r.s.shred(r.id, actor, "customer opted out", actOptOut, true)
		if shredErr != nil {
			// Not deleted (legal hold, index error): seal what exists so it is
			// not left "active", and say why.
			now := r.s.now()
			r.meta.Status, r.meta.Reason = StatusIncomplete, "customer opted out; not deleted: "+shortErr(shredErr)
			r.meta.Ended, r.meta.Duration = now, now.Sub(r.meta.Started)
			r.closeIntervalLocked(now)
			shredErr = errors.Join(shredErr, r.persistLocked())
		}
		r.s.unregister(r.id)
	} else {
		shredErr = r.s.audit(actOptOut, actor, map[string]string{"call": r.call.CallID, "recorded": "false"})
	}
	r.opMu.Unlock()
	r.kick()
	return errors.Join(err, shredErr)
}

// Flag marks this call's recording for review.
func (r *Recorder) Flag(actor, reason string) error {
	id := r.ID()
	if id == "" {
		return ErrNotRecorded
	}
	return r.s.flag(actor, id, reason, false)
}

// Close stops recording and seals the recording (complete, or incomplete
// after a write failure). It is idempotent.
func (r *Recorder) Close() error {
	r.opMu.Lock()
	if r.closed {
		r.opMu.Unlock()
		return r.closeErr
	}
	r.closed = true
	if r.dtmfTimer != nil {
		r.dtmfTimer.Stop()
	}
	var errs []error
	errs = append(errs, r.applyLocked(r.owner))
	if r.created && !r.optedOut {
		r.stopWriterLocked()
		now := r.s.now()
		r.mu.Lock()
		failed, why, dropped := r.failed, r.failReason, r.dropped
		r.mu.Unlock()
		r.meta.Status = StatusComplete
		r.meta.Reason = ""
		if failed {
			r.meta.Status, r.meta.Reason = StatusIncomplete, why
		} else if dropped > 0 {
			r.meta.Status, r.meta.Reason = StatusIncomplete, "audio frames dropped (writer too slow)"
		}
		r.meta.Dropped = dropped
		r.meta.Ended = now
		r.meta.Duration = now.Sub(r.meta.Started)
		r.closeIntervalLocked(now)
		errs = append(errs, r.persistLocked())
		errs = append(errs, r.s.audit(actStop, r.owner, map[string]string{
			"recording": r.id, "status": r.meta.Status.String(), "segments": strconv.Itoa(r.meta.Segments)}))
		errs = append(errs, r.lock.Close())
		r.s.unregister(r.id)
	}
	r.closeErr = errors.Join(errs...)
	r.opMu.Unlock()
	close(r.quit)
	<-r.notifyDone
	return r.closeErr
}

// stopWriterLocked closes the queue and waits for the writer to finish.
func (r *Recorder) stopWriterLocked() {
	r.mu.Lock()
	ch := r.ch
	already := r.chClosed
	r.chClosed, r.gate = true, false
	r.mu.Unlock()
	if ch != nil && !already {
		close(ch)
	}
	if r.writerDone != nil {
		<-r.writerDone
	}
	r.meta.Segments = int(r.segments.Load())
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

// createLocked makes the recording: id, key, directory, lock, index row, writer.
func (r *Recorder) createLocked(actor string) error {
	id, recID := newID()
	dir := r.s.recDir(id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("recording directory: %w", err)
	}
	lk, err := filelock.OpenTry(dir + string(os.PathSeparator) + "lock")
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("lock recording: %w", err)
	}
	key, err := newRecordingKey()
	if err != nil {
		lk.Close()
		os.RemoveAll(dir)
		return err
	}
	wrapped, err := key.wrap(r.s.cfg.Recipients)
	if err != nil {
		lk.Close()
		os.RemoveAll(dir)
		return err
	}
	now := r.s.now()
	r.meta = Meta{
		ID: id, CallID: r.call.CallID, Owner: r.owner, Direction: r.call.Direction, CustomerRef: r.ref,
		Started: now, Status: StatusActive, RetainUntil: now.AddDate(0, 0, r.s.cfg.RetentionDays),
	}
	if err := r.s.insert(row{meta: r.meta, wrapped: wrapped}); err != nil {
		lk.Close()
		os.RemoveAll(dir)
		return err
	}
	r.id, r.recID, r.key, r.lock, r.created = id, recID, key, lk, true
	r.s.register(id, r)
	ch := make(chan frameMsg, queueFrames+4) // spare slots for flush requests
	free := make(chan *[bufSamples]int16, queueFrames)
	for range queueFrames {
		free <- new([bufSamples]int16)
	}
	r.writerDone = make(chan struct{})
	r.mu.Lock()
	r.ch, r.free = ch, free
	r.mu.Unlock()
	go r.runWriter(ch, free, dir)
	r.log.Info("recording started", "recording", id)
	r.s.audit(actStart, actor, map[string]string{"recording": id, "call": r.call.CallID, "direction": r.call.Direction})
	return nil
}

// persistLocked writes the recorder-owned fields to the index.
func (r *Recorder) persistLocked() error {
	m := r.meta
	m.Segments = max(m.Segments, int(r.segments.Load()))
	_, err := r.s.update(r.id, func(dst *Meta, _ *[]byte) error {
		dst.Pauses = append([]Interval(nil), m.Pauses...)
		dst.Status, dst.Reason = m.Status, m.Reason
		dst.Ended, dst.Duration = m.Ended, m.Duration
		dst.Segments, dst.Dropped = m.Segments, m.Dropped
		return nil
	})
	return err
}

// flush asks the writer to seal the open segment (best effort, never blocks).
func (r *Recorder) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ch == nil || r.chClosed {
		return
	}
	select {
	case r.ch <- frameMsg{flush: true}:
	default:
	}
}

// runWriter owns the open segment: it encrypts queued frames and rotates
// segments at least every SegmentDuration.
func (r *Recorder) runWriter(ch <-chan frameMsg, free chan<- *[bufSamples]int16, dir string) {
	defer close(r.writerDone)
	var seg *segment
	failed := false
	seal := func() {
		if seg == nil {
			return
		}
		err := seg.seal()
		seg = nil
		if err != nil {
			failed = true
			r.fail(err)
			return
		}
		r.segments.Add(1)
	}
	tick := time.NewTicker(r.s.cfg.SegmentDuration / 4)
	defer tick.Stop()
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				if seg != nil && (r.discard.Load() || failed) {
					seg.abort()
				} else {
					seal()
				}
				return
			}
			if m.flush {
				seal()
				continue
			}
			if failed {
				free <- m.buf
				continue
			}
			if seg == nil {
				var err error
				seg, err = openSegment(dir, int(r.segments.Load())+1, r.recID, r.key.id.Recipient(), r.s.wrapFile)
				if err != nil {
					failed = true
					r.fail(err)
					free <- m.buf
					continue
				}
			}
			err := seg.write(m.ch, m.pos, m.buf[:m.n])
			free <- m.buf
			if err != nil {
				seg.abort()
				seg = nil
				failed = true
				r.fail(err)
				continue
			}
			if seg.plain >= segMaxPlain {
				seal()
			}
		case <-tick.C:
			if seg != nil && time.Since(seg.opened) >= r.s.cfg.SegmentDuration {
				seal()
			}
		}
	}
}

// fail switches the recorder to NotRecording after a write error. It runs on
// the writer goroutine and takes only mu, never opMu.
func (r *Recorder) fail(err error) {
	why := "write error"
	if isDiskFull(err) {
		why = "disk full"
	}
	r.mu.Lock()
	r.failed, r.failReason, r.gate = true, why, false
	r.setStateLocked(NotRecording, why)
	r.mu.Unlock()
	r.log.Error("recording failed; the call goes on without recording", "recording", r.id, "reason", why, "err", err)
	r.s.audit(actFail, "system:recording", map[string]string{"recording": r.id, "reason": why})
	r.kick()
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

func shortErr(err error) string {
	if isDiskFull(err) {
		return "disk full"
	}
	s := err.Error()
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
