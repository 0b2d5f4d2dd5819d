package crm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(StoreConfig{Path: filepath.Join(t.TempDir(), "crm.db")})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStoreLookup(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	a := sampleContact()
	b := Contact{CustomerID: "C2", Name: "Shared", Phones: []string{"+4920180900"}}
	require.NoError(t, s.Put(ctx, []Contact{a, b}))

	// The three spellings from the issue find the same contacts.
	for _, raw := range []string{"0201 80900", "+49 201 80900", "004920180900"} {
		e, err := Normalize(raw, "DE")
		require.NoError(t, err)
		got, err := s.LookupNumber(ctx, e)
		require.NoError(t, err)
		require.Len(t, got, 2, raw)
		assert.Equal(t, "C1001", got[0].CustomerID)
		assert.Equal(t, "C2", got[1].CustomerID)
	}
	got, err := s.LookupNumber(ctx, "+491701234567")
	require.NoError(t, err)
	require.Len(t, got, 1)
	want := a
	assert.Equal(t, want, got[0], "round trip keeps every field and the phone order")

	var mode string
	require.NoError(t, s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode)

	got, err = s.LookupNumber(ctx, "+4930000000")
	require.NoError(t, err)
	assert.Empty(t, got)

	c, err := s.LookupCustomer(ctx, "C2")
	require.NoError(t, err)
	assert.Equal(t, "Shared", c.Name)
	_, err = s.LookupCustomer(ctx, "nope")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestStorePutReplaces(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	require.NoError(t, s.Put(ctx, []Contact{{CustomerID: "C1", Name: "Old", Phones: []string{"+4920180900"}}}))
	require.NoError(t, s.Put(ctx, []Contact{{CustomerID: "C1", Name: "New", Phones: []string{"+4920180901"}}}))
	got, err := s.LookupNumber(ctx, "+4920180900")
	require.NoError(t, err)
	assert.Empty(t, got, "the old number is gone")
	got, err = s.LookupNumber(ctx, "+4920180901")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "New", got[0].Name)
	n, err := s.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestStoreWrapUp(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	require.NoError(t, s.Put(ctx, []Contact{{CustomerID: "C1", Name: "Ann", Phones: []string{"+4920180900"}}}))
	w := WrapUp{CustomerID: "C1", CallID: "call-1", Agent: "agent7", Code: "RESOLVED", Notes: "Rückruf erledigt", At: time.Now()}
	require.NoError(t, s.WriteWrapUp(ctx, w))
	assert.ErrorIs(t, s.WriteWrapUp(ctx, WrapUp{CustomerID: "ghost"}), ErrNotFound)
	ws, err := s.WrapUps(ctx, "C1")
	require.NoError(t, err)
	require.Len(t, ws, 1)
	assert.Equal(t, "RESOLVED", ws[0].Code)
	assert.Equal(t, "Rückruf erledigt", ws[0].Notes)
}

func TestStoreCancelledContext(t *testing.T) {
	s := openTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.LookupNumber(ctx, "+4920180900")
	assert.Error(t, err)
}

func TestStoreCloseIdempotent(t *testing.T) {
	s, err := Open(StoreConfig{Path: filepath.Join(t.TempDir(), "crm.db")})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
}

func TestStoreFieldKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crm.db")
	key := bytes.Repeat([]byte{7}, 32)
	s, err := Open(StoreConfig{Path: path, FieldKey: key})
	require.NoError(t, err)
	a := sampleContact()
	require.NoError(t, s.Put(ctx, []Contact{a}))
	require.NoError(t, s.WriteWrapUp(ctx, WrapUp{CustomerID: a.CustomerID, Code: "OK", Notes: "Rückruf morgen", At: time.Now()}))
	got, err := s.LookupNumber(ctx, "+4920180900")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, a, got[0], "decrypted on read")
	ws, err := s.WrapUps(ctx, a.CustomerID)
	require.NoError(t, err)
	assert.Equal(t, "Rückruf morgen", ws[0].Notes)

	var iban, card string
	require.NoError(t, s.db.QueryRow(`SELECT iban, card FROM contacts`).Scan(&iban, &card))
	assert.True(t, strings.HasPrefix(iban, sealedPrefix))
	assert.True(t, strings.HasPrefix(card, sealedPrefix))
	require.NoError(t, s.Close())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	// The indexes are keyed hashes: neither numbers nor customer ids nor
	// the consent flag are in the file.
	for _, v := range []string{"0532013000", "4111 1111", "juergen.gross", "Hauptstr", "Jürgen", "Rückruf", "4920180900", "491701234567", a.CustomerID} {
		assert.False(t, bytes.Contains(raw, []byte(v)), "plain %q in the file", v)
	}

	for name, key := range map[string][]byte{
		"no key":    nil,
		"wrong key": bytes.Repeat([]byte{8}, 32),
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Open(StoreConfig{Path: path, FieldKey: key})
			require.NoError(t, err)
			defer s.Close()
			_, err = s.LookupNumber(ctx, "+4920180900")
			assert.ErrorIs(t, err, ErrSealed)
		})
	}
	_, err = Open(StoreConfig{Path: path, FieldKey: []byte("short")})
	assert.Error(t, err)
	_, err = Open(StoreConfig{FieldKey: key})
	assert.Error(t, err, "no path")
}
