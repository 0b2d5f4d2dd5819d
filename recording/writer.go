package recording

import (
	"fmt"
	"os"
	"softphone/internal/filelock"
	"time"
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
