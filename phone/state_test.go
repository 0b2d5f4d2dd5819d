package phone

import "testing"

func TestCallStateTransitions(t *testing.T) {
	all := []CallState{CallDialing, CallRinging, CallIncoming, CallActive, CallHeld, CallEnded}
	allowed := map[[2]CallState]bool{
		{CallDialing, CallRinging}: true, {CallDialing, CallActive}: true,
		{CallRinging, CallActive}: true, {CallIncoming, CallActive}: true,
		{CallActive, CallHeld}: true, {CallHeld, CallActive}: true,
	}
	for _, from := range all {
		for _, to := range all {
			want := allowed[[2]CallState{from, to}] || (from != CallEnded && (to == CallEnded || to == from))
			if got := from.CanBecome(to); got != want {
				t.Errorf("%v → %v: CanBecome = %v, want %v", from, to, got, want)
			}
		}
	}
}
