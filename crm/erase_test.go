package crm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStoreErase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "crm.db")
	key := bytes.Repeat([]byte{9}, 32)
	s, err := Open(StoreConfig{Path: path, FieldKey: key})
	require.NoError(t, err)
	a := sampleContact()
	b := sampleContact()
	b.CustomerID, b.Name, b.Phones = "C2002", "Erika Muster", []string{"+4930111222"}
	require.NoError(t, s.Put(ctx, []Contact{a, b}))
	require.NoError(t, s.WriteWrapUp(ctx, WrapUp{CustomerID: a.CustomerID, Code: "OK", Notes: "Rückruf", At: time.Now()}))

	er, err := s.Erase(ctx, "+4920180900", "")
	require.NoError(t, err)
	assert.Equal(t, 1, er.Contacts)
	assert.Equal(t, 1, er.WrapUps)
	assert.ElementsMatch(t, a.Phones, er.Numbers)
	_, err = s.LookupCustomer(ctx, a.CustomerID)
	require.ErrorIs(t, err, ErrNotFound)
	got, err := s.LookupNumber(ctx, "+491701234567")
	require.NoError(t, err)
	require.Empty(t, got)
	kept, err := s.LookupCustomer(ctx, b.CustomerID)
	require.NoError(t, err)
	assert.Equal(t, "Erika Muster", kept.Name)

	// Nothing derived from the erased customer is left in any file.
	idx := newIndexer(key)
	needles := []string{idx.customer(a.CustomerID), idx.number("+4920180900"), idx.number("+491701234567")}
	require.NoError(t, s.Close())
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		for _, n := range needles {
			assert.False(t, bytes.Contains(raw, []byte(n)), "%s still holds %s", e.Name(), n)
		}
	}
	s, err = Open(StoreConfig{Path: path, FieldKey: key})
	require.NoError(t, err)
	defer s.Close()
	er, err = s.Erase(ctx, "", "C2002")
	require.NoError(t, err)
	assert.Equal(t, 1, er.Contacts)
	assert.Equal(t, []string{"+4930111222"}, er.Numbers)
}

type lookupAuditor struct {
	mu      sync.Mutex
	entries []string
}

func (a *lookupAuditor) Record(action, actor string, attrs map[string]string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, action+" "+actor+" "+attrs["number"]+" "+attrs["matches"])
	return nil
}

// Every lookup is audited, with the number redacted to its last digits.
func TestLookupAudited(t *testing.T) {
	ctx := context.Background()
	s, err := Open(StoreConfig{Path: filepath.Join(t.TempDir(), "crm.db")})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Put(ctx, []Contact{sampleContact()}))
	aud := &lookupAuditor{}
	done := make(chan struct{}, 1)
	l := NewLookup(LookupConfig{Directory: s, Policy: DefaultPolicy(), Region: "DE", Auditor: aud,
		Actor: func() string { return "ann" }, OnEvent: func(e Event) {
			if e.Kind == EventState && e.State == StateFound {
				done <- struct{}{}
			}
		}})
	l.Start(ctx, "0201 80900")
	<-done
	require.NoError(t, l.Close())
	aud.mu.Lock()
	defer aud.mu.Unlock()
	require.Equal(t, []string{"crm.lookup ann …900 1"}, aud.entries)
}
