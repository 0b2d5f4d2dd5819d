//go:build linux

package central_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/internal/s3store"
	"softphone/recording"
	"softphone/recording/central"
)

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// recordMinutes records n calls of one minute of synthetic two-channel
// audio at once, each at up to 50× real time. The recorder's queue holds
// ~4 s and every sealed segment is fsynced, so on a loaded machine a call
// may drop frames: it is then deleted and recorded again at half the speed.
func recordMinutes(b *testing.B, d *agentDesk, n int, owner func(int) string) {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pause := 10 * time.Millisecond; ; pause *= 2 {
				dropped, err := recordOne(d, owner(i), pause)
				if err != nil || dropped == 0 || pause > time.Second {
					if err == nil && dropped > 0 {
						err = fmt.Errorf("%d frames dropped even at real time", dropped)
					}
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}

// recordOne records one minute with pause after every 0.5 s of audio and
// reports the frames dropped (a recording that dropped some is deleted).
func recordOne(d *agentDesk, owner string, pause time.Duration) (int, error) {
	r, err := d.store.Start(context.Background(), recording.CallMeta{CallID: "bench", Direction: "incoming", Number: "+4930123456"}, owner)
	if err != nil {
		return 0, err
	}
	a, c := sine(440, 160, 0), sine(660, 160, 0)
	for k := range 60 * 50 {
		r.WriteAgent(a)
		r.WriteCustomer(c)
		if k%25 == 24 {
			time.Sleep(pause)
		}
	}
	id := r.ID()
	if err := r.Close(); err != nil {
		return 0, err
	}
	m, _, err := d.store.Envelope(id)
	if err != nil || m.Dropped == 0 {
		return 0, err
	}
	return m.Dropped, d.store.Delete("bench", recording.RoleSupervisor, id)
}

// BenchmarkUploadMinutes uploads one-minute encrypted recordings (1,000 by
// default; CENTRAL_BENCH_RECORDINGS overrides) to a real S3 server and
// reports throughput, CPU per recorded minute and heap growth, next to a
// reference: plain PUTs of the same number of bytes in objects of the same
// size, and the CPU the recording itself (encryption at capture) costs.
func BenchmarkUploadMinutes(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("CENTRAL_BENCH_RECORDINGS")); err == nil && v > 0 {
		n = v
	}
	org, err := age.GenerateX25519Identity()
	require.NoError(b, err)
	_, bucket := s3Bucket(b)
	ctx := context.Background()
	for range b.N {
		desk := newDesk(b, org, nil)
		u := newUploader(b, desk, bucket, org, func(c *central.UploaderConfig) { c.PackSegments = 60 })
		var recCPU, upCPU, upWall time.Duration
		var heapMin, heapMax uint64
		const batch = 10
		for done := 0; done < n; done += batch {
			c0 := cpuTime()
			recordMinutes(b, desk, min(batch, n-done), func(i int) string { return fmt.Sprintf("agent%03d", (done+i)%500) })
			c1, t1 := cpuTime(), time.Now()
			require.NoError(b, u.Sync(ctx))
			recCPU += c1 - c0
			upCPU += cpuTime() - c1
			upWall += time.Since(t1)
			if done >= 5*batch { // after warm-up
				h := heapInuse()
				if heapMin == 0 || h < heapMin {
					heapMin = h
				}
				heapMax = max(heapMax, h)
			}
		}
		objs, err := bucket.List(ctx, "rec/", false)
		require.NoError(b, err)
		var bytes int64
		for _, o := range objs {
			bytes += o.Size
		}
		mb := float64(bytes) / 1e6
		b.ReportMetric(mb/upWall.Seconds(), "MB/s")
		b.ReportMetric(float64(upCPU.Milliseconds())/float64(n), "upload-cpu-ms/rec-min")
		b.ReportMetric(float64(recCPU.Milliseconds())/float64(n), "ref-record-cpu-ms/rec-min")
		b.ReportMetric(float64(heapMax-heapMin)/1e6, "heap-growth-MB")
		ref := plainPuts(b, bucket, len(objs), bytes)
		b.ReportMetric(mb/ref.Seconds(), "ref-plain-put-MB/s")
		b.Logf("%d one-minute recordings: %d objects, %.1f MB in %v (%.1f MB/s; plain PUTs of the same bytes: %.1f MB/s); "+
			"upload CPU %.1f ms per recorded minute (recording itself: %.1f ms); heap in use %.1f–%.1f MB",
			n, len(objs), mb, upWall.Round(time.Millisecond), mb/upWall.Seconds(), mb/ref.Seconds(),
			float64(upCPU.Milliseconds())/float64(n), float64(recCPU.Milliseconds())/float64(n),
			float64(heapMin)/1e6, float64(heapMax)/1e6)
		if heapMax-heapMin > 32<<20 {
			b.Fatalf("heap grew by %.1f MB while uploading", float64(heapMax-heapMin)/1e6)
		}
	}
}

// plainPuts stores count random objects totalling bytes with bare PUTs (no
// packing, no queue, no manifest) and returns the wall time.
func plainPuts(b *testing.B, bucket *s3store.Bucket, count int, bytes int64) time.Duration {
	data := make([]byte, bytes/int64(count))
	rand.Read(data)
	t0 := time.Now()
	for i := range count {
		_, err := bucket.Put(context.Background(), fmt.Sprintf("ref/%06d", i), data, s3store.Lock{})
		require.NoError(b, err)
	}
	return time.Since(t0)
}

// BenchmarkList10000 lists 10,000 objects (the layout of 5,000 uploaded
// recordings: a pack and a manifest each) and reports the time per listing.
func BenchmarkList10000(b *testing.B) {
	_, bucket := s3Bucket(b)
	ctx := context.Background()
	data := []byte("x")
	for i := range 5000 {
		id := fmt.Sprintf("%032x", i)
		for _, name := range []string{"pack-000001.age", "manifest.age"} {
			_, err := bucket.Put(ctx, "rec/2026-12-07/"+id+"/"+name, data, s3store.Lock{})
			require.NoError(b, err)
		}
	}
	b.ResetTimer()
	for range b.N {
		objs, err := bucket.List(ctx, "rec/", false)
		require.NoError(b, err)
		require.Len(b, objs, 10000)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/list")
}
