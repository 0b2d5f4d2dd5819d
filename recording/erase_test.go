package recording

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func recordNumber(t *testing.T, env *testEnv, number string) string {
	t.Helper()
	r, err := env.store.Start(context.Background(), CallMeta{CallID: "c-" + number, Direction: "incoming", Number: number}, "agent7")
	require.NoError(t, err)
	writeBoth(r, 20, 0, speechFrame)
	id := r.ID()
	require.NoError(t, r.Close())
	return id
}

// Erasure shreds the customer's recordings, found by the keyed reference of
// each number; a legal hold wins and is reported; other customers stay.
func TestEraseCustomer(t *testing.T) {
	env := newEnv(t, nil)
	a1 := recordNumber(t, env, "+49 201 809000")
	a2 := recordNumber(t, env, "4920180900 0") // same digits without "+"
	held := recordNumber(t, env, "+49201809000")
	other := recordNumber(t, env, "+4930123456")
	require.NoError(t, env.store.Hold("dpo1", RoleDPO, held, "court case 12"))

	_, err := env.store.EraseCustomer("agent7", RoleAgent, []string{"+49201809000"})
	require.ErrorIs(t, err, ErrPermission)

	er, err := env.store.EraseCustomer("dpo1", RoleDPO, []string{"+49201809000"})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{a1, a2}, er.Shredded)
	require.Equal(t, []string{held}, er.Held)
	for _, id := range er.Shredded {
		m, err := env.store.Get("dpo1", RoleDPO, id)
		require.NoError(t, err)
		require.Equal(t, StatusDeleted, m.Status)
		require.Empty(t, m.CustomerRef, "the tombstone keeps no customer reference")
		_, err = os.Stat(env.store.recDir(id))
		require.True(t, os.IsNotExist(err))
	}
	m, err := env.store.Get("dpo1", RoleDPO, other)
	require.NoError(t, err)
	require.Equal(t, StatusComplete, m.Status)
	require.Contains(t, env.aud.actions(), actErase)
}
