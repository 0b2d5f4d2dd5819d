package phone

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"softphone/audit"
	"softphone/crm"
	"softphone/demo"
	"softphone/recording"
)

// demoRig is an agent registered at the in-process demo PBX, with the demo
// CRM data in an embedded store and recording to a test key.
type demoRig struct {
	pbx    *demo.PBX
	agent  *Agent
	events *eventLog
	audit  string
}

func newDemoRig(t *testing.T) *demoRig {
	t.Helper()
	ctx := context.Background()
	pbx, err := demo.Start(ctx, demo.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pbx.Close() })
	dir := t.TempDir()
	store, err := crm.Open(crm.StoreConfig{Path: dir + "/crm.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.Import(ctx, bytes.NewReader(demo.ContactsCSV()), crm.FormatCSV, "DE"); err != nil {
		t.Fatal(err)
	}
	alog, err := audit.Open(dir+"/audit.log", audit.WithAnchorKey(testAuditKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { alog.Close() })
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	recs, err := recording.NewStore(recording.Config{
		Dir: dir + "/rec", Recipients: []age.Recipient{id.Recipient()}, RetentionDays: 30,
		Policy: recording.PolicyOn, Auditor: alog, PseudonymKey: make([]byte, 32), SweepInterval: -1,
		AutoPausePayment: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { recs.Close() })

	s := testSettings()
	s.Account.Server = pbx.Addr()
	s.Account.Domain = pbx.Domain()
	s.Account.User = pbx.Agent().User
	s.Media.LocalIP = "127.0.0.1"
	a, err := New(Config{
		Settings: s, RootCAs: pbx.CAPool(), Recordings: recs,
		CRM: &CRMConfig{Directory: store, Policy: crm.DefaultPolicy(), Region: "DE", Auditor: alog},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	r := &demoRig{pbx: pbx, agent: a, events: watchAgent(t, a), audit: dir + "/audit.log"}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := a.Register(rctx, pbx.Agent().Password); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCustomerCallShowsMaskedCardAndPausesForPayment: demo customer 2 has a
// card payment in progress. The CRM card arrives masked while the call
// rings; once answered the recorder is PAUSED for the payment, never
// RECORDING first; an agent without the permission cannot reveal.
func TestCustomerCallShowsMaskedCardAndPausesForPayment(t *testing.T) {
	checkLeaks(t)
	r := newDemoRig(t)
	go r.pbx.CallAgent(context.Background(), 1) // DEMO-0002, payment in progress
	in := r.events.waitFor(t, "incoming", 10*time.Second, callState("", CallIncoming)).(CallChanged)
	found := r.events.waitFor(t, "CRM card", 10*time.Second, func(e Event) bool {
		c, ok := e.(ContactChanged)
		return ok && c.CallID == in.Call.ID && c.Event.Kind == crm.EventState && c.Event.State == crm.StateFound
	}).(ContactChanged)
	card := found.Event.Card
	if card == nil || !strings.Contains(card.Name, "Max Mustermann") {
		t.Fatalf("card = %+v", card)
	}
	for _, f := range card.Fields {
		if strings.Contains(f.Value, "5555 5555 5555 4444") || strings.Contains(f.Value, "5555555555554444") {
			t.Fatalf("field %s shows the card number unmasked: %q", f.Key, f.Value)
		}
		if strings.Contains(f.Value, "3704 0044 0532") {
			t.Fatalf("field %s shows the IBAN unmasked: %q", f.Key, f.Value)
		}
	}
	if _, err := r.agent.RevealField(in.Call.ID, "iban", "customer asked"); err == nil {
		t.Fatal("revealed without a login that has the permission")
	}
	if err := r.agent.Answer(context.Background(), in.Call.ID); err != nil {
		t.Fatal(err)
	}
	r.events.waitFor(t, "active", 10*time.Second, callState(in.Call.ID, CallActive))
	var states []RecordingState
	r.events.waitFor(t, "recorder paused for payment", 10*time.Second, func(e Event) bool {
		rc, ok := e.(RecordingChanged)
		if ok && rc.CallID == in.Call.ID {
			states = append(states, rc.State)
		}
		return ok && rc.CallID == in.Call.ID && rc.State == RecordingPaused && rc.Paused.Has(PausePayment)
	})
	for _, s := range states {
		if s == Recording {
			t.Fatalf("recorder was RECORDING before the payment pause applied: %v", states)
		}
	}
	r.agent.Hangup(in.Call.ID)
	r.events.waitFor(t, "ended", 10*time.Second, callState(in.Call.ID, CallEnded))
	// The card stays available for the wrap-up after the call.
	if err := r.agent.WrapUp(context.Background(), in.Call.ID, "resolved", "demo test"); err != nil {
		t.Fatalf("wrap-up: %v", err)
	}
	rep, err := audit.Verify(r.audit, audit.WithAnchorKey(testAuditKey))
	if err != nil || !rep.OK() {
		t.Fatalf("audit log: %v %+v", err, rep.Problems)
	}
}

// TestNoCRMLookupForExtensions: calling a named extension (the echo test)
// asks the CRM nothing and shows no customer card.
func TestNoCRMLookupForExtensions(t *testing.T) {
	checkLeaks(t)
	r := newDemoRig(t)
	id, err := r.agent.Dial(context.Background(), "echo")
	if err != nil {
		t.Fatal(err)
	}
	r.events.waitFor(t, "echo call active", 10*time.Second, callState(id, CallActive))
	if _, _, _, err := r.agent.Contact(id); err == nil {
		t.Fatal("a CRM lookup ran for the echo extension")
	}
	r.agent.Hangup(id)
	r.events.waitFor(t, "ended", 10*time.Second, callState(id, CallEnded))
	r.events.mu.Lock()
	defer r.events.mu.Unlock()
	for _, e := range r.events.events {
		if c, ok := e.(ContactChanged); ok {
			t.Fatalf("CRM event for an extension call: %+v", c.Event)
		}
	}
}

// testAuditKey authenticates the test audit logs' anchors (every mode has one).
var testAuditKey = []byte("phone-test-audit-anchor-key-0001")
