package sip

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"
)

// TestOrderSRV: lower priority first; within a priority a weighted draw
// (RFC 2782), "." dropped.
func TestOrderSRV(t *testing.T) {
	recs := []*net.SRV{
		{Target: "c.", Priority: 20, Weight: 0},
		{Target: "a.", Priority: 10, Weight: 90},
		{Target: ".", Priority: 5},
		{Target: "b.", Priority: 10, Weight: 10},
	}
	firstA := 0
	for i := range 1000 {
		out := orderSRV(recs, func(n int) int { return (i * 7919) % n })
		if len(out) != 3 || out[2].Target != "c." {
			t.Fatalf("order %v: want 3 targets, priority 20 last", out)
		}
		if out[0].Target == "a." {
			firstA++
		}
	}
	if firstA < 850 || firstA > 950 {
		t.Errorf("weight 90 of 100 came first %d times in 1000, want ~900", firstA)
	}
}

// TestFailoverWorthy: transport trouble, TLS trouble, 503 and 408 move on
// to the next server; a wrong password or a 403 does not.
func TestFailoverWorthy(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{ErrUnreachable, true},
		{ErrConnectionLost, true},
		{&CertificateError{Server: "x", Err: errors.New("bad")}, true},
		{&StatusError{Code: 503}, true},
		{&StatusError{Code: 408}, true},
		{&StatusError{Code: 403}, false},
		{ErrAuthFailed, false},
		{fmt.Errorf("register: %w", &StatusError{Code: 503}), true},
	} {
		if got := failoverWorthy(tt.err); got != tt.want {
			t.Errorf("failoverWorthy(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestPingState: a ping is answered by any data after it; unanswered for
// the timeout, or not written at all, the flow is dead.
func TestPingState(t *testing.T) {
	t0 := time.Unix(1000, 0)
	p := pingState{timeout: 10 * time.Second}
	if p.dead(t0, 0) {
		t.Fatal("dead with no ping outstanding")
	}
	p.sent = t0
	if p.dead(t0.Add(9*time.Second), 0) {
		t.Fatal("dead before the timeout")
	}
	if !p.dead(t0.Add(10*time.Second), t0.Add(-time.Second).UnixNano()) {
		t.Fatal("not dead after the timeout with data only from before the ping")
	}
	if p.dead(t0.Add(11*time.Second), t0.Add(time.Millisecond).UnixNano()) || !p.sent.IsZero() {
		t.Fatal("a pong after the ping must clear it")
	}
	p.failed = true
	if !p.dead(t0, 0) {
		t.Fatal("a failed write is a dead flow")
	}
	p.reset()
	if p.dead(t0.Add(time.Hour), 0) {
		t.Fatal("reset must forget the ping")
	}
}
