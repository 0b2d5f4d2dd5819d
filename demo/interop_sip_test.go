//go:build interop

// Run with: go test -tags interop ./demo (needs softphone/sip to build).

package demo

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	softsip "softphone/sip"
)

func TestInteropWithSipPackage(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	ua, err := softsip.New(softsip.Config{Server: p.Addr(), User: "1001", Password: DefaultAgentPassword, Domain: p.Domain(),
		RootCAs: p.CAPool(), Expires: time.Minute, Logger: testLogger(t)})
	require.NoError(t, err)
	defer ua.Close()
	require.NoError(t, ua.Register(ctx))
	require.True(t, p.Registered("1001"))

	// Echo.
	var got pcmCollector
	st, err := newStream(testLogger(t), modeTone, newSine(1000, 8000))
	require.NoError(t, err)
	st.onAudio = got.add
	d, err := ua.Dial(ctx, "echo", st.offer(), nil)
	require.NoError(t, err)
	require.NoError(t, st.setAnswer(d.RemoteSDP()))
	stop := runStream(t, st)
	require.Eventually(t, func() bool { return len(got.samples()) >= 2000 }, 5*time.Second, 20*time.Millisecond)
	stop()
	require.NoError(t, d.Bye(ctx))

	// Customer call in.
	agentSt, err := newStream(testLogger(t), modeEcho, nil)
	require.NoError(t, err)
	var heard pcmCollector
	agentSt.onAudio = heard.add
	dialogs := make(chan *softsip.Dialog, 1)
	ua.OnInvite(func(in *softsip.Incoming) {
		t.Logf("incoming from %s %q", in.Number, in.DisplayName)
		ans, err := agentSt.answer(in.Offer())
		if !assert.NoError(t, err) {
			return
		}
		dd, err := in.Answer(context.Background(), ans)
		if assert.NoError(t, err) {
			dialogs <- dd
		}
	})
	runStream(t, agentSt)
	require.NoError(t, p.CallAgent(ctx, 0))
	dd := <-dialogs
	require.Eventually(t, func() bool { return len(heard.samples()) >= 2000 }, 5*time.Second, 20*time.Millisecond)
	// Hold.
	agentSt.mu.Lock()
	local := agentSt.local
	agentSt.mu.Unlock()
	ans, err := dd.ReInvite(ctx, buildSDP(sdpParams{sessionID: 9, version: 9, addr: agentSt.localAddr(), payloads: []uint8{0}, eventPT: -1, crypto: []cryptoAttr{local}, dir: dirSendOnly}))
	require.NoError(t, err)
	assert.Contains(t, string(ans), "recvonly")
	require.NoError(t, dd.Bye(ctx))
	require.Eventually(t, func() bool { return p.ActiveCalls() == 0 }, 5*time.Second, 10*time.Millisecond)
}
