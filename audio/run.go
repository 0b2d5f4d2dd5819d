package audio

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// maxCatchUp bounds how many frames a late tick sends or plays at once; beyond that the clock
// jumps ahead (the machine stalled) rather than bursting.
const maxCatchUp = 5

// Run starts the media clock's goroutine (receive, play, send, RTCP) and the DTLS handshake, and
// waits for them. It returns nil when ctx ends, ErrClosed when the session was closed under it,
// or the first socket error.
func (s *Session) Run(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case s.running:
		s.mu.Unlock()
		return ErrRunning
	}
	s.running = true
	s.startTime = time.Now()
	s.mu.Unlock()

	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Unblock the socket readers when the call ends.
	stop := context.AfterFunc(ctx, func() {
		past := time.Unix(1, 0)
		_ = s.rtpConn.SetReadDeadline(past)
		_ = s.rtcpConn.SetReadDeadline(past)
	})
	defer stop()

	var wg sync.WaitGroup
	fail := func(err error) {
		if err != nil {
			cancel(err)
		}
	}
	// One clock drives receiving (RTP and RTCP), playout, sending and the RTCP reports: a
	// single wake-up per 20 ms frame (a ticker per direction and a goroutine blocked on each
	// socket tripled the scheduler wake-ups, the main CPU cost of a call).
	rx, rtcpRx := s.startReceivers(ctx, &wg, fail)
	s.rtpOut = s.newRTPSender()
	tx, txSkipped := s.txFrames()
	play := s.playoutFrames()
	report := s.rtcpSender(time.Now())
	drain := func(p *rxPoller, now time.Time) {
		if p != nil {
			if err := p.drain(now); err != nil && ctx.Err() == nil {
				fail(err)
			}
		}
	}
	wg.Go(func() {
		s.ticker(ctx, func(now time.Time) {
			drain(rx, now)
			drain(rtcpRx, now)
			// Playout first: a Sink that feeds the Source (the demo's echo) then sends the
			// frame back in the same tick instead of one frame later.
			play(now)
			tx(now)
			report(now, false)
		}, txSkipped)
		report(time.Now(), true) // BYE
	})
	wg.Go(func() { fail(s.runDTLS(ctx)) })
	wg.Wait()

	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, net.ErrClosed):
		return ErrClosed
	case parent.Err() != nil:
		return nil // the call ended (whatever the caller's cause): a normal end of media
	}
	return cause
}

// startReceivers prepares the tick's reads of the RTP and RTCP sockets. Where a socket cannot
// be polled with kernel arrival stamps (not Linux) a goroutine in wg receives instead, and its
// poller is nil. With ICE the RTP socket belongs to the ICE mux (ice_rx.go receives).
func (s *Session) startReceivers(ctx context.Context, wg *sync.WaitGroup, fail func(error)) (rx, rtcpRx *rxPoller) {
	if !s.iceRun() {
		s.detachRTP() // out of the netpoller: only the tick reads it (rtpdetach_linux.go)
		if rx = s.newRxPoller(); rx == nil {
			wg.Go(func() { fail(s.rxLoop(ctx)) })
		}
	}
	if rtcpRx = s.newRTCPPoller(); rtcpRx == nil {
		wg.Go(func() { fail(s.rtcpRxLoop(ctx)) })
	}
	return rx, rtcpRx
}

// readErr classifies a socket read error: done means the loop must end (returning err).
func readErr(ctx context.Context, err error) (done bool, ret error) {
	if ctx.Err() != nil {
		return true, nil
	}
	if errors.Is(err, net.ErrClosed) {
		return true, err
	}
	return false, nil // e.g. ICMP unreachable reported on the socket: keep going
}

// ticker calls frame once per FrameTime of wall clock, catching up after a late wake-up so the
// number of frames matches elapsed time (the RTP clock must not drift from real time). After a
// stall longer than maxCatchUp frames it skips ahead and calls skipped with the frames dropped.
func (s *Session) ticker(ctx context.Context, frame func(now time.Time), skipped func(n int64)) {
	start := time.Now()                  // before the clock: its ticks then never come early against start
	clk := newFrameClock(ctx, FrameTime) // a timerfd on Linux (clock_linux.go)
	defer clk.close()
	var done int64
	for clk.wait() {
		if ctx.Err() != nil {
			return
		}
		now := time.Now()
		due := int64(now.Sub(start)/FrameTime) - done
		if due > maxCatchUp {
			done += due - 1
			if skipped != nil {
				skipped(due - 1)
			}
			due = 1
		}
		for range due {
			frame(now)
			done++
		}
	}
}
