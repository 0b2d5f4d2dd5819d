package central_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/internal/s3store"
	"softphone/recording"
	"softphone/recording/central"
)

func TestMain(m *testing.M) {
	if os.Getenv("CENTRAL_UPLOAD_CHILD") != "" {
		os.Exit(uploadChild())
	}
	goleak.VerifyTestMain(m)
}

// slowPutter delays every upload so the parent can kill the child mid-way.
type slowPutter struct {
	central.Putter
	delay time.Duration
	n     atomic.Int64
}

func (s *slowPutter) Put(ctx context.Context, key string, data []byte, lock s3store.Lock) (string, error) {
	time.Sleep(s.delay)
	s.n.Add(1)
	return s.Putter.Put(ctx, key, data, lock)
}

// uploadChild is the process killed with SIGKILL: it uploads the store in
// CENTRAL_DIR and prints a line per uploaded pack.
func uploadChild() int {
	env := func(k string) string { return os.Getenv("CENTRAL_" + k) }
	rcpt, err := age.ParseX25519Recipient(env("RECIPIENT"))
	if err != nil {
		fmt.Println("bad recipient:", err)
		return 2
	}
	store, err := recording.NewStore(recording.Config{
		Dir: filepath.Join(env("DIR"), "rec"), Recipients: []age.Recipient{rcpt}, PseudonymKey: localKey,
		SweepInterval: -1, Logger: quietLogger(),
	})
	if err != nil {
		fmt.Println("store:", err)
		return 2
	}
	b, err := s3store.Open(s3store.Config{Endpoint: env("ENDPOINT"), Bucket: env("BUCKET"),
		Region: "us-east-1", Prefix: "acme/", AccessKey: env("ACCESS"), SecretKey: env("SECRET")})
	if err != nil {
		fmt.Println("bucket:", err)
		return 2
	}
	u, err := central.NewUploader(central.UploaderConfig{
		Source: store, Store: &slowPutter{Putter: b, delay: 30 * time.Millisecond}, QueueDir: filepath.Join(env("DIR"), "queue"),
		Recipients: []age.Recipient{rcpt}, Agent: "a_child", PackSegments: 1, Logger: quietLogger(),
		OnEvent: func(e central.Event) {
			if e.State == central.StateUploading && e.Pack > 0 {
				fmt.Printf("uploading %s %d\n", e.Recording, e.Pack)
			}
		},
	})
	if err != nil {
		fmt.Println("uploader:", err)
		return 2
	}
	if err := u.Sync(context.Background()); err != nil {
		fmt.Println("sync:", err)
		return 1
	}
	fmt.Println("finished")
	return 0
}

// TestKillMidUploadResumes kills the uploading process with SIGKILL in the
// middle of a recording's upload; a new uploader on the same queue resumes
// at the first pack not yet verified and every recording plays.
func TestKillMidUploadResumes(t *testing.T) {
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	srv, b := s3Bucket(t)
	desk := newDesk(t, org, nil)
	var ids []string
	for i := range 4 {
		ids = append(ids, desk.record(t, fmt.Sprintf("agent%d", i), 8, "check"))
	}
	segs := 0
	for _, id := range ids {
		m, _, err := desk.store.Envelope(id)
		require.NoError(t, err)
		segs += m.Segments
	}
	require.NoError(t, desk.store.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CENTRAL_UPLOAD_CHILD=1", "CENTRAL_DIR="+desk.dir,
		"CENTRAL_RECIPIENT="+org.Recipient().String(), "CENTRAL_ENDPOINT="+srv.Endpoint, "CENTRAL_BUCKET="+srv.Bucket,
		"CENTRAL_ACCESS="+srv.AccessKey, "CENTRAL_SECRET="+srv.SecretKey)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) == segs/2 {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			break
		}
	}
	require.Len(t, lines, segs/2, "child output: %s", strings.Join(lines, "\n"))
	err = cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, syscall.SIGKILL, ee.Sys().(syscall.WaitStatus).Signal())

	// Restart: the same store and queue, a fresh process state.
	desk.store, err = recording.NewStore(recording.Config{
		Dir: filepath.Join(desk.dir, "rec"), Recipients: []age.Recipient{org.Recipient()}, PseudonymKey: localKey,
		Auditor: desk.aud, SweepInterval: -1, Logger: quietLogger(),
	})
	require.NoError(t, err)
	t.Cleanup(func() { desk.store.Close() })
	counter := &slowPutter{Putter: b}
	u := newUploader(t, desk, counter, org, func(c *central.UploaderConfig) { c.PackSegments = 1 })
	require.NoError(t, u.Sync(context.Background()))
	manifests := int64(len(ids))
	resumed := counter.n.Load() - manifests
	require.Less(t, resumed, int64(segs), "packs verified before the kill are not uploaded again")
	require.GreaterOrEqual(t, resumed, int64(segs-segs/2-1), "every pack not verified before the kill is uploaded")

	sup, _ := newReviewer(t, b, org, "sup1", recording.RoleSupervisor)
	list, err := sup.List(context.Background(), central.ReviewFilter{})
	require.NoError(t, err)
	require.Len(t, list, len(ids))
	for _, id := range ids {
		var wav strings.Builder
		require.NoError(t, sup.Play(context.Background(), id, &wav), id)
		require.Equal(t, 44+8*recording.SampleRate*4, wav.Len(), id)
	}
}
