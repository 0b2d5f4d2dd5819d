//go:build linux

package audio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// polledFDs lists the descriptors registered with any epoll instance of this process (the Go
// netpoller's among them), from /proc/self/fdinfo.
func polledFDs(t *testing.T) map[string]bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	polled := map[string]bool{}
	for _, e := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || link != "anon_inode:[eventpoll]" {
			continue
		}
		info, err := os.ReadFile(filepath.Join("/proc/self/fdinfo", e.Name()))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(info), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "tfd:" {
				polled[f[1]] = true
			}
		}
	}
	return polled
}

// A call without ICE takes its RTP socket out of the netpoller when Run starts (so arriving
// packets wake no thread until the tick reads them), media still flows both ways, and Close
// still ends Run.
func TestRunTakesRTPSocketOutOfTheNetpoller(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := newPeer(t, 1000, true, nil)
	b := newPeer(t, 600, true, nil)
	negotiate(t, a, b)

	raw, err := a.s.rtpConn.SyscallConn()
	require.NoError(t, err)
	var before string
	require.NoError(t, raw.Control(func(fd uintptr) { before = fmt.Sprint(fd) }))
	require.True(t, polledFDs(t)[before], "a net.UDPConn is registered with the netpoller (the check sees it)")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.run(ctx)
	b.run(ctx)
	eventually(t, "B hears 1000 Hz", hears(b, 1000))
	eventually(t, "A hears 600 Hz", hears(a, 600))
	r := a.s.rtpRaw.Load()
	require.NotNil(t, r, "Run detached the RTP socket")
	assert.False(t, polledFDs(t)[fmt.Sprint(r.fd)], "the detached RTP socket is not in the netpoller")

	require.NoError(t, a.s.Close())
	select {
	case err := <-a.done:
		require.True(t, err == nil || errors.Is(err, ErrClosed), "got %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after Close")
	}
	r.mu.RLock()
	assert.True(t, r.closed, "Close closed the detached socket")
	r.mu.RUnlock()
	cancel()
	<-b.done
}
