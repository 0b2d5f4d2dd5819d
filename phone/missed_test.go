package phone

import (
	"errors"
	"testing"
	"time"
)

func TestMissedCallsMergeByNumberAndFollowPolicy(t *testing.T) {
	a, ev, _ := workdayAgent(t, testPolicy{missed: 2})
	a.mu.Lock()
	a.addMissedLocked("+4930111", "sip:+4930111@pbx", "", false)
	a.addMissedLocked("+4930222", "sip:+4930222@pbx", "", true)
	a.addMissedLocked("+4930111", "sip:+4930111@pbx", "", false)
	a.addMissedLocked("+4930333", "sip:+4930333@pbx", "", false)
	a.mu.Unlock()
	got := a.MissedCalls()
	if len(got) != 2 || got[0].Number != "+4930333" || got[1].Number != "+4930111" || got[1].Count != 2 {
		t.Fatalf("missed calls %+v", got)
	}
	last := ev.waitFor(t, "list", time.Second, func(e Event) bool {
		m, ok := e.(MissedCallsChanged)
		return ok && len(m.Calls) == 2 && m.Calls[0].Number == "+4930333"
	}).(MissedCallsChanged)
	if err := a.DismissMissed(last.Calls[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DismissMissed(last.Calls[0].ID); !errors.Is(err, ErrNoSuchCall) {
		t.Fatalf("second dismiss: %v", err)
	}
	if got := a.MissedCalls(); len(got) != 1 {
		t.Fatalf("after dismiss %+v", got)
	}
}

func TestMissedCallsKeptOnlyWhenPolicyAllows(t *testing.T) {
	a, _, _ := workdayAgent(t, testPolicy{})
	a.mu.Lock()
	a.addMissedLocked("+4930111", "sip:+4930111@pbx", "", false)
	a.mu.Unlock()
	if got := a.MissedCalls(); len(got) != 0 {
		t.Fatalf("kept %+v with policy 0", got)
	}
}
