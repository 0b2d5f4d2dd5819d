package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBlindTransferOfACustomer(t *testing.T) {
	p := startPBX(t, Config{Users: []Credentials{{User: "1002", Password: "pw-1002"}}})
	ctx := testCtx(t)
	agent := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	agent.mustRegister(ctx)
	supervisor := newPhone(t, p, "1002", "pw-1002", p.CAPool())
	supervisor.mustRegister(ctx)

	agentCalls := make(chan *sipgo.DialogServerSession, 1)
	agentStream, err := newStream(testLogger(t), modeEcho, nil)
	require.NoError(t, err)
	runStream(t, agentStream)
	agent.setOnCall(func(req *sip.Request, tx sip.ServerTransaction) {
		d, err := agent.dua.ReadInvite(req, tx)
		if !assert.NoError(t, err) {
			return
		}
		answer, err := agentStream.answer(req.Body())
		if !assert.NoError(t, err) {
			return
		}
		agent.mu.Lock()
		agent.dialogs[req.CallID().Value()] = d
		agent.mu.Unlock()
		agentCalls <- d
		_ = d.RespondSDP(answer)
	})
	notifies := make(chan string, 4)
	agent.srv.OnNotify(func(req *sip.Request, tx sip.ServerTransaction) {
		notifies <- strings.TrimSpace(string(req.Body()))
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	seen := make(chan incoming, 1)
	var atSupervisor pcmCollector
	answerWith(t, supervisor, sip.StatusOK, seen, &atSupervisor)

	require.NoError(t, p.CallAgent(ctx, 2))
	d := <-agentCalls

	refer := func(target string) *sip.Response {
		req := sip.NewRequest(sip.REFER, d.InviteRequest.Contact().Address)
		if target != "" {
			req.AppendHeader(sip.NewHeader("Refer-To", target))
		}
		res, err := d.Do(ctx, req)
		require.NoError(t, err)
		return res
	}
	assert.Equal(t, sip.StatusBadRequest, refer("").StatusCode, "REFER without Refer-To")
	require.Equal(t, sip.StatusAccepted, refer("<sip:nobody@localhost>").StatusCode)
	assert.Equal(t, "SIP/2.0 100 Trying", <-notifies)
	assert.Equal(t, "SIP/2.0 404 Not Found", <-notifies)

	require.Equal(t, sip.StatusAccepted, refer("<sip:1002@localhost>").StatusCode)

	in := <-seen
	assert.Equal(t, p.Customers()[2].Number, in.from.Address.User, "the customer now calls the supervisor")
	assert.Equal(t, p.Customers()[2].Name, in.from.DisplayName)
	assert.Equal(t, "SIP/2.0 100 Trying", <-notifies)
	assert.Equal(t, "SIP/2.0 200 OK", <-notifies)
	require.Eventually(t, func() bool { return len(atSupervisor.samples()) >= 800 }, 5*time.Second, 20*time.Millisecond)

	// The agent leaves; the customer stays with the supervisor.
	require.NoError(t, d.Bye(ctx))
	require.Eventually(t, func() bool { return p.ActiveCalls() == 1 }, 5*time.Second, 10*time.Millisecond)
}

func TestReferOutsideCustomerCalls(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	st, err := newStream(testLogger(t), modeEcho, nil)
	require.NoError(t, err)
	d, err := ph.dial(ctx, "echo", st.offer())
	require.NoError(t, err)
	st.close()
	req := sip.NewRequest(sip.REFER, d.InviteResponse.Contact().Address)
	req.AppendHeader(sip.NewHeader("Refer-To", "<sip:music@localhost>"))
	res, err := d.Do(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, sip.StatusNotImplemented, res.StatusCode)
	require.NoError(t, d.Bye(context.Background()))
}
