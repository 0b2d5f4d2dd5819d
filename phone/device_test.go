package phone

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

func TestReportDeviceChangeReachesWatchers(t *testing.T) {
	a := &Agent{log: slog.New(slog.DiscardHandler)}
	w := a.hub.subscribe(nil)
	defer a.hub.unsubscribe(w)
	want := DeviceChanged{Role: RoleSpeaker, From: "Headset", Reason: DeviceLost}
	a.ReportDeviceChange(want)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got Event
	w.run(ctx, make(chan struct{}), func(e Event) bool { got = e; return false })
	if got != want {
		t.Fatalf("watcher got %#v, want %#v", got, want)
	}
}
