package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// Packets thrown away (failed SRTP authentication, datagrams that are not RTP) show in the call's
// quality line; a clean call shows no such note.
func TestStatsShowRejectedPackets(t *testing.T) {
	p := &CallPanel{Quality: widget.NewLabel("")}
	p.setStats(phone.CallStats{PacketsReceived: 100, JitterMs: 2})
	if strings.Contains(p.Quality.Text, "Rejected") {
		t.Fatalf("clean call: %q", p.Quality.Text)
	}
	p.setStats(phone.CallStats{PacketsReceived: 100, SRTPFailures: 25000, Dropped: 3})
	if !strings.Contains(p.Quality.Text, "Rejected 25000 SRTP, 3 invalid") {
		t.Fatalf("quality line %q", p.Quality.Text)
	}
}
