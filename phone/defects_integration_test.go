package phone

import (
	"context"
	"testing"
	"time"

	"softphone/internal/testpeer"
)

// A frozen first peer must not delay answering the second call: the hold
// re-INVITE to the first call runs in the background (issue 13, §5).
func TestAnswerDoesNotWaitForHoldOfFrozenCall(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw", "2000": "farpw", "3000": "thirdpw"})
	first := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440})
	second := testpeer.StartBaresip(t, k, "3000", "thirdpw", testpeer.BaresipOptions{ToneHz: 660})
	a := newAgent(t, k, "1000", nil, &toneEndpoints{hz: 1000, sink: &pcmSink{}})
	ev := watchAgent(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Register(ctx, "agentpw"); err != nil {
		t.Fatal(err)
	}
	id1, err := a.Dial(ctx, "2000")
	if err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, "first call active", 15*time.Second, callState(id1, CallActive))
	first.Freeze(t)

	second.Dial(t, "sip:1000@"+k.Domain)
	in := ev.waitFor(t, "second call ringing", 15*time.Second, func(e Event) bool {
		c, ok := e.(CallChanged)
		return ok && c.Call.ID != id1 && c.Call.State == CallIncoming
	}).(CallChanged)
	start := time.Now()
	if err := a.Answer(context.Background(), in.Call.ID); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Answer took %v: it waited for the frozen call's hold", d)
	}
	ev.waitFor(t, "second call active", 5*time.Second, callState(in.Call.ID, CallActive))
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second call active only after %v", d)
	}
	second.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	if err := a.Hangup(in.Call.ID); err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, "second call ended", 10*time.Second, callState(in.Call.ID, CallEnded))
	first.Thaw()
}

// A local hangup is always reported as such, never as a media failure
// (the ctx.Done / Run-returned race in call.media; 1 in 50 before the fix).
func TestLocalHangupReasonSoak(t *testing.T) {
	checkLeaks(t)
	r := newRig(t, testpeer.BaresipOptions{AutoAnswer: true}, nil)
	n := 50
	if testing.Short() {
		n = 5
	}
	for i := 0; i < n; i++ {
		id, err := r.agent.Dial(context.Background(), "2000")
		if err != nil {
			t.Fatal(err)
		}
		r.events.waitFor(t, "call active", 15*time.Second, callState(id, CallActive))
		time.Sleep(time.Duration(i%5) * 20 * time.Millisecond)
		if err := r.agent.Hangup(id); err != nil {
			t.Fatal(err)
		}
		end := r.events.waitFor(t, "call ended", 10*time.Second, callState(id, CallEnded)).(CallChanged)
		if end.Call.EndReason != errLocalHangup.Error() {
			t.Fatalf("call %d of %d: end reason %q, want %q", i+1, n, end.Call.EndReason, errLocalHangup)
		}
	}
}
