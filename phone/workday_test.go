package phone

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"softphone/audit"
)

type testPolicy struct {
	acw    time.Duration
	wrapUp bool
	refuse RefuseMode
	// feature codes dialled on pause / unpause
	pause, unpause string
	missed         int // missed calls kept
}

func (p testPolicy) NotReadyReasons() []string      { return []string{"break", "training"} }
func (p testPolicy) AfterCallWork() time.Duration   { return p.acw }
func (p testPolicy) WrapUpRequired() bool           { return p.wrapUp }
func (p testPolicy) RefuseWith() RefuseMode         { return p.refuse }
func (p testPolicy) FeatureCodes() (string, string) { return p.pause, p.unpause }
func (p testPolicy) MissedCalls() (int, time.Duration) {
	if p.missed == 0 {
		return 0, 0
	}
	return p.missed, time.Hour
}

// workdayAgent is an agent (no network) with pol and a real audit log.
func workdayAgent(t *testing.T, pol WorkdayPolicy) (*Agent, *eventLog, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := audit.Open(path, audit.WithAnchorKey(testAuditKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	a, err := New(Config{Settings: testSettings(), Workday: pol, Auditor: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, watchAgent(t, a), path
}

func agentState(st AgentState) func(Event) bool {
	return func(e Event) bool {
		s, ok := e.(AgentStateChanged)
		return ok && s.Status.State == st
	}
}

func TestAgentStateStartsAvailableAndIsReplayed(t *testing.T) {
	a, ev, _ := workdayAgent(t, testPolicy{})
	s := ev.waitFor(t, "replayed state", time.Second, agentState(AgentAvailable)).(AgentStateChanged).Status
	if s.Since.IsZero() || a.AgentStatus().State != AgentAvailable {
		t.Fatalf("status %+v", s)
	}
	for _, st := range []AgentState{AgentAvailable, AgentNotReady, AgentAfterCall} {
		got, err := ParseAgentState(st.String())
		if err != nil || got != st {
			t.Errorf("ParseAgentState(%q) = %v, %v", st, got, err)
		}
	}
	if _, err := ParseAgentState("lunch"); err == nil {
		t.Error("ParseAgentState accepted lunch")
	}
}

func TestNotReadyNeedsAConfiguredReasonAndIsAudited(t *testing.T) {
	a, ev, path := workdayAgent(t, testPolicy{})
	if err := a.SetAgentState(AgentNotReady, "lunch"); !errors.Is(err, ErrUnknownReason) {
		t.Fatalf("unknown reason: %v", err)
	}
	if err := a.SetAgentState(AgentNotReady, "break"); err != nil {
		t.Fatal(err)
	}
	s := ev.waitFor(t, "not ready", time.Second, agentState(AgentNotReady)).(AgentStateChanged).Status
	if s.Reason != "break" || s.Cause != "agent" {
		t.Fatalf("status %+v", s)
	}
	if err := a.SetAgentState(AgentAvailable, ""); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), `"agent_state"`); n != 2 {
		t.Fatalf("audit log has %d agent_state entries, want 2:\n%s", n, b)
	}
	if !strings.Contains(string(b), `"break"`) {
		t.Fatalf("audit log lacks the reason:\n%s", b)
	}
	if rep, err := audit.Verify(path, audit.WithAnchorKey(testAuditKey)); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("audit log does not verify: %v %+v", err, rep.Problems)
	}
}

func TestACWCountsDownAndReturnsToAvailable(t *testing.T) {
	a, ev, _ := workdayAgent(t, testPolicy{acw: 300 * time.Millisecond})
	a.mu.Lock()
	a.callEndedLocked(CallInfo{ID: "1", Answered: time.Now()})
	a.mu.Unlock()
	s := ev.waitFor(t, "acw", time.Second, agentState(AgentAfterCall)).(AgentStateChanged).Status
	if s.Cause != "call_ended" || s.Remaining(time.Now()) <= 0 {
		t.Fatalf("status %+v", s)
	}
	start := time.Now()
	mark := ev.mark()
	back := ev.waitAfter(mark, t, "back to available", 2*time.Second, agentState(AgentAvailable)).(AgentStateChanged).Status
	if back.Cause != "acw_timeout" || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("returned %+v after %v", back, time.Since(start))
	}
	// An unanswered call starts no ACW.
	a.mu.Lock()
	a.callEndedLocked(CallInfo{ID: "2"})
	a.mu.Unlock()
	if a.AgentStatus().State != AgentAvailable {
		t.Fatal("missed call started ACW")
	}
}

func TestACWExtendOnceAndEndEarly(t *testing.T) {
	a, _, _ := workdayAgent(t, testPolicy{acw: time.Hour})
	if err := a.ExtendACW(); !errors.Is(err, ErrNotInACW) {
		t.Fatalf("extend outside ACW: %v", err)
	}
	if err := a.SetAgentState(AgentAfterCall, ""); err != nil {
		t.Fatal(err)
	}
	ends := a.AgentStatus().ACWEnds
	if err := a.ExtendACW(); err != nil {
		t.Fatal(err)
	}
	if s := a.AgentStatus(); !s.Extended || s.ACWEnds.Sub(ends) < 59*time.Minute {
		t.Fatalf("after extend %+v", s)
	}
	if err := a.ExtendACW(); !errors.Is(err, ErrACWExtended) {
		t.Fatalf("second extend: %v", err)
	}
	if err := a.SetAgentState(AgentAvailable, ""); err != nil {
		t.Fatal(err)
	}
	if a.AgentStatus().State != AgentAvailable {
		t.Fatal("ACW did not end early")
	}
}

func TestACWWithRequiredWrapUp(t *testing.T) {
	a, ev, _ := workdayAgent(t, testPolicy{acw: 200 * time.Millisecond, wrapUp: true})
	if err := a.SetAgentState(AgentAfterCall, ""); err != nil {
		t.Fatal(err)
	}
	if err := a.SetAgentState(AgentAvailable, ""); !errors.Is(err, ErrWrapUpRequired) {
		t.Fatalf("end without wrap-up: %v", err)
	}
	time.Sleep(400 * time.Millisecond) // countdown over: still ACW, overdue
	if s := a.AgentStatus(); s.State != AgentAfterCall || s.Remaining(time.Now()) != 0 {
		t.Fatalf("after countdown without code: %+v", s)
	}
	mark := ev.mark()
	if err := a.SetWrapUp("sale"); err != nil {
		t.Fatal(err)
	}
	back := ev.waitAfter(mark, t, "available after the code", time.Second, agentState(AgentAvailable)).(AgentStateChanged).Status
	if back.Cause != "acw_timeout" {
		t.Fatalf("status %+v", back)
	}
}

func TestRefuseModeFromConfig(t *testing.T) {
	c := testSettings().Workday
	if WorkdayFromConfig(c).RefuseWith() != RefuseBusy {
		t.Error("default refuse mode is not busy")
	}
	c.RefuseWith = "dnd"
	if code, _ := WorkdayFromConfig(c).RefuseWith().response(); code != 480 {
		t.Errorf("dnd answers %d", code)
	}
	if code, _ := RefuseBusy.response(); code != 486 {
		t.Errorf("busy answers %d", code)
	}
}
