package phone

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/audio"
	"softphone/audio/tone"
	"softphone/internal/netem"
	"softphone/internal/testpeer"
	"softphone/sip"
)

// impairedFarEnd is an in-process far end (a SIP UA and an audio session) that answers the
// agent's call and sends its media to the agent through a netem relay: it points its session
// at the relay instead of the address in the agent's offer.
type impairedFarEnd struct {
	relay    *netem.Relay
	answered chan struct{}
}

var mPort = regexp.MustCompile(`(?m)^m=audio (\d+) `)

func startImpairedFarEnd(t *testing.T, k *testpeer.Kamailio, user, pass string, imp netem.Impairment) *impairedFarEnd {
	t.Helper()
	f := &impairedFarEnd{answered: make(chan struct{})}
	ua, err := sip.New(sip.Config{Server: k.Addr, User: user, Password: pass, Domain: k.Domain, RootCAs: k.CAPool,
		Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ua.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	var once sync.Once
	ua.OnInvite(func(inc *sip.Incoming) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			offer := inc.Offer()
			m := mPort.FindSubmatch(offer)
			if m == nil {
				_ = inc.Reject(488, "Not Acceptable Here")
				return
			}
			agentPort, _ := strconv.Atoi(string(m[1]))
			relay, err := netem.New(netem.Options{Upstream: fmt.Sprintf("127.0.0.1:%d", agentPort), Seed: 15, ToUpstream: imp})
			if err != nil {
				_ = inc.Reject(500, "Server Internal Error")
				return
			}
			defer relay.Close()
			f.relay = relay
			offer = mPort.ReplaceAll(offer, fmt.Appendf(nil, "m=audio %d ", relay.Addr().Port()))
			sess, err := audio.NewSession(audio.Config{LocalIP: netip.MustParseAddr("127.0.0.1"), RequireSRTP: true,
				Source: tone.NewSine(600, 8000, audio.SampleRate), RTCPInterval: time.Second,
				Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				_ = inc.Reject(500, "Server Internal Error")
				return
			}
			defer sess.Close()
			answer, err := sess.Answer(offer)
			if err != nil {
				_ = inc.Reject(488, "Not Acceptable Here")
				return
			}
			dlg, err := inc.Answer(ctx, answer)
			if err != nil {
				return
			}
			once.Do(func() { close(f.answered) })
			runCtx, stop := context.WithCancel(ctx)
			go func() {
				select {
				case <-dlg.Done():
				case <-ctx.Done():
				}
				stop()
			}()
			_ = sess.Run(runCtx)
		}()
	})
	rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer rcancel()
	require.NoError(t, ua.Register(rctx))
	return f
}

// Issue 15 §5: the agent sees a quality warning when the line loses 10 % of the packets that
// reach it, and the warning clears when the line is clean again.
func TestQualityWarningOnLossyLine(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio")
	}
	checkLeaks(t)
	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw", "2000": "farpw"})
	far := startImpairedFarEnd(t, k, "2000", "farpw", netem.Impairment{Loss: 0.10})
	agent := newAgent(t, k, "1000", nil, &toneEndpoints{hz: 1000, sink: &pcmSink{}})
	events := watchAgent(t, agent)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, agent.Register(ctx, "agentpw"))

	id, err := agent.Dial(context.Background(), "2000")
	require.NoError(t, err)
	events.waitFor(t, "call active", 10*time.Second, callState(id, CallActive))
	<-far.answered
	start := time.Now()
	ev := events.waitFor(t, "quality warning", 20*time.Second, func(e Event) bool {
		w, ok := e.(QualityWarning)
		return ok && w.CallID == id
	}).(QualityWarning)
	t.Logf("warning after %v: %v %.2f (relay lost %d of %d)", time.Since(start).Round(time.Millisecond), ev.Cause, ev.Value,
		far.relay.Stats(netem.ToUpstream).Lost, far.relay.Stats(netem.ToUpstream).Received)
	require.Contains(t, []QualityCause{QualityLoss, QualityMOS}, ev.Cause)
	require.GreaterOrEqual(t, time.Since(start), qualityGrace, "not in the first seconds")

	mark := events.mark()
	far.relay.SetImpairment(netem.ToUpstream, netem.Impairment{})
	start = time.Now()
	events.waitAfter(mark, t, "quality cleared", 20*time.Second, func(e Event) bool {
		c, ok := e.(QualityCleared)
		return ok && c.CallID == id
	})
	t.Logf("cleared %v after the line went clean", time.Since(start).Round(time.Millisecond))
	require.NoError(t, agent.Hangup(id))
	events.waitFor(t, "call ended", 10*time.Second, callState(id, CallEnded))
}
