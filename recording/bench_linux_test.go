//go:build linux

package recording

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
)

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCore reports CPU per 20 ms frame pair (agent + customer) as a
// percentage of one core for real-time audio.
func reportCore(b *testing.B, cpu0 time.Duration) {
	per := float64(cpuTime()-cpu0) / float64(b.N)
	b.ReportMetric(per, "cpu-ns/frame")
	b.ReportMetric(per/float64(20*time.Millisecond)*100, "%core")
}

// BenchmarkRecordCall is the whole recorder: gate, queue, encode, age
// encryption, 1 s segments with fsync + rename.
func BenchmarkRecordCall(b *testing.B) {
	id, _ := age.GenerateX25519Identity()
	s, err := NewStore(Config{Dir: b.TempDir(), Recipients: []age.Recipient{id.Recipient()},
		PseudonymKey: testPseudonymKey, Policy: PolicyOn, SweepInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r, err := s.Start(context.Background(), CallMeta{CallID: "bench"}, "agent")
	if err != nil {
		b.Fatal(err)
	}
	frame := tone(440, 160, 0, 8000)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.WriteAgent(frame)
		r.WriteCustomer(frame)
		if i%50 == 49 {
			time.Sleep(time.Millisecond) // let the writer keep up, as real time would
		}
	}
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
	reportCore(b, cpu0)
}

// BenchmarkEncryptWriteSegments is encode + age + file write, rotating and
// fsyncing every 50 frame pairs (1 s), on the benchmark goroutine.
func BenchmarkEncryptWriteSegments(b *testing.B) {
	id, _ := age.GenerateX25519Identity()
	dir := b.TempDir()
	frame := tone(440, 160, 0, 8000)
	var seg *segment
	n := 0
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if seg == nil {
			n++
			var err error
			if seg, err = openSegment(dir, n, [16]byte{}, id.Recipient(), nil); err != nil {
				b.Fatal(err)
			}
		}
		seg.write(ChannelAgent, uint64(i*160), frame)
		seg.write(ChannelCustomer, uint64(i*160), frame)
		if i%50 == 49 {
			if err := seg.seal(); err != nil {
				b.Fatal(err)
			}
			seg = nil
		}
	}
	if seg != nil {
		seg.seal()
	}
	reportCore(b, cpu0)
}

// BenchmarkPlainWriteSegments is the reference: the same frames encoded and
// written to plain files with the same rotation and fsync, no encryption.
func BenchmarkPlainWriteSegments(b *testing.B) {
	dir := b.TempDir()
	frame := tone(440, 160, 0, 8000)
	var f *os.File
	buf := make([]byte, 0, 4096)
	n := 0
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if f == nil {
			n++
			var err error
			if f, err = os.Create(filepath.Join(dir, segName(n))); err != nil {
				b.Fatal(err)
			}
		}
		buf = appendFrame(buf[:0], ChannelAgent, uint64(i*160), frame)
		buf = appendFrame(buf, ChannelCustomer, uint64(i*160), frame)
		f.Write(buf)
		if i%50 == 49 {
			f.Sync()
			f.Close()
			syncDir(dir)
			f = nil
		}
	}
	if f != nil {
		f.Close()
	}
	reportCore(b, cpu0)
}
