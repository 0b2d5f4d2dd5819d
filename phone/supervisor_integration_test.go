package phone

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"softphone/audit"
	"softphone/internal/testpeer"
	"softphone/recording"
)

type keyring map[string]ed25519.PublicKey

func (k keyring) SupervisorKey(id string) (string, ed25519.PublicKey, bool) {
	pub, ok := k[id]
	return "Sam Supervisor", pub, ok
}

func openAudit(t *testing.T, name string) (*audit.Log, string) {
	path := filepath.Join(t.TempDir(), name)
	l, err := audit.Open(path, audit.WithAnchorKey(testAuditKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, path
}

func auditText(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A supervisor's signed MESSAGE through Kamailio switches the recording
// of the agent's live call (baresip as the customer) off; the agent's
// phone says who did it; both sides audit; a replayed or forged command
// is refused and audited.
func TestSupervisorSwitchesRecordingOffThroughKamailio(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	agentAudit, agentAuditPath := openAudit(t, "agent.log")
	supAudit, supAuditPath := openAudit(t, "sup.log")
	store, err := recording.NewStore(recording.Config{Dir: filepath.Join(t.TempDir(), "rec"), Recipients: []age.Recipient{id.Recipient()},
		RetentionDays: 30, Policy: recording.PolicyOn, Auditor: agentAudit, PseudonymKey: make([]byte, 32), SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)

	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw", "2000": "custpw", "5000": "suppw"})
	testpeer.StartBaresip(t, k, "2000", "custpw", testpeer.BaresipOptions{AutoAnswer: true})
	ag := newAgent(t, k, "1000", func(c *Config) {
		c.Recordings, c.Auditor, c.SupervisorKeys = store, agentAudit, keyring{"sam-1": pub}
	}, &toneEndpoints{hz: 1000, sink: &pcmSink{}})
	sup := newAgent(t, k, "5000", func(c *Config) {
		c.Auditor = supAudit
		c.SupervisorSigner = &SupervisorSigner{KeyID: "sam-1", Name: "Sam Supervisor", Key: priv}
	}, nil)
	ev := watchAgent(t, ag)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for a, pw := range map[*Agent]string{ag: "agentpw", sup: "suppw"} {
		if err := a.Register(ctx, pw); err != nil {
			t.Fatal(err)
		}
	}
	callID, err := ag.Dial(ctx, "2000")
	if err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, "recording", 15*time.Second, func(e Event) bool {
		r, ok := e.(RecordingChanged)
		return ok && r.CallID == callID && r.State == Recording
	})

	if err := sup.SuperviseRecording(ctx, "1000", false); err != nil {
		t.Fatalf("supervisor command: %v", err)
	}
	acted := ev.waitFor(t, "applied", 5*time.Second, func(e Event) bool { _, ok := e.(SupervisorActed); return ok }).(SupervisorActed)
	if acted.Refused != "" || acted.Supervisor != "Sam Supervisor" || acted.On || len(acted.CallIDs) != 1 {
		t.Fatalf("acted %+v", acted)
	}
	ev.waitFor(t, "not recording", 5*time.Second, func(e Event) bool {
		r, ok := e.(RecordingChanged)
		return ok && r.CallID == callID && r.State == NotRecording && r.Cause == CauseSupervisorOff
	})

	// Replay: the same signed body again; forged: a changed field.
	cmd := SupervisorCommand{V: 1, Action: "recording", On: true, Agent: "1000", KeyID: "sam-1",
		Nonce: "00112233445566778899aabbccddeeff", TS: time.Now().Unix()}
	cmd.Sig = ed25519.Sign(priv, cmd.signedBytes())
	body, _ := json.Marshal(cmd)
	uri := "sip:1000@" + k.Domain
	if err := sup.ua.SendMessage(ctx, uri, SupervisorContentType, body); err != nil {
		t.Fatalf("first send: %v", err)
	}
	if err := sup.ua.SendMessage(ctx, uri, SupervisorContentType, body); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("replayed command: %v, want 403", err)
	}
	cmd.Nonce, cmd.On = "ffeeddccbbaa99887766554433221100", false // signature no longer matches
	forged, _ := json.Marshal(cmd)
	if err := sup.ua.SendMessage(ctx, uri, SupervisorContentType, forged); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("forged command: %v, want 403", err)
	}
	old := SupervisorCommand{V: 1, Action: "recording", Agent: "1000", KeyID: "sam-1",
		Nonce: "0123456789abcdef0123456789abcdef", TS: time.Now().Add(-time.Hour).Unix()}
	old.Sig = ed25519.Sign(priv, old.signedBytes())
	stale, _ := json.Marshal(old)
	if err := sup.ua.SendMessage(ctx, uri, SupervisorContentType, stale); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("stale command: %v, want 403", err)
	}
	ag.Hangup(callID)
	ev.waitFor(t, "ended", 10*time.Second, callState(callID, CallEnded))

	a := auditText(t, agentAuditPath)
	if strings.Count(a, "supervisor_recording_applied") != 2 || strings.Count(a, "supervisor_recording_refused") != 3 {
		t.Fatalf("agent audit:\n%s", a)
	}
	if s := auditText(t, supAuditPath); !strings.Contains(s, "supervisor_recording_sent") {
		t.Fatalf("supervisor audit:\n%s", s)
	}
	for _, p := range []string{agentAuditPath, supAuditPath} {
		if rep, err := audit.Verify(p, audit.WithAnchorKey(testAuditKey)); err != nil || len(rep.Problems) > 0 {
			t.Fatalf("%s does not verify: %v %+v", p, err, rep.Problems)
		}
	}
}
