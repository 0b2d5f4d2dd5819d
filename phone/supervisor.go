package phone

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"softphone/recording"
	"softphone/sip"
)

// Supervisor reach: a supervisor switches recording of an agent's live
// call on or off from their own desktop. The command is signed (Ed25519)
// with the supervisor's key and travels as a SIP MESSAGE through the PBX;
// the agent's phone verifies key, signature, time window and nonce, applies
// it, shows who did it, and audits; forged or replayed commands are
// refused and audited. Both sides audit.

// SupervisorContentType is the MESSAGE body type of a supervisor command.
const SupervisorContentType = "application/vnd.softphone.supervisor+json"

// supervisorWindow is how far a command's time may be from ours.
const supervisorWindow = 60 * time.Second

// SupervisorKeys finds a supervisor's public key by key ID (policy will
// supply them; for now the configuration). The name is what the agent is
// shown, from the key store, never from the message.
type SupervisorKeys interface {
	SupervisorKey(keyID string) (name string, pub ed25519.PublicKey, ok bool)
}

// SupervisorSigner signs commands on a supervisor's desktop.
type SupervisorSigner struct {
	KeyID string
	Name  string
	Key   ed25519.PrivateKey
}

// SupervisorCommand is the signed MESSAGE body.
type SupervisorCommand struct {
	V      int    `json:"v"`
	Action string `json:"action"` // "recording"
	On     bool   `json:"on"`
	Agent  string `json:"agent"` // the agent's SIP user
	KeyID  string `json:"key_id"`
	Nonce  string `json:"nonce"`
	TS     int64  `json:"ts"` // Unix seconds
	Sig    []byte `json:"sig"`
}

// signedBytes is what the signature covers.
func (c SupervisorCommand) signedBytes() []byte {
	return []byte(strings.Join([]string{"softphone-supervisor-v1", c.Action, strconv.FormatBool(c.On),
		c.Agent, c.KeyID, c.Nonce, strconv.FormatInt(c.TS, 10)}, "\n"))
}

// SupervisorActed reports a supervisor command this phone applied or
// refused. Refused is empty when it was applied.
type SupervisorActed struct {
	Supervisor string   // the key's owner ("" when the key is unknown)
	On         bool     // recording switched on (true) or off
	CallIDs    []string // the calls it applied to
	Refused    string   // why it was refused
}

func (SupervisorActed) isEvent() {}

// Why supervisor commands are refused.
var (
	ErrCommandForged   = errors.New("supervisor command refused: unknown key or bad signature")
	ErrCommandReplayed = errors.New("supervisor command refused: replayed or outside the time window")
)

// SuperviseRecording sends a signed command switching recording of the
// agent's (a SIP user or URI) live call on or off.
func (a *Agent) SuperviseRecording(ctx context.Context, agent string, on bool) error {
	s, err := a.supervisorSigner()
	if err != nil {
		return err
	}
	uri, err := TargetURI(agent, a.Settings().Account.Domain)
	if err != nil {
		return err
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	cmd := SupervisorCommand{V: 1, Action: "recording", On: on, Agent: numberOf(uri), KeyID: s.KeyID,
		Nonce: hex.EncodeToString(nonce), TS: time.Now().Unix()}
	cmd.Sig = ed25519.Sign(s.Key, cmd.signedBytes())
	body, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	a.mu.Lock()
	ua := a.ua
	a.mu.Unlock()
	if ua == nil {
		return fmt.Errorf("not registered")
	}
	err = ua.SendMessage(ctx, uri, SupervisorContentType, body)
	a.auditSupervisor("supervisor_recording_sent", s.Name, map[string]string{
		"agent": cmd.Agent, "on": strconv.FormatBool(on), "nonce": cmd.Nonce, "result": errText(err)})
	return err
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// onMessage handles a MESSAGE from the sip layer: a supervisor command.
func (a *Agent) onMessage(m sip.Message) int {
	if m.ContentType != SupervisorContentType {
		return 415
	}
	var cmd SupervisorCommand
	if err := json.Unmarshal(m.Body, &cmd); err != nil || cmd.V != 1 || cmd.Action != "recording" {
		a.refuseSupervisor("", cmd, "malformed command")
		return 400
	}
	name, err := a.verifySupervisor(cmd, time.Now())
	if err != nil {
		a.refuseSupervisor(name, cmd, err.Error())
		return 403
	}
	ids := a.applySupervisor(name, cmd.On)
	if len(ids) == 0 {
		a.refuseSupervisor(name, cmd, "no recorded call")
		return 404
	}
	a.auditSupervisor("supervisor_recording_applied", name, map[string]string{
		"on": strconv.FormatBool(cmd.On), "calls": strings.Join(ids, ","), "nonce": cmd.Nonce})
	a.hub.publish(SupervisorActed{Supervisor: name, On: cmd.On, CallIDs: ids})
	return 200
}

// verifySupervisor checks key, signature, addressee, time and nonce; it
// returns the key owner's name.
func (a *Agent) verifySupervisor(cmd SupervisorCommand, now time.Time) (string, error) {
	keys := a.cfg.SupervisorKeys
	if keys == nil {
		return "", ErrCommandForged
	}
	name, pub, ok := keys.SupervisorKey(cmd.KeyID)
	if !ok || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, cmd.signedBytes(), cmd.Sig) {
		return "", ErrCommandForged
	}
	if cmd.Agent != a.Settings().Account.User {
		return name, ErrCommandForged
	}
	ts := time.Unix(cmd.TS, 0)
	if ts.Before(now.Add(-supervisorWindow)) || ts.After(now.Add(supervisorWindow)) || len(cmd.Nonce) < 16 {
		return name, ErrCommandReplayed
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.nonces == nil {
		a.nonces = map[string]time.Time{}
	}
	for n, at := range a.nonces {
		if now.Sub(at) > 2*supervisorWindow {
			delete(a.nonces, n)
		}
	}
	if _, seen := a.nonces[cmd.Nonce]; seen {
		return name, ErrCommandReplayed
	}
	a.nonces[cmd.Nonce] = now
	return name, nil
}

// applySupervisor switches recording of every live recorded call.
func (a *Agent) applySupervisor(name string, on bool) []string {
	a.mu.Lock()
	type target struct {
		id  string
		rec *recording.Recorder
	}
	var ts []target
	for _, id := range a.order {
		if c := a.calls[id]; c.rec != nil {
			ts = append(ts, target{id, c.rec})
		}
	}
	a.mu.Unlock()
	var ids []string
	for _, t := range ts {
		if err := t.rec.SetRecording("supervisor:"+name, recording.Role(RoleSupervisor), on); err != nil {
			a.log.Warn("supervisor recording command", "call", t.id, "err", err)
			continue
		}
		ids = append(ids, t.id)
	}
	return ids
}

func (a *Agent) refuseSupervisor(name string, cmd SupervisorCommand, why string) {
	a.log.Warn("supervisor command refused", "key", cmd.KeyID, "reason", why)
	a.auditSupervisor("supervisor_recording_refused", name, map[string]string{
		"key_id": cmd.KeyID, "nonce": cmd.Nonce, "reason": why})
	a.hub.publish(SupervisorActed{Supervisor: name, On: cmd.On, Refused: why})
}

func (a *Agent) auditSupervisor(action, supervisor string, attrs map[string]string) {
	if a.cfg.Auditor == nil {
		return
	}
	if supervisor == "" {
		supervisor = "unknown"
	}
	attrs["supervisor"] = supervisor
	for k, v := range attrs {
		if len(v) > 200 {
			attrs[k] = v[:200]
		}
	}
	a.mu.Lock()
	actor := a.login.Profile
	if actor == "" {
		actor = "sip:" + a.cfg.Settings.Account.User
	}
	a.mu.Unlock()
	if err := a.cfg.Auditor.Record(action, actor, attrs); err != nil {
		a.log.Warn("audit supervisor command", "err", err)
	}
}
