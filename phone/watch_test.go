package phone

import (
	"context"
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
