//go:build linux

package audio

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// cmsgTimestamp builds the control message the kernel attaches with SO_TIMESTAMPNS.
func cmsgTimestamp(t time.Time) []byte {
	oob := make([]byte, unix.CmsgSpace(16))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
	h.Level, h.Type = unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS
	h.SetLen(unix.CmsgLen(16))
	data := oob[unix.CmsgLen(0):]
	binary.NativeEndian.PutUint64(data[0:], uint64(t.Unix()))
	binary.NativeEndian.PutUint64(data[8:], uint64(t.Nanosecond()))
	return oob
}

func TestArrivalFromKernelStamp(t *testing.T) {
	now := time.Now()
	stamp := now.Add(-7 * time.Millisecond)
	if got := arrival(cmsgTimestamp(stamp), now); now.Sub(got) != now.Sub(stamp.Round(0)) {
		t.Fatalf("arrival %v before now, want 7ms", now.Sub(got))
	}
	// Another control message first, then the stamp: found by walking.
	other := make([]byte, unix.CmsgSpace(4))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&other[0]))
	h.Level, h.Type = unix.SOL_IP, unix.IP_TTL
	h.SetLen(unix.CmsgLen(4))
	if got := arrival(append(other, cmsgTimestamp(stamp)...), now); now.Sub(got) != 7*time.Millisecond {
		t.Fatalf("after another message: %v, want 7ms", now.Sub(got))
	}
	for name, oob := range map[string][]byte{
		"none":      nil,
		"truncated": cmsgTimestamp(stamp)[:10],
		"bad len":   func() []byte { b := cmsgTimestamp(stamp); b[0] = 200; return b }(),
		"future":    cmsgTimestamp(now.Add(time.Second)),
		"stale":     cmsgTimestamp(now.Add(-2 * time.Second)),
	} {
		if got := arrival(oob, now); !got.Equal(now) {
			t.Errorf("%s: arrival %v, want now", name, got)
		}
	}
}

// The media clock's raw socket calls: a datagram sent with udpSender arrives and is read by
// rawRecvmsg with its kernel stamp; an empty socket answers EAGAIN at once.
func TestRawSendAndReceive(t *testing.T) {
	s, err := NewSession(Config{LocalIP: loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := s.newRxPoller()
	if p == nil {
		t.Fatal("no rx poller on Linux")
	}
	u := s.newRTPSender()
	if u == nil {
		t.Fatal("no raw sender on Linux")
	}
	if err := p.raw.Read(p.read); err != nil || p.rerr != unix.EAGAIN {
		t.Fatalf("empty socket: %v / %v, want EAGAIN", err, p.rerr)
	}
	to := s.rtpConn.LocalAddr().(*net.UDPAddr).AddrPort()
	if err := u.send([]byte("hello rtp"), to); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		if err := p.raw.Read(p.read); err != nil {
			t.Fatal(err)
		}
		if p.rerr == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("datagram never arrived: %v", p.rerr)
		}
		time.Sleep(time.Millisecond)
	}
	if got := string(p.buf[:p.n]); got != "hello rtp" {
		t.Fatalf("read %q", got)
	}
	now := time.Now()
	if d := now.Sub(arrival(p.oob[:p.oobn], now)); d <= 0 || d > time.Second {
		t.Fatalf("kernel stamp %v before now", d)
	}
	if err := u.send([]byte("x"), netip.MustParseAddrPort("[::1]:5000")); err != unix.EAFNOSUPPORT {
		t.Fatalf("IPv6 peer on an IPv4 socket: %v", err)
	}
}
