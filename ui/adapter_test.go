package ui

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"softphone/phone"
)

func TestMain(m *testing.M) {
	// A plain "C" locale makes Fyne log a parse error per lookup.
	os.Setenv("LANG", "en_US.UTF-8")
	goleak.VerifyTestMain(m)
}

// TestAdapterCoalescesStats floods the adapter with statistics and checks
// that at most ~15 deliveries per second reach the UI, with the latest values.
func TestAdapterCoalescesStats(t *testing.T) {
	var mu sync.Mutex
	var batches []map[string]phone.CallStats
	rate := 50 * time.Millisecond
	a := newAdapter(rate, func(fn func()) { fn() }, func(phone.Event) {}, func(m map[string]phone.CallStats) {
		mu.Lock()
		batches = append(batches, m)
		mu.Unlock()
	})
	start := time.Now()
	deadline := start.Add(300 * time.Millisecond)
	n := uint64(0)
	for time.Now().Before(deadline) {
		n++
		a.handle(phone.StatsUpdated{CallID: "c1", Stats: phone.CallStats{PacketsReceived: n}})
		a.handle(phone.StatsUpdated{CallID: "c2", Stats: phone.CallStats{PacketsReceived: n}})
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	time.Sleep(2 * rate) // let the last flush run
	a.stop()

	mu.Lock()
	defer mu.Unlock()
	maxBatches := int(elapsed/rate) + 2
	if len(batches) == 0 || len(batches) > maxBatches {
		t.Fatalf("%d deliveries for %d events in %v, want 1..%d", len(batches), 2*n, elapsed, maxBatches)
	}
	last := batches[len(batches)-1]
	if last["c1"].PacketsReceived != n || last["c2"].PacketsReceived != n {
		t.Errorf("last delivery %v, want latest value %d for both calls", last, n)
	}
}

func TestAdapterOrderAndStop(t *testing.T) {
	var got []phone.Event
	a := newAdapter(time.Hour, func(fn func()) { fn() }, func(e phone.Event) { got = append(got, e) }, func(map[string]phone.CallStats) {
		t.Error("stats delivered after stop")
	})
	evs := []phone.Event{
		phone.RegistrationChanged{Registration: phone.Registration{State: phone.RegRegistering}},
		phone.CallChanged{Call: phone.CallInfo{ID: "a"}},
		phone.RegistrationChanged{Registration: phone.Registration{State: phone.RegRegistered}},
	}
	for _, e := range evs {
		a.handle(e)
	}
	if len(got) != 3 || got[1].(phone.CallChanged).Call.ID != "a" {
		t.Fatalf("events = %v", got)
	}
	a.handle(phone.StatsUpdated{CallID: "a"}) // schedules a flush an hour away
	a.stop()
	a.stop() // idempotent
	a.handle(phone.CallChanged{})
	if len(got) != 3 {
		t.Error("event delivered after stop")
	}
}

// TestAdapterWatchEnds checks that the watch goroutine ends with ctx.
func TestAdapterWatchEnds(t *testing.T) {
	p := newFakePhone()
	a := newAdapter(time.Millisecond, func(fn func()) { fn() }, func(phone.Event) {}, func(map[string]phone.CallStats) {})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	a.start(ctx, p, &wg)
	p.waitWatch(t)
	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("watch goroutine did not end")
	}
}
