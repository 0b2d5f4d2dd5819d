package sip_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"softphone/internal/testpeer"
	"softphone/sip"
)

const pidfOpen = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:1000@localhost">
<tuple id="agent"><status><basic>open</basic></status><note>available</note></tuple>
</presence>`

const dialogRinging = `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:1000@localhost">
<dialog id="d1" direction="recipient"><state>early</state></dialog>
</dialog-info>`

// One agent publishes its presence (RFC 3856) and dialog state (RFC
// 4235) to Kamailio's presence server; a colleague subscribed to both
// gets NOTIFYs carrying them.
func TestPublishAndSubscribeThroughKamailioPresence(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio")
	}
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "pw1", "2000": "pw2"}, testpeer.KamailioOptions{Presence: true})
	agent := register(t, k, "1000", "pw1")
	colleague := register(t, k, "2000", "pw2")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()

	got := make(chan sip.Notification, 16)
	for _, ev := range []struct{ event, accept string }{
		{"presence", "application/pidf+xml"},
		{"dialog", "application/dialog-info+xml"},
	} {
		if _, err := colleague.Subscribe(ctx, "sip:1000@"+k.Domain, ev.event, ev.accept, time.Minute, func(n sip.Notification) { got <- n }); err != nil {
			t.Fatalf("subscribe %s: %v", ev.event, err)
		}
	}
	var pres, dlg sip.Publication
	if err := agent.Publish(ctx, &pres, "presence", "application/pidf+xml", []byte(pidfOpen), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := agent.Publish(ctx, &dlg, "dialog", "application/dialog-info+xml", []byte(dialogRinging), time.Minute); err != nil {
		t.Fatal(err)
	}
	// Modify with the entity tag (SIP-If-Match).
	if err := agent.Publish(ctx, &pres, "presence", "application/pidf+xml", []byte(strings.Replace(pidfOpen, "available", "break", 1)), time.Minute); err != nil {
		t.Fatalf("modify: %v", err)
	}
	seen := map[string]bool{}
	deadline := time.After(10 * time.Second)
	for !(seen["presence:break"] && seen["dialog:early"]) {
		select {
		case n := <-got:
			body := string(n.Body)
			switch {
			case n.Event == "presence" && strings.Contains(body, "<note>break</note>"):
				seen["presence:break"] = true
			case strings.HasPrefix(n.Event, "dialog") && strings.Contains(body, "<state>early</state>"):
				seen["dialog:early"] = true
			}
		case <-deadline:
			t.Fatalf("NOTIFYs seen: %v\n%s", seen, k.Log())
		}
	}
}
