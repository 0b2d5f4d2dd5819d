package recording

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"
)

// record makes a finished recording of frames 20 ms frames and returns its id.
func record(t *testing.T, env *testEnv, frames int) string {
	t.Helper()
	r := startCall(t, env)
	writeBoth(r, frames, 0, speechFrame)
	id := r.ID()
	require.NoError(t, r.Close())
	return id
}

func TestRoundTrip(t *testing.T) {
	env := newEnv(t, nil)
	id := record(t, env, 120)
	m, err := env.store.Get("sup1", RoleSupervisor, id)
	require.NoError(t, err)
	require.Equal(t, StatusComplete, m.Status)
	require.GreaterOrEqual(t, m.Segments, 1)
	agent, customer := decodeWAV(t, env.wav(t, id))
	require.Len(t, agent, 120*160)
	for k := 0; k < 120; k++ {
		require.Equal(t, speechFrame(k), agent[k*160:(k+1)*160])
		require.Equal(t, speechFrame(k), customer[k*160:(k+1)*160])
	}
	require.Contains(t, env.aud.actions(), actPlay)
	rd, err := env.store.Open("sup1", RoleSupervisor, id, PurposeExport, env.id)
	require.NoError(t, err)
	require.Equal(t, id, rd.Meta().ID)
	require.Contains(t, env.aud.actions(), actExport)
	n, probs, err := env.store.Verify("sup1", RoleSupervisor, env.id)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Empty(t, probs)
}

func TestWrongKey(t *testing.T) {
	env := newEnv(t, nil)
	id := record(t, env, 10)
	other, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	_, err = env.store.Open("sup1", RoleSupervisor, id, PurposePlayback, other)
	require.ErrorIs(t, err, ErrWrongKey)
	require.Contains(t, err.Error(), "private key does not match")
	_, probs, err := env.store.Verify("sup1", RoleSupervisor, other)
	require.NoError(t, err)
	require.True(t, IsWrongKey(probs))
}

func TestTamperDetected(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, env *testEnv, id string)
	}{
		{"flipped byte in segment", func(t *testing.T, env *testEnv, id string) {
			p := filepath.Join(env.store.recDir(id), segName(1))
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			b[len(b)-100] ^= 1
			require.NoError(t, os.WriteFile(p, b, 0o600))
		}},
		{"segments swapped", func(t *testing.T, env *testEnv, id string) {
			d := env.store.recDir(id)
			require.NoError(t, os.Rename(filepath.Join(d, segName(1)), filepath.Join(d, "x")))
			require.NoError(t, os.Rename(filepath.Join(d, segName(2)), filepath.Join(d, segName(1))))
			require.NoError(t, os.Rename(filepath.Join(d, "x"), filepath.Join(d, segName(2))))
		}},
		{"segment removed", func(t *testing.T, env *testEnv, id string) {
			require.NoError(t, os.Remove(filepath.Join(env.store.recDir(id), segName(2))))
		}},
		{"index retention extended", func(t *testing.T, env *testEnv, id string) {
			rawExec(t, env, `UPDATE recordings SET retain_until = retain_until + 1000000000000, doc = replace(doc, '"retain_until":"2026', '"retain_until":"2099') WHERE id = ?`, id)
		}},
		{"index hold column cleared", func(t *testing.T, env *testEnv, id string) {
			rawExec(t, env, `UPDATE recordings SET hold = 1 WHERE id = ?`, id)
		}},
		{"wrapped key replaced", func(t *testing.T, env *testEnv, id string) {
			rawExec(t, env, `UPDATE recordings SET wrapped_key = x'00' WHERE id = ?`, id)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.SegmentDuration = 100 * time.Millisecond })
			r := startCall(t, env)
			for k := 0; k < 40; k++ {
				r.WriteAgent(speechFrame(k))
				r.WriteCustomer(speechFrame(k))
				if k%5 == 0 {
					time.Sleep(40 * time.Millisecond)
				}
			}
			id := r.ID()
			require.NoError(t, r.Close())
			m, err := env.store.Get("sup1", RoleSupervisor, id)
			require.NoError(t, err)
			require.GreaterOrEqual(t, m.Segments, 2)

			tc.tamper(t, env, id)
			rd, err := env.store.Open("sup1", RoleSupervisor, id, PurposePlayback, env.id)
			if err == nil {
				var buf bytes.Buffer
				err = rd.WriteWAV(&buf)
				require.Zero(t, buf.Len(), "nothing is written from a recording that fails verification")
			}
			require.ErrorIs(t, err, ErrTampered)
			_, probs, err := env.store.Verify("sup1", RoleSupervisor, env.id)
			require.NoError(t, err)
			require.Len(t, probs, 1)
			require.Equal(t, id, probs[0].Recording)
			require.ErrorIs(t, probs[0].Err, ErrTampered)
		})
	}
}

func rawExec(t *testing.T, env *testEnv, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(env.store.cfg.Dir, "index.db"))
	require.NoError(t, err)
	defer db.Close()
	res, err := db.Exec(q, args...)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}

func TestDeleteHoldRelease(t *testing.T) {
	env := newEnv(t, nil)
	id := record(t, env, 10)
	s := env.store

	require.ErrorIs(t, s.Hold("agent7", RoleAgent, id, "case 1"), ErrPermission)
	require.ErrorIs(t, s.Hold("admin1", RoleAdmin, id, ""), ErrReasonRequired)
	require.NoError(t, s.Hold("admin1", RoleAdmin, id, "court order 42"))
	require.ErrorIs(t, s.Delete("admin1", RoleAdmin, id), ErrLegalHold)
	require.ErrorIs(t, s.Delete("adm", RoleAdmin, id), ErrLegalHold)
	require.ErrorIs(t, s.Release("agent7", RoleAgent, id, "done"), ErrPermission, "agent cannot release a hold")
	require.ErrorIs(t, s.Delete("agent7", RoleAgent, id), ErrPermission)
	require.DirExists(t, s.recDir(id))

	require.NoError(t, s.Release("admin1", RoleAdmin, id, "case closed"))
	require.NoError(t, s.Delete("admin1", RoleAdmin, id))
	require.NoDirExists(t, s.recDir(id))
	m, err := s.Get("sup1", RoleSupervisor, id)
	require.NoError(t, err)
	require.Equal(t, StatusDeleted, m.Status)
	require.Empty(t, m.CustomerRef, "tombstone keeps no pseudonym")
	require.Nil(t, m.Hold)
	r, err := getRow(s.db, s.macKey, id)
	require.NoError(t, err)
	require.Nil(t, r.wrapped, "wrapped key destroyed")
	require.ErrorIs(t, s.Delete("admin1", RoleAdmin, id), ErrDeleted)
	for _, a := range []string{actHold, actRelease, actDelete} {
		require.Contains(t, env.aud.actions(), a)
	}
}

// TestCryptoShred: a copy of the segments taken before deletion cannot be
// decrypted afterwards, even with the organisation's key.
func TestCryptoShred(t *testing.T) {
	env := newEnv(t, nil)
	id := record(t, env, 10)
	seg, err := os.ReadFile(filepath.Join(env.store.recDir(id), segName(1)))
	require.NoError(t, err)
	require.NoError(t, env.store.Delete("admin1", RoleAdmin, id))
	_, err = age.Decrypt(bytes.NewReader(seg), env.id)
	require.Error(t, err, "segments are encrypted to the per-recording key, not the org key")
	_, err = env.store.Open("sup1", RoleSupervisor, id, PurposePlayback, env.id)
	require.ErrorIs(t, err, ErrDeleted)
	for name, b := range allFiles(t, env.dir) {
		require.False(t, bytes.Contains(b, []byte("age-encryption.org")), "wrapped key or segment left in %s", name)
	}
}

func TestRetentionSweep(t *testing.T) {
	env := newEnv(t, nil)
	s := env.store
	old := record(t, env, 5)        // day 0: expires day 30
	oldHeld := record(t, env, 5)    // day 0, on hold
	oldFlagged := record(t, env, 5) // day 0, flagged: still deleted
	require.NoError(t, s.Hold("admin1", RoleAdmin, oldHeld, "litigation"))
	require.NoError(t, s.Flag("agent7", RoleAgent, oldFlagged, "customer complaint"))
	env.advance(20 * 24 * time.Hour)
	recent := record(t, env, 5) // day 20: expires day 50

	n, err := s.Sweep(env.now.Add(10 * 24 * time.Hour)) // day 30
	require.NoError(t, err)
	require.Equal(t, 2, n)
	status := func(id string) Status {
		m, err := s.Get("sup1", RoleSupervisor, id)
		require.NoError(t, err)
		return m.Status
	}
	require.Equal(t, StatusDeleted, status(old))
	require.Equal(t, StatusDeleted, status(oldFlagged))
	require.Equal(t, StatusComplete, status(oldHeld))
	require.Equal(t, StatusComplete, status(recent))
	n, err = s.Sweep(env.now.Add(10 * 24 * time.Hour))
	require.NoError(t, err)
	require.Zero(t, n, "sweep is idempotent")
	require.Contains(t, env.aud.actions(), actRetain)
}

func TestFlagAndList(t *testing.T) {
	env := newEnv(t, nil)
	s := env.store
	mine := record(t, env, 5)
	r, err := s.Start(t.Context(), CallMeta{CallID: "c2", Number: "+4930123"}, "agent8")
	require.NoError(t, err)
	writeBoth(r, 5, 0, speechFrame)
	require.NoError(t, r.Flag("agent8", "abusive caller"))
	theirs := r.ID()
	require.NoError(t, r.Close())

	require.ErrorIs(t, s.Flag("agent7", RoleAgent, theirs, "x"), ErrPermission, "agents flag only their own")
	require.ErrorIs(t, s.Flag("agent7", RoleAgent, mine, ""), ErrReasonRequired)
	require.NoError(t, s.Flag("agent7", RoleAgent, mine, "training example"))

	tests := []struct {
		name  string
		actor string
		role  Role
		f     Filter
		want  []string
	}{
		{"agent sees own", "agent7", RoleAgent, Filter{}, []string{mine}},
		{"supervisor sees all", "sup1", RoleSupervisor, Filter{}, []string{mine, theirs}},
		{"supervisor flagged", "sup1", RoleSupervisor, Filter{FlaggedOnly: true}, []string{mine, theirs}},
		{"by call", "sup1", RoleSupervisor, Filter{CallID: "c2"}, []string{theirs}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.List(tc.actor, tc.role, tc.f)
			require.NoError(t, err)
			var ids []string
			for _, m := range list {
				ids = append(ids, m.ID)
			}
			require.ElementsMatch(t, tc.want, ids)
		})
	}
	_, err = s.List("x", Role("guest"), Filter{})
	require.ErrorIs(t, err, ErrPermission)
	_, err = s.Open("agent7", RoleAgent, mine, PurposePlayback, env.id)
	require.ErrorIs(t, err, ErrPermission, "agents cannot play back")
}

func TestPermissions(t *testing.T) {
	tests := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleAgent, PermFlag, true},
		{RoleAgent, PermToggle, false},
		{RoleAgent, PermSetPolicy, false},
		{RoleAgent, PermHold, false},
		{RoleAgent, PermDelete, false},
		{RoleAgent, PermPlayback, false},
		{RoleAgent, PermExport, false},
		{RoleSupervisor, PermToggle, true},
		{RoleSupervisor, PermHold, false},
		{RoleSupervisor, PermPlayback, true},
		{RoleAdmin, PermHold, true},
		{RoleAdmin, PermPlayback, false},
		{RoleAdmin, PermExport, false},
		{RoleDPO, PermDelete, true},
		{RoleDPO, PermPlayback, false},
		{RoleSystem, PermPlayback, false},
		{RoleSupervisor, PermExport, true},
		{RoleAdmin, PermSetPolicy, true},
		{Role("guest"), PermFlag, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.role)+"/"+tc.perm.String(), func(t *testing.T) {
			require.Equal(t, tc.want, tc.role.Can(tc.perm))
		})
	}
}

func TestSetPolicy(t *testing.T) {
	env := newEnv(t, nil)
	require.ErrorIs(t, env.store.SetPolicy("agent7", RoleAgent, PolicyOff), ErrPermission)
	require.NoError(t, env.store.SetPolicy("admin1", RoleAdmin, PolicyAsk))
	require.Equal(t, PolicyAsk, env.store.Policy())
	require.Contains(t, env.aud.actions(), actPolicy)
	// The change persists across a restart.
	cfg := env.store.cfg
	require.NoError(t, env.store.Close())
	s2, err := NewStore(cfg)
	require.NoError(t, err)
	defer s2.Close()
	require.Equal(t, PolicyAsk, s2.Policy())
	require.NoError(t, s2.Close())

	// A policy edited in the database is ignored: the configured one applies.
	db, err := sql.Open("sqlite", filepath.Join(cfg.Dir, "index.db"))
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE settings SET value = replace(value, 'ask|', 'off|')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	s3, err := NewStore(cfg)
	require.NoError(t, err)
	defer s3.Close()
	require.Equal(t, PolicyOn, s3.Policy())
}

func TestAuditFailureBlocksPlayback(t *testing.T) {
	env := newEnv(t, nil)
	id := record(t, env, 5)
	env.aud.mu.Lock()
	env.aud.fail = os.ErrPermission
	env.aud.mu.Unlock()
	_, err := env.store.Open("sup1", RoleSupervisor, id, PurposePlayback, env.id)
	require.Error(t, err, "no unaudited playback")
}

func TestConfigValidation(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	_, err := NewStore(Config{Dir: t.TempDir(), PseudonymKey: testPseudonymKey})
	require.ErrorIs(t, err, ErrNoRecipients)
	_, err = NewStore(Config{Dir: t.TempDir(), Recipients: []age.Recipient{id.Recipient()}, PseudonymKey: []byte("short")})
	require.ErrorIs(t, err, ErrNoPseudonymKey)
	rs, err := ParseRecipients([]string{id.Recipient().String(), ""})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	_, err = ParseRecipients([]string{"AGE-" + "SECRET-KEY-1XYZ"}) // split: no key-shaped literal in the tree
	require.Error(t, err)
	_, err = ParsePolicy("sometimes")
	require.ErrorIs(t, err, ErrBadPolicy)
}

func TestRefusalIsAudited(t *testing.T) {
	env := newEnv(t, nil)
	require.ErrorIs(t, env.store.Delete("agent7", RoleAgent, "00000000000000000000000000000000"), ErrPermission)
	require.ErrorIs(t, env.store.SetPolicy("sup1", RoleSupervisor, PolicyOff), ErrPermission)
	n := 0
	for _, a := range env.aud.actions() {
		if a == actPermissionDenied {
			n++
		}
	}
	require.Equal(t, 2, n, "both refusals are in the audit trail")
}

// A recording policy fixed by the machine policy cannot be changed at run
// time, and an earlier stored change no longer applies.
func TestPolicyLocked(t *testing.T) {
	env := newEnv(t, nil)
	require.NoError(t, env.store.SetPolicy("admin1", RoleAdmin, PolicyOff))
	cfg := env.store.cfg
	require.NoError(t, env.store.Close())
	cfg.Policy, cfg.PolicyLocked = PolicyOn, true
	s2, err := NewStore(cfg)
	require.NoError(t, err)
	defer s2.Close()
	require.Equal(t, PolicyOn, s2.Policy())
	require.ErrorIs(t, s2.SetPolicy("admin1", RoleAdmin, PolicyOff), ErrPolicyLocked)
}
