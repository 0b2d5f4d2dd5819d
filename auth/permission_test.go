package auth

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPermissionMatrix pins the whole table: every role against every
// privileged action. README's security model shows the same matrix.
func TestPermissionMatrix(t *testing.T) {
	// Columns: agent, supervisor, admin, dpo.
	want := map[Permission][4]bool{
		PermReveal:           {true, true, false, false},
		PermCRMLookup:        {true, true, false, false},
		PermCRMImport:        {false, false, true, false},
		PermRecordingPause:   {true, true, false, false},
		PermRecordingFlag:    {true, true, false, false},
		PermRecordingListOwn: {true, true, false, false},
		PermRecordingListAll: {false, true, true, true},
		PermRecordingControl: {false, true, false, false},
		PermRecordingPolicy:  {false, false, true, false},
		PermPlayback:         {false, true, false, false},
		PermExport:           {false, true, false, false},
		PermRecordingDelete:  {false, false, true, true},
		PermLegalHold:        {false, false, true, true},
		PermRecordingVerify:  {false, true, true, true},
		PermAdmin:            {false, false, true, false},
		PermErase:            {false, false, true, true},
		PermAuditExport:      {false, false, true, true},
	}
	require.Len(t, want, len(Permissions()), "every permission is in the matrix")
	tab := DefaultTable()
	for _, p := range Permissions() {
		for i, r := range Roles {
			t.Run(r.String()+"/"+p.String(), func(t *testing.T) {
				require.Equal(t, want[p][i], tab.Can(r, p))
				require.Equal(t, want[p][i], r.Can(p))
			})
		}
	}
	require.False(t, tab.Can(Role("guest"), PermCRMLookup), "unknown roles may do nothing")
}

func TestTableGrantRevoke(t *testing.T) {
	tab := DefaultTable()
	require.NoError(t, tab.Grant(RoleAdmin, PermPlayback), "machine policy may let the admin listen")
	require.True(t, tab.Can(RoleAdmin, PermPlayback))
	require.False(t, DefaultTable().Can(RoleAdmin, PermPlayback), "the default table is not shared")
	tab.Revoke(RoleAgent, PermReveal)
	require.False(t, tab.Can(RoleAgent, PermReveal))
	require.Error(t, tab.Grant(Role("root"), PermAdmin))
	for _, p := range Permissions() {
		q, err := ParsePermission(p.String())
		require.NoError(t, err)
		require.Equal(t, p, q)
	}
}

type recAuditor struct{ actions []string }

func (r *recAuditor) Record(action, actor string, attrs map[string]string) error {
	r.actions = append(r.actions, action+":"+actor+":"+attrs["permission"])
	return nil
}

func TestPermitAuditsRefusal(t *testing.T) {
	aud := &recAuditor{}
	svc := &Service{audit: aud, log: discardLogger()}
	agent := &Session{profile: "ann", role: RoleAgent, secrets: nopSecrets{}}
	require.NoError(t, svc.Permit(agent, PermCRMLookup, nil))
	err := svc.Permit(agent, PermCRMImport, map[string]string{"file": "x.csv"})
	require.ErrorIs(t, err, ErrPermission)
	require.Contains(t, err.Error(), "agent")
	require.Equal(t, []string{ActionPermissionDenied + ":ann:crm-import"}, aud.actions)
	require.True(t, errors.Is(svc.Permit(nil, PermErase, nil), ErrPermission))
}

type nopSecrets struct{}

func (nopSecrets) Get(string) (string, error) { return "", ErrSecretNotFound }
func (nopSecrets) Set(string, string) error   { return nil }
func (nopSecrets) Delete(string) error        { return nil }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
