package central_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/recording"
	"softphone/recording/central"
)

// zeroCrossings counts sign changes of one channel of a 16-bit stereo WAV
// body over the first n frames (a 440 Hz tone gives ~880 per second).
func zeroCrossings(t *testing.T, wav []byte, ch, n int) int {
	t.Helper()
	require.Greater(t, len(wav), 44)
	require.Equal(t, uint16(2), binary.LittleEndian.Uint16(wav[22:]), "channels")
	require.Equal(t, uint32(recording.SampleRate), binary.LittleEndian.Uint32(wav[24:]), "rate")
	body := wav[44:]
	require.GreaterOrEqual(t, len(body), n*4)
	c, prev := 0, int16(0)
	for i := range n {
		v := int16(binary.LittleEndian.Uint16(body[i*4+ch*2:]))
		if v != 0 && prev != 0 && (v > 0) != (prev > 0) {
			c++
		}
		if v != 0 {
			prev = v
		}
	}
	return c
}

var keyRe = regexp.MustCompile(`^rec/\d{4}-\d\d-\d\d/[0-9a-f]{32}/(pack-\d{6}|manifest|review-\d{20}-[0-9a-f]{8})\.age$`)

// TestUploadReviewPlay: a flagged recording goes up encrypted, the local copy
// is shredded, and a supervisor on another machine finds it by agent, reason
// and date, plays it (decrypted in memory, audited) and resolves it.
func TestUploadReviewPlay(t *testing.T) {
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	_, b := s3Bucket(t)
	desk := newDesk(t, org, nil)
	flagged := desk.record(t, "alice", 6, "customer complained")
	plain := desk.record(t, "bob", 3, "")

	var evMu sync.Mutex
	var events []central.Event
	u := newUploader(t, desk, b, org, func(c *central.UploaderConfig) {
		c.OnEvent = func(e central.Event) { evMu.Lock(); events = append(events, e); evMu.Unlock() }
	})
	ctx := context.Background()
	require.NoError(t, u.Sync(ctx))
	require.Equal(t, 0, u.Summary().Pending)

	// The local copies are crypto-shredded (KeepDays 0) after the verified upload.
	for _, id := range []string{flagged, plain} {
		m, _, err := desk.store.Envelope(id)
		require.NoError(t, err)
		require.Equal(t, recording.StatusDeleted, m.Status)
		_, err = os.Stat(desk.store.SegmentPath(id, 1))
		require.ErrorIs(t, err, os.ErrNotExist)
	}
	require.Len(t, desk.aud.find("recording.offload"), 2)
	states := map[central.State]int{}
	for _, e := range events {
		states[e.State]++
	}
	require.Equal(t, 2, states[central.StateUploaded])
	require.Equal(t, 2, states[central.StateOffloaded])

	// The store sees only pseudonymous keys and ciphertext.
	objs, err := b.List(ctx, "", false)
	require.NoError(t, err)
	require.NotEmpty(t, objs)
	for _, o := range objs {
		require.Regexp(t, keyRe, o.Key)
		data, err := b.Get(ctx, o.Key, 64<<20)
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(data, []byte("age-encryption.org/v1")), o.Key)
		// Quoted as the manifest's JSON would carry them: a bare three-letter
		// name turns up in random ciphertext now and then (it did, once in CI).
		for _, secret := range []string{`"alice"`, `"bob"`, "complained", "4930123456"} {
			require.NotContains(t, string(data), secret, o.Key)
		}
	}

	sup, supAudit := newReviewer(t, b, org, "sup1", recording.RoleSupervisor)
	list, err := sup.List(ctx, central.ReviewFilter{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, flagged, list[0].ID())
	require.Equal(t, "alice", list[0].Manifest.Meta.Owner)

	for name, tc := range map[string]struct {
		f    central.ReviewFilter
		want []string
	}{
		"by agent":           {central.ReviewFilter{Agent: "alice"}, []string{flagged}},
		"other agent":        {central.ReviewFilter{Agent: "bob"}, nil},
		"all of other agent": {central.ReviewFilter{Agent: "bob", All: true}, []string{plain}},
		"by reason":          {central.ReviewFilter{Reason: "COMPLAIN"}, []string{flagged}},
		"other reason":       {central.ReviewFilter{Reason: "fraud"}, nil},
		"from tomorrow":      {central.ReviewFilter{From: time.Now().Add(24 * time.Hour)}, nil},
		"until tomorrow":     {central.ReviewFilter{To: time.Now().Add(24 * time.Hour)}, []string{flagged}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := sup.List(ctx, tc.f)
			require.NoError(t, err)
			var ids []string
			for _, it := range got {
				ids = append(ids, it.ID())
			}
			require.Equal(t, tc.want, ids)
		})
	}

	var wav bytes.Buffer
	require.NoError(t, sup.Play(ctx, flagged, &wav))
	require.Equal(t, 44+6*recording.SampleRate*4, wav.Len(), "6 s of stereo audio")
	require.InDelta(t, 880, zeroCrossings(t, wav.Bytes(), 0, recording.SampleRate), 10, "agent channel is 440 Hz")
	require.InDelta(t, 1320, zeroCrossings(t, wav.Bytes(), 1, recording.SampleRate), 10, "customer channel is 660 Hz")
	plays := supAudit.find("recording.playback")
	require.Len(t, plays, 1)
	require.Equal(t, "sup1", plays[0].actor)
	require.Equal(t, map[string]string{"recording": flagged, "owner": "alice", "source": "central"}, plays[0].attrs)

	// An agent may neither list nor play other agents' recordings.
	agent, agentAudit := newReviewer(t, b, org, "carol", recording.RoleAgent)
	_, err = agent.List(ctx, central.ReviewFilter{})
	require.ErrorIs(t, err, central.ErrPermission)
	require.ErrorIs(t, agent.Play(ctx, flagged, &bytes.Buffer{}), central.ErrPermission)
	require.Empty(t, agentAudit.find("recording.playback"))

	// A reviewer without the organisation's key sees nothing and plays nothing.
	other, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	stranger, _ := newReviewer(t, b, other, "sup2", recording.RoleSupervisor)
	got, err := stranger.List(ctx, central.ReviewFilter{All: true})
	require.NoError(t, err)
	require.Empty(t, got)
	require.Error(t, stranger.Play(ctx, flagged, &bytes.Buffer{}))

	// Resolving takes it off the review list; the note stays.
	require.ErrorIs(t, sup.Note(ctx, flagged, " ", true), central.ErrReasonRequired)
	require.NoError(t, sup.Note(ctx, flagged, "listened; agent was polite", true))
	list, err = sup.List(ctx, central.ReviewFilter{})
	require.NoError(t, err)
	require.Empty(t, list)
	it, err := sup.Get(ctx, flagged)
	require.NoError(t, err)
	require.True(t, it.Resolved)
	require.Len(t, it.Reviews, 1)
	require.Equal(t, "sup1", it.Reviews[0].By)
	require.Len(t, supAudit.find("recording.review"), 1)
}

// TestLegalHoldAndRetention: hold and retention are S3 Object Lock, so a
// held recording is refused by the client and, asked directly, by the store.
func TestLegalHoldAndRetention(t *testing.T) {
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	_, b := s3Bucket(t)
	ctx := context.Background()
	desk := newDesk(t, org, nil)
	id := desk.record(t, "alice", 3, "dispute")
	require.NoError(t, newUploader(t, desk, b, org, nil).Sync(ctx))

	// Holds and deletes are the DPO's and the admin's (auth's one permission
	// table): neither an agent nor a supervisor may.
	sup, supAudit := newReviewer(t, b, org, "dpo", recording.RoleDPO)
	agent, _ := newReviewer(t, b, org, "alice", recording.RoleAgent)
	require.ErrorIs(t, agent.Hold(ctx, id, "x", true), central.ErrPermission)
	require.ErrorIs(t, agent.Delete(ctx, id, "x"), central.ErrPermission)
	supervisor, _ := newReviewer(t, b, org, "sup1", recording.RoleSupervisor)
	require.ErrorIs(t, supervisor.Hold(ctx, id, "x", true), central.ErrPermission)
	require.ErrorIs(t, supervisor.Delete(ctx, id, "x"), central.ErrPermission)
	require.ErrorIs(t, sup.Hold(ctx, id, "", true), central.ErrReasonRequired)

	require.NoError(t, sup.Hold(ctx, id, "case 42", true))
	held, err := sup.Held(ctx, id)
	require.NoError(t, err)
	require.True(t, held)
	require.ErrorIs(t, sup.Delete(ctx, id, "erasure request"), central.ErrLegalHold, "client refuses")

	// The store enforces the hold too: a versioned delete that skips the
	// client's check (even with a governance bypass) is refused.
	vers, err := b.List(ctx, "rec/", true)
	require.NoError(t, err)
	require.NotEmpty(t, vers)
	for _, v := range vers {
		require.ErrorIs(t, b.RemoveVersion(ctx, v.Key, v.VersionID, true), central.ErrRetained, v.Key)
	}
	_, err = sup.Get(ctx, id)
	require.NoError(t, err)

	// Released, the GOVERNANCE retention still stops a delete without the
	// bypass, and is bypassed by a role that may delete.
	require.NoError(t, sup.Hold(ctx, id, "case closed", false))
	require.ErrorIs(t, b.RemoveVersion(ctx, vers[0].Key, vers[0].VersionID, false), central.ErrRetained)
	require.NoError(t, sup.Delete(ctx, id, "erasure request"))
	_, err = sup.Get(ctx, id)
	require.ErrorIs(t, err, central.ErrNotFound)
	vers, err = b.List(ctx, "rec/", true)
	require.NoError(t, err)
	require.Empty(t, vers, "every version is gone")
	require.Len(t, supAudit.find("recording.hold"), 1)
	require.Len(t, supAudit.find("recording.release"), 1)
	require.Equal(t, "deleted", supAudit.find("recording.delete")[0].attrs["status"])

	// COMPLIANCE retention: the store refuses deletion to everyone.
	desk2 := newDesk(t, org, nil)
	id2 := desk2.record(t, "bob", 2, "complaint")
	require.NoError(t, newUploader(t, desk2, b, org, func(c *central.UploaderConfig) { c.Compliance = true }).Sync(ctx))
	err = sup.Delete(ctx, id2, "erasure request")
	require.ErrorIs(t, err, central.ErrRetained)
	_, err = sup.Get(ctx, id2)
	require.NoError(t, err, "still there")
	require.Equal(t, "refused by the store", supAudit.find("recording.delete")[1].attrs["status"])

	// A recording held locally goes up held; its local copy stays.
	desk3 := newDesk(t, org, nil)
	id3 := desk3.record(t, "carol", 2, "")
	require.NoError(t, desk3.store.Hold("adm", recording.RoleAdmin, id3, "litigation"))
	require.NoError(t, newUploader(t, desk3, b, org, nil).Sync(ctx))
	held, err = sup.Held(ctx, id3)
	require.NoError(t, err)
	require.True(t, held)
	m, _, err := desk3.store.Envelope(id3)
	require.NoError(t, err)
	require.NotEqual(t, recording.StatusDeleted, m.Status)
}

// TestStoreDownDuringCall: the store is down while a call is recorded; the
// call's writes never wait, the uploader backs off, and once the store is
// back the recording goes up and the local copy is shredded.
func TestStoreDownDuringCall(t *testing.T) {
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	srv, b := s3Bucket(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	uploaded := make(chan string, 4)
	var retries sync.WaitGroup
	retries.Add(1)
	var once sync.Once
	var u *central.Uploader
	desk := newDesk(t, org, func(string) { u.Kick() })
	u = newUploader(t, desk, b, org, func(c *central.UploaderConfig) {
		c.Interval = 200 * time.Millisecond
		c.OnEvent = func(e central.Event) {
			switch e.State {
			case central.StateRetrying:
				once.Do(retries.Done)
			case central.StateOffloaded:
				uploaded <- e.Recording
			}
		}
	})
	done := make(chan error)
	go func() { done <- u.Run(ctx) }()

	srv.Stop()
	r, err := desk.store.Start(ctx, recording.CallMeta{CallID: "c-down", Direction: "outgoing", Number: "+4930999"}, "alice")
	require.NoError(t, err)
	var slowest time.Duration
	for k := range 5 * 50 { // 5 s of audio, written in real time for the first second
		t0 := time.Now()
		r.WriteAgent(sine(440, 160, k*160))
		r.WriteCustomer(sine(660, 160, k*160))
		slowest = max(slowest, time.Since(t0))
		if k < 50 || k%50 == 49 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	id := r.ID()
	t0 := time.Now()
	require.NoError(t, r.Close())
	require.Less(t, time.Since(t0), time.Second, "sealing does not wait for the store")
	retries.Wait()
	// Writes are channel sends that never block; the bound only allows for a loaded machine (-race, 2 cores).
	require.Less(t, slowest, 50*time.Millisecond, "a call's writes never wait for the store")
	m, _, err := desk.store.Envelope(id)
	require.NoError(t, err)
	require.Zero(t, m.Dropped)
	require.Equal(t, recording.StatusComplete, m.Status)
	// The retrying event comes from inside the failed pass; the summary is
	// updated when the pass returns.
	require.Eventually(t, func() bool {
		sum := u.Summary()
		return sum.Retrying && sum.LastError != "" && sum.Pending == 1
	}, 5*time.Second, 10*time.Millisecond, "the summary says the store is failing, with one recording pending")
	_, err = os.Stat(desk.store.SegmentPath(id, 1))
	require.NoError(t, err, "the local copy stays while the store is down")

	srv.Start()
	select {
	case got := <-uploaded:
		require.Equal(t, id, got)
	case <-time.After(30 * time.Second):
		t.Fatalf("not uploaded after the store came back: %+v", u.Summary())
	}
	// The offloaded event comes from inside the pass; the summary clears when it returns.
	require.Eventually(t, func() bool { return !u.Summary().Retrying }, 5*time.Second, 10*time.Millisecond,
		"the summary still says retrying after the upload")
	sup, _ := newReviewer(t, b, org, "sup1", recording.RoleSupervisor)
	var wav bytes.Buffer
	require.NoError(t, sup.Play(ctx, id, &wav))
	require.Equal(t, 44+5*recording.SampleRate*4, wav.Len())
	cancel()
	require.NoError(t, <-done)
}
