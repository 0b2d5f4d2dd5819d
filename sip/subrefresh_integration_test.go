package sip_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"softphone/internal/testpeer"
	"softphone/sip"
)

// A subscription refreshed in its dialog (RFC 6665 §4.1.2.1) and a
// publication refreshed with SIP-If-Match and no body (RFC 3903 §4.4)
// outlive their first lifetime on Kamailio's presence server: a change
// published after the original expiry still reaches the watcher.
func TestSubscriptionAndPublicationRefreshThroughKamailio(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio")
	}
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "pw1", "2000": "pw2"}, testpeer.KamailioOptions{Presence: true})
	agent := register(t, k, "1000", "pw1")
	colleague := register(t, k, "2000", "pw2")
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	const life = 6 * time.Second

	got := make(chan sip.Notification, 32)
	sub, err := colleague.Subscribe(ctx, "sip:1000@"+k.Domain, "presence", "application/pidf+xml", life, func(n sip.Notification) { got <- n })
	if err != nil {
		t.Fatal(err)
	}
	if g := sub.Granted(); g <= 0 || g > life {
		t.Fatalf("granted %v, asked %v", g, life)
	}
	var pres sip.Publication
	if err := agent.Publish(ctx, &pres, "presence", "application/pidf+xml", []byte(pidfOpen), life); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < 3; i++ { // three refreshes: well past the first lifetime
		time.Sleep(sip.RefreshAfter(life))
		if err := sub.Refresh(ctx, life); err != nil {
			t.Fatalf("refresh %d of the subscription: %v\n%s", i, err, k.Log())
		}
		if err := agent.RefreshPublication(ctx, &pres, "presence", life); err != nil {
			t.Fatalf("refresh %d of the publication: %v\n%s", i, err, k.Log())
		}
	}
	if time.Since(start) < life+time.Second {
		t.Fatalf("test too short to pass the original expiry: %v", time.Since(start))
	}
	select {
	case <-sub.Ended():
		t.Fatal("subscription ended although refreshed")
	default:
	}
	// Drain what came so far, then change the state: the watcher must hear it.
	for len(got) > 0 {
		<-got
	}
	if err := agent.Publish(ctx, &pres, "presence", "application/pidf+xml", []byte(strings.Replace(pidfOpen, "available", "training", 1)), life); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(8 * time.Second)
	for {
		select {
		case n := <-got:
			if n.Event == "presence" && strings.Contains(string(n.Body), "<note>training</note>") {
				goto forgotten
			}
		case <-deadline:
			t.Fatalf("no NOTIFY after the original expiry\n%s", k.Log())
		}
	}
forgotten:
	// An entity tag the server does not know is reported, not hidden.
	var never sip.Publication
	if err := agent.RefreshPublication(ctx, &never, "presence", life); !errors.Is(err, sip.ErrPublicationGone) {
		t.Fatalf("refresh of nothing published: %v", err)
	}
}
