package sip

import (
	"net"
	"testing"
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
