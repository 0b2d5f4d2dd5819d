package central_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/recording"
	"softphone/recording/central"
)

// TestLongCallUploadsProgressively: while a call is still being recorded,
// full packs of sealed segments already go up (no manifest yet, so it is not
// reviewable); once sealed, the rest and the manifest follow and it plays whole.
func TestLongCallUploadsProgressively(t *testing.T) {
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	_, b := s3Bucket(t)
	ctx := context.Background()
	desk := newDesk(t, org, nil)
	u := newUploader(t, desk, b, org, func(c *central.UploaderConfig) { c.PackSegments = 2 })

	r, err := desk.store.Start(ctx, recording.CallMeta{CallID: "long", Direction: "outgoing", Number: "+4930777"}, "alice")
	require.NoError(t, err)
	write := func(from, seconds int) {
		for k := from * 50; k < (from+seconds)*50; k++ {
			r.WriteAgent(sine(440, 160, k*160))
			r.WriteCustomer(sine(660, 160, k*160))
			if k%50 == 49 {
				time.Sleep(30 * time.Millisecond)
			}
		}
	}
	write(0, 8)
	// Segments are sealed at 48 KiB (~1.5 s here); wait until at least four are on disk.
	require.Eventually(t, func() bool {
		_, err := os.Stat(desk.store.SegmentPath(r.ID(), 4))
		return err == nil
	}, 10*time.Second, 20*time.Millisecond)
	require.NoError(t, u.Sync(ctx))
	objs, err := b.List(ctx, "rec/", false)
	require.NoError(t, err)
	var packs int
	for _, o := range objs {
		require.NotContains(t, o.Key, "manifest", "no manifest while the call is recorded")
		if strings.Contains(o.Key, "pack-") {
			packs++
		}
	}
	require.GreaterOrEqual(t, packs, 2, "packs of sealed segments go up during the call")
	require.Equal(t, 1, u.Summary().Pending)

	write(8, 4)
	id := r.ID()
	require.NoError(t, r.Close())
	require.NoError(t, u.Sync(ctx))
	sup, _ := newReviewer(t, b, org, "sup1", recording.RoleSupervisor)
	var wav bytes.Buffer
	require.NoError(t, sup.Play(ctx, id, &wav))
	require.Equal(t, 44+12*recording.SampleRate*4, wav.Len(), "the whole call, from packs sent during and after it")
}
