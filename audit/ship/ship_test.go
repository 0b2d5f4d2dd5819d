package ship_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/audit"
	"softphone/audit/ship"
	"softphone/internal/s3store"
	"softphone/internal/testpeer"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// desk is one agent installation: its audit log and shipper.
type desk struct {
	log     *audit.Log
	shipper *ship.Shipper
	now     time.Time
}

func newDesk(t *testing.T, b *s3store.Bucket, retainDays int) *desk {
	t.Helper()
	dir := t.TempDir()
	d := &desk{now: time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)}
	var err error
	d.log, err = audit.Open(filepath.Join(dir, "audit.log"), audit.WithClock(func() time.Time { return d.now }))
	require.NoError(t, err)
	t.Cleanup(func() { d.log.Close() })
	d.shipper, err = ship.New(ship.Config{LogPath: filepath.Join(dir, "audit.log"), Store: b,
		StateDir: filepath.Join(dir, "state"), MaxEntries: 5, RetainDays: retainDays})
	require.NoError(t, err)
	return d
}

// record writes n entries, an hour apart (so they cross midnight).
func (d *desk) record(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		require.NoError(t, d.log.Record(audit.ActionLogin, "alice", map[string]string{"n": fmt.Sprint(i)}))
		d.now = d.now.Add(time.Hour)
	}
}

func openBucket(t *testing.T, srv *testpeer.S3) *s3store.Bucket {
	t.Helper()
	b, err := s3store.Open(s3store.Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region,
		Prefix: "acme", AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	require.NoError(t, err)
	return b
}

// TestCentralChain ships two agents' logs in several rounds, verifies both
// chains, then removes one object of one agent: the verifier reports the
// gap for that agent only. An altered object is reported as a hash mismatch.
func TestCentralChain(t *testing.T) {
	srv := testpeer.StartS3(t)
	b := openBucket(t, srv)
	ctx := context.Background()
	a, c := newDesk(t, b, 0), newDesk(t, b, 0)
	require.NotEqual(t, a.shipper.Agent(), c.shipper.Agent())

	a.record(t, 7)
	n, err := a.shipper.Ship(ctx)
	require.NoError(t, err)
	require.Equal(t, 7, n)
	a.record(t, 6)
	c.record(t, 3)
	n, err = a.shipper.Ship(ctx)
	require.NoError(t, err)
	require.Equal(t, 6, n)
	_, err = c.shipper.Ship(ctx)
	require.NoError(t, err)
	n, err = a.shipper.Ship(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing new")

	rep, err := ship.Verify(ctx, b)
	require.NoError(t, err)
	require.True(t, rep.OK(), "%+v", rep)
	require.Len(t, rep.Agents, 2)
	for _, ar := range rep.Agents {
		if ar.Agent == a.shipper.Agent() {
			require.Equal(t, 13, ar.Entries)
			require.EqualValues(t, 13, ar.LastSeq)
			require.GreaterOrEqual(t, ar.Objects, 4, "split by day and by 5 entries")
		}
	}

	// Keys carry only the pseudonymous agent id and the day.
	objs, err := b.List(ctx, "audit/", false)
	require.NoError(t, err)
	for _, o := range objs {
		require.Regexp(t, `^audit/a_[0-9a-f]{16}/\d{4}-\d\d-\d\d/\d{12}\.jsonl$`, o.Key)
		require.NotContains(t, o.Key, "alice")
	}

	// Remove the second object of agent a: a gap, reported for a only.
	var aObjs []s3store.ObjectInfo
	for _, o := range objs {
		if strings.Contains(o.Key, a.shipper.Agent()) {
			aObjs = append(aObjs, o)
		}
	}
	gone := aObjs[1]
	require.NoError(t, b.RemoveVersion(ctx, gone.Key, gone.VersionID, false))
	rep, err = ship.Verify(ctx, b)
	require.NoError(t, err)
	require.False(t, rep.OK())
	for _, ar := range rep.Agents {
		if ar.Agent != a.shipper.Agent() {
			require.Empty(t, ar.Problems)
			continue
		}
		require.Len(t, ar.Problems, 1, "%+v", ar.Problems)
		require.Equal(t, ship.ProblemGap, ar.Problems[0].Kind)
		require.Regexp(t, `entries \d+–\d+ are missing`, ar.Problems[0].Detail)
	}

	// Alter an entry of agent c in place (a new version of its object).
	cObj := c.shipper.Agent()
	for _, o := range objs {
		if strings.Contains(o.Key, cObj) {
			data, err := b.Get(ctx, o.Key, 1<<20)
			require.NoError(t, err)
			data = bytes.Replace(data, []byte(`"n":"1"`), []byte(`"n":"9"`), 1)
			_, err = b.Put(ctx, o.Key, data, s3store.Lock{})
			require.NoError(t, err)
			break
		}
	}
	rep, err = ship.Verify(ctx, b)
	require.NoError(t, err)
	for _, ar := range rep.Agents {
		if ar.Agent == cObj {
			require.NotEmpty(t, ar.Problems)
			require.Equal(t, ship.ProblemHash, ar.Problems[0].Kind)
		}
	}
}

// TestShippedObjectsLocked: with retention, the store refuses to delete a
// shipped audit object.
func TestShippedObjectsLocked(t *testing.T) {
	srv := testpeer.StartS3(t)
	b := openBucket(t, srv)
	ctx := context.Background()
	d := newDesk(t, b, 30)
	d.record(t, 2)
	_, err := d.shipper.Ship(ctx)
	require.NoError(t, err)
	vers, err := b.List(ctx, "audit/", true)
	require.NoError(t, err)
	require.Len(t, vers, 1)
	require.ErrorIs(t, b.RemoveVersion(ctx, vers[0].Key, vers[0].VersionID, true), s3store.ErrRetained)
}
