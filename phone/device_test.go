package phone

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"softphone/audio/device"
)

func TestDeviceChangeFromCard(t *testing.T) {
	for _, tc := range []struct {
		in   device.Change
		want DeviceChanged
	}{
		{device.Change{Role: device.RoleSpeaker, From: "Headset", To: "", Reason: device.ChangeLost},
			DeviceChanged{Role: RoleSpeaker, From: "Headset", To: "", Reason: DeviceLost}},
		{device.Change{Role: device.RoleMicrophone, From: "", To: "Headset", Reason: device.ChangeReturned},
			DeviceChanged{Role: RoleMicrophone, From: "", To: "Headset", Reason: DeviceReturned}},
		{device.Change{Role: device.RoleRinger, From: "A", To: "B", Reason: device.ChangeLost},
			DeviceChanged{Role: RoleRinger, From: "A", To: "B", Reason: DeviceLost}},
	} {
		if got := DeviceChange(tc.in); got != tc.want {
			t.Errorf("DeviceChange(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	if RoleRinger.String() != "ringer" || DeviceReturned.String() != "returned" || DeviceRole(9).String() != "unknown" {
		t.Error("String names")
	}
}

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
