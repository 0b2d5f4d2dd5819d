package phone

import (
	"context"
	"softphone/crm"
	"sync"
	"testing"
	"time"
)

func TestHubDeliversInOrderWithoutBlockingPublisher(t *testing.T) {
	var h hub
	done := make(chan struct{})
	w := h.subscribe([]Event{RegistrationChanged{Registration{State: RegOff}}})

	// Publish many events before anyone reads: publish must not block.
	for i := 0; i < 1000; i++ {
		h.publish(DTMFReceived{CallID: "1", Digit: rune('0' + i%10)})
	}
	var got []Event
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	w.run(ctx, done, func(e Event) bool {
		got = append(got, e)
		return len(got) < 1001
	})
	h.unsubscribe(w)
	if len(got) != 1001 {
		t.Fatalf("got %d events, want 1001", len(got))
	}
	if _, ok := got[0].(RegistrationChanged); !ok {
		t.Fatalf("first event %T, want the initial RegistrationChanged", got[0])
	}
	for i, e := range got[1:] {
		if d := e.(DTMFReceived).Digit; d != rune('0'+i%10) {
			t.Fatalf("event %d digit %q out of order", i, d)
		}
	}
}

func TestWatchReplaysStateAndStopsOnClose(t *testing.T) {
	a, err := New(Config{Settings: testSettings()})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []Event
	stopped := make(chan struct{})
	go func() {
		a.Watch(context.Background(), func(e Event) bool {
			mu.Lock()
			got = append(got, e)
			mu.Unlock()
			return true
		})
		close(stopped)
	}()
	time.Sleep(50 * time.Millisecond)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after Close")
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 {
		t.Fatal("no initial state replayed")
	}
	if _, ok := got[0].(LoginChanged); !ok {
		t.Fatalf("first event = %#v, want LoginChanged", got[0])
	}
	if r, ok := got[1].(RegistrationChanged); !ok || r.Registration.State != RegOff {
		t.Fatalf("second event = %#v, want RegistrationChanged{off}", got[1])
	}
}

// TestWatchReplaysContactAndRecording: a late watcher gets each live call's
// CRM contact and recorder state in its initial events (as Tailscale's ipn
// Notify does), so a view never has to pull them.
func TestWatchReplaysContactAndRecording(t *testing.T) {
	a, err := New(Config{Settings: testSettings()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	l := crm.NewLookup(crm.LookupConfig{Directory: emptyDirectory{}, Policy: crm.DefaultPolicy(), Region: "DE"})
	defer l.Close()
	l.Start(context.Background(), "+4930123456")
	deadline := time.Now().Add(5 * time.Second)
	for st, _, _, _ := l.Snapshot(); st != crm.StateNotFound; st, _, _, _ = l.Snapshot() {
		if time.Now().After(deadline) {
			t.Fatalf("lookup state %v", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
	paused := RecordingStatus{State: RecordingPaused, Paused: PauseReasons(PausePayment)}
	a.mu.Lock()
	a.calls["7"] = &call{id: "7", info: CallInfo{ID: "7", State: CallActive}, lookup: l, recStatus: paused}
	a.order = append(a.order, "7")
	a.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []Event
	a.Watch(ctx, func(e Event) bool {
		got = append(got, e)
		return len(got) < 6
	})
	if len(got) != 6 {
		t.Fatalf("got %d initial events: %#v", len(got), got)
	}
	if s, ok := got[2].(AgentStateChanged); !ok || s.Status.State != AgentAvailable {
		t.Fatalf("event 3 = %#v, want the agent state", got[2])
	}
	got = append(got[:2], got[3:]...)
	if c, ok := got[2].(ContactChanged); !ok || c.CallID != "7" || c.Event.State != crm.StateNotFound {
		t.Fatalf("event 4 = %#v, want the call's contact state before the call", got[2])
	}
	if c, ok := got[3].(CallChanged); !ok || c.Call.ID != "7" {
		t.Fatalf("event 5 = %#v, want the call", got[3])
	}
	if r, ok := got[4].(RecordingChanged); !ok || r.CallID != "7" || r.RecordingStatus != paused {
		t.Fatalf("event 6 = %#v, want the recorder state", got[4])
	}
	a.mu.Lock()
	delete(a.calls, "7")
	a.order = nil
	a.mu.Unlock()
}

// emptyDirectory finds no one.
type emptyDirectory struct{}

func (emptyDirectory) LookupNumber(context.Context, string) ([]crm.Contact, error) { return nil, nil }
func (emptyDirectory) LookupCustomer(context.Context, string) (crm.Contact, error) {
	return crm.Contact{}, crm.ErrNotFound
}
func (emptyDirectory) WriteWrapUp(context.Context, crm.WrapUp) error { return nil }
