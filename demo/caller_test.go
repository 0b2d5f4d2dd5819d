package demo

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// incoming is what the test agent saw of an INVITE.
type incoming struct {
	from      *sip.FromHeader
	source    string
	transport string
	offer     []byte
}

// answerWith makes ph answer every INVITE with a stream of its own (code
// 200), or reject it with code.
func answerWith(t *testing.T, ph *phone, code int, seen chan<- incoming, got *pcmCollector) {
	ph.setOnCall(func(req *sip.Request, tx sip.ServerTransaction) {
		seen <- incoming{from: req.From(), source: req.Source(), transport: req.Transport(), offer: req.Body()}
		if code != sip.StatusOK {
			_ = tx.Respond(sip.NewResponseFromRequest(req, code, "Nope", nil))
			return
		}
		d, err := ph.dua.ReadInvite(req, tx)
		if !assert.NoError(t, err) {
			return
		}
		st, err := newStream(testLogger(t), modeEcho, nil)
		if !assert.NoError(t, err) {
			return
		}
		st.onAudio = got.add
		answer, err := st.answer(req.Body())
		if !assert.NoError(t, err) {
			st.close()
			return
		}
		ph.mu.Lock()
		ph.dialogs[req.CallID().Value()] = d
		ph.mu.Unlock()
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { st.run(ctx) })
		t.Cleanup(func() { cancel(); wg.Wait() })
		_ = d.RespondSDP(answer)
	})
}

func TestCallAgent(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	ph.mustRegister(ctx)

	seen := make(chan incoming, 4)
	var got pcmCollector
	answerWith(t, ph, sip.StatusOK, seen, &got)

	require.NoError(t, p.CallAgent(ctx, 0))
	in := <-seen
	cust := p.Customers()[0]
	assert.Equal(t, cust.Name, in.from.DisplayName)
	assert.Equal(t, cust.Number, in.from.Address.User)
	assert.Equal(t, "TLS", in.transport)
	assert.Equal(t, p.Addr(), in.source, "the INVITE came over the agent's own flow")
	assert.Contains(t, string(in.offer), "RTP/SAVP")
	assert.Contains(t, string(in.offer), "a=crypto:")
	assert.Equal(t, 1, p.ActiveCalls())

	// The customer talks: voice-like audio arrives and decrypts.
	require.Eventually(t, func() bool { return len(got.samples()) >= 1600 }, 5*time.Second, 20*time.Millisecond)

	// The agent hangs up.
	ph.mu.Lock()
	var d interface{ Bye(context.Context) error }
	for _, v := range ph.dialogs {
		d = v
	}
	ph.mu.Unlock()
	require.NotNil(t, d)
	require.NoError(t, d.Bye(ctx))
	require.Eventually(t, func() bool { return p.ActiveCalls() == 0 }, 5*time.Second, 10*time.Millisecond)
}

func TestCallAgentNextTakesTurns(t *testing.T) {
	p := startPBX(t, Config{MaxCallers: 3})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	ph.mustRegister(ctx)
	seen := make(chan incoming, 3)
	answerWith(t, ph, sip.StatusBusyHere, seen, nil)
	for i := range 3 {
		c, err := p.CallAgentNext(ctx)
		assert.ErrorIs(t, err, ErrDeclined)
		assert.Equal(t, p.Customers()[i], c)
		assert.Equal(t, c.Number, (<-seen).from.Address.User)
	}
}

func TestCallAgentErrors(t *testing.T) {
	p := startPBX(t, Config{MaxCallers: 1, RingTimeout: 300 * time.Millisecond})
	ctx := testCtx(t)

	assert.ErrorIs(t, p.CallAgent(ctx, -1), ErrNoSuchCustomer)
	assert.ErrorIs(t, p.CallAgent(ctx, len(p.Customers())), ErrNoSuchCustomer)
	assert.ErrorIs(t, p.CallAgent(ctx, 0), ErrAgentNotRegistered)

	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	ph.mustRegister(ctx)

	t.Run("declined", func(t *testing.T) {
		seen := make(chan incoming, 1)
		answerWith(t, ph, sip.StatusBusyHere, seen, nil)
		err := p.CallAgent(ctx, 1)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrDeclined)
		var ce *CallError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, sip.StatusBusyHere, ce.Code)
	})
	t.Run("not answered", func(t *testing.T) {
		ph.setOnCall(func(req *sip.Request, tx sip.ServerTransaction) {
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusRinging, "Ringing", nil))
			<-tx.Done()
		})
		assert.ErrorIs(t, p.CallAgent(ctx, 2), ErrNoAnswer)
	})
	t.Run("cancelled by the caller's context", func(t *testing.T) {
		ph.setOnCall(func(req *sip.Request, tx sip.ServerTransaction) {
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusRinging, "Ringing", nil))
			<-tx.Done()
		})
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, p.CallAgent(cctx, 2), context.DeadlineExceeded)
	})
	t.Run("one caller at a time", func(t *testing.T) {
		seen := make(chan incoming, 2)
		var got pcmCollector
		answerWith(t, ph, sip.StatusOK, seen, &got)
		require.NoError(t, p.CallAgent(ctx, 3))
		assert.ErrorIs(t, p.CallAgent(ctx, 4), ErrTooManyCalls)
	})
	assert.Equal(t, 1, p.ActiveCalls(), "only the answered call remains")
	require.NoError(t, p.Close()) // hangs up the remaining call
	assert.Zero(t, p.ActiveCalls())
	assert.ErrorIs(t, p.CallAgent(ctx, 0), ErrClosed)
}

func TestCallerTimeoutHangsUp(t *testing.T) {
	p := startPBX(t, Config{CallerTimeout: 300 * time.Millisecond})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	ph.mustRegister(ctx)
	var byes sync.WaitGroup
	byes.Add(1)
	seen := make(chan incoming, 1)
	var got pcmCollector
	answerWith(t, ph, sip.StatusOK, seen, &got)
	ph.srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
		byes.Done()
	})
	require.NoError(t, p.CallAgent(ctx, 5))
	byes.Wait() // the customer hung up by itself
	require.Eventually(t, func() bool { return p.ActiveCalls() == 0 }, 5*time.Second, 10*time.Millisecond)
}

func TestBridgeBetweenUsers(t *testing.T) {
	p := startPBX(t, Config{Users: []Credentials{{User: "1002", Password: "pw-1002"}}})
	ctx := testCtx(t)
	agent := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	agent.mustRegister(ctx)
	other := newPhone(t, p, "1002", "pw-1002", p.CAPool())
	other.mustRegister(ctx)

	seen := make(chan incoming, 1)
	var atAgent pcmCollector
	answerWith(t, agent, sip.StatusOK, seen, &atAgent)

	st, err := newStream(testLogger(t), modeTone, newSine(700, 8000))
	require.NoError(t, err)
	d, err := other.dial(ctx, "1001", st.offer())
	require.NoError(t, err)
	require.NoError(t, st.setAnswer(d.InviteResponse.Body()))
	runStream(t, st)

	in := <-seen
	assert.Equal(t, "1002", in.from.Address.User)
	assert.True(t, strings.HasPrefix(in.source, "127.0.0.1:"))
	require.Eventually(t, func() bool { return len(atAgent.samples()) >= 2400 }, 5*time.Second, 20*time.Millisecond,
		"media flows end to end")
	pcm := atAgent.samples()[800:2400]
	assert.Greater(t, goertzel(pcm, 700), 100*goertzel(pcm, 1000))
	assert.Equal(t, 2, p.ActiveCalls())

	require.NoError(t, d.Bye(ctx))
	require.Eventually(t, func() bool { return p.ActiveCalls() == 0 }, 5*time.Second, 10*time.Millisecond)
}

func TestSendDTMF(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	assert.ErrorIs(t, p.SendDTMF("1"), ErrNoCall)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	ph.mustRegister(ctx)

	agentStream, err := newStream(testLogger(t), modeEcho, nil)
	require.NoError(t, err)
	var mu sync.Mutex
	var digits []byte
	seen := map[uint32]bool{}
	agentStream.onEvent = func(ev byte, end bool, ts uint32) {
		mu.Lock()
		defer mu.Unlock()
		// One event per RTP timestamp, counted at its first end packet.
		if end && !seen[ts] {
			seen[ts] = true
			digits = append(digits, ev)
		}
	}
	ph.setOnCall(func(req *sip.Request, tx sip.ServerTransaction) {
		d, err := ph.dua.ReadInvite(req, tx)
		if !assert.NoError(t, err) {
			return
		}
		answer, err := agentStream.answer(req.Body())
		if !assert.NoError(t, err) {
			return
		}
		assert.Contains(t, string(answer), "telephone-event/8000")
		ph.mu.Lock()
		ph.dialogs[req.CallID().Value()] = d
		ph.mu.Unlock()
		_ = d.RespondSDP(answer)
	})
	runStream(t, agentStream)
	require.NoError(t, p.CallAgent(ctx, 1))
	assert.ErrorIs(t, p.SendDTMF("4x"), ErrBadDTMF)
	require.NoError(t, p.SendDTMF("4111"))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(digits) >= 4
	}, 5*time.Second, 20*time.Millisecond)
	mu.Lock()
	assert.Equal(t, []byte{4, 1, 1, 1}, digits)
	mu.Unlock()
}

func TestCloseDuringRinging(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	ph.mustRegister(ctx)
	ringing := make(chan struct{})
	ph.setOnCall(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusRinging, "Ringing", nil))
		close(ringing)
		<-tx.Done()
	})
	errc := make(chan error, 1)
	go func() { errc <- p.CallAgent(ctx, 0) }()
	<-ringing
	start := time.Now()
	require.NoError(t, p.Close())
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("CallAgent did not return after Close")
	}
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestStartContextEndsThePBX(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p, err := Start(ctx, Config{Logger: testLogger(t)})
	require.NoError(t, err)
	cancel()
	require.Eventually(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.closed
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, p.Close())
}

func TestBridgeCancelReachesTheCallee(t *testing.T) {
	p := startPBX(t, Config{Users: []Credentials{{User: "1002", Password: "pw-1002"}}})
	ctx := testCtx(t)
	agent := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	agent.mustRegister(ctx)
	other := newPhone(t, p, "1002", "pw-1002", p.CAPool())
	other.mustRegister(ctx)

	ringing := make(chan struct{})
	cancelled := make(chan struct{})
	agent.setOnCall(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusRinging, "Ringing", nil))
		close(ringing)
		<-tx.Done() // ends when the CANCEL arrives (the transaction layer answers 487)
		close(cancelled)
	})
	st, err := newStream(testLogger(t), modeEcho, nil)
	require.NoError(t, err)
	defer st.close()
	dialCtx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := other.dial(dialCtx, "1001", st.offer())
		errc <- err
	}()
	<-ringing
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled)
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the callee's leg was not cancelled")
	}
	require.Eventually(t, func() bool { return p.ActiveCalls() == 0 }, 5*time.Second, 10*time.Millisecond)
}
