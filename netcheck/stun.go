package netcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/pion/stun/v4"
)

// ProbeResult is what the train of STUN binding requests measured: media
// packets take the same UDP path.
type ProbeResult struct {
	Server      string  `json:"server,omitempty"`
	Sent        int     `json:"sent"`
	Received    int     `json:"received"`
	LossPercent float64 `json:"loss_pct"`
	// RTT is the mean round trip; Jitter the RFC 3550 interarrival jitter
	// of the round-trip times (mean deviation, smoothed by 1/16).
	RTT    Duration `json:"rtt_ms"`
	MaxRTT Duration `json:"max_rtt_ms"`
	Jitter Duration `json:"jitter_ms"`
	Error  string   `json:"error,omitempty"`
}

// NATResult is the address the internet sees and what kind of NAT made it.
type NATResult struct {
	Type   NATType `json:"type"`
	Local  string  `json:"local,omitempty"`
	Mapped string  `json:"mapped,omitempty"`
	// Mapped2 is the mapping seen by the second server ("" without one).
	Mapped2 string `json:"mapped2,omitempty"`
}

// stunTargets are the servers for the train: the STUN servers, or else the
// UDP TURN servers (which answer binding requests too).
func stunTargets(cfg Config) []string {
	var out []string
	for _, s := range cfg.STUNServers {
		out = append(out, strings.TrimPrefix(s, "stun:"))
	}
	if len(out) == 0 {
		if us, err := parseTURNURIs(cfg.TURNServers); err == nil {
			for _, u := range us {
				if u.Transport == TransportUDP {
					out = append(out, u.Addr)
				}
			}
		}
	}
	return out
}

// checkUDP sends the train to servers[0] from one socket, then asks a
// second server address (servers[1], or the first's OTHER-ADDRESS) for the
// mapping of the same socket.
func checkUDP(ctx context.Context, cfg Config, servers []string) (ProbeResult, NATResult) {
	pr := ProbeResult{Server: servers[0]}
	var nat NATResult
	srv, err := net.ResolveUDPAddr("udp", servers[0])
	if err != nil {
		pr.Error = err.Error()
		return pr, nat
	}
	local, err := localAddrFor(srv)
	if err != nil {
		pr.Error = err.Error()
		return pr, nat
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: local.AsSlice()})
	if err != nil {
		pr.Error = err.Error()
		return pr, nat
	}
	defer conn.Close()
	nat.Local = conn.LocalAddr().String()
	t := newTrain(conn)
	go t.read()
	mapped, other := t.run(ctx, srv, cfg.Probes, cfg.Interval, cfg.Timeout)
	pr.Sent, pr.Received, pr.RTT, pr.MaxRTT, pr.Jitter = t.stats()
	if pr.Sent > 0 {
		pr.LossPercent = 100 * float64(pr.Sent-pr.Received) / float64(pr.Sent)
	}
	if pr.Received == 0 {
		pr.Error = "no answer over UDP"
		nat.Type = NATBlocked
		return pr, nat
	}
	nat.Mapped = mapped.String()
	if mapped == netip.MustParseAddrPort(nat.Local) {
		nat.Type = NATNone
		return pr, nat
	}
	var second *net.UDPAddr
	if len(servers) > 1 {
		second, _ = net.ResolveUDPAddr("udp", servers[1])
	} else if other.IsValid() {
		second = net.UDPAddrFromAddrPort(other)
	}
	nat.Type = NATUnknown
	if second != nil {
		if m2, ok := t.one(ctx, second, cfg.Timeout); ok {
			nat.Mapped2 = m2.String()
			nat.Type = NATSymmetric
			if m2 == mapped {
				nat.Type = NATEndpointIndependent
			}
		}
	}
	return pr, nat
}

// localAddrFor returns the address the host would send from to reach dst
// (a connected UDP socket sends nothing).
func localAddrFor(dst *net.UDPAddr) (netip.Addr, error) {
	c, err := net.DialUDP("udp", nil, dst)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("no route to %s: %w", dst, err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}

// train matches binding responses to requests by transaction ID.
type train struct {
	conn *net.UDPConn
	mu   sync.Mutex // guards the fields below; read() writes, run/stats read
	sent map[[stun.TransactionIDSize]byte]time.Time
	rtts []time.Duration
	got  chan response
}

type response struct {
	id     [stun.TransactionIDSize]byte
	mapped netip.AddrPort
	other  netip.AddrPort
}

func newTrain(conn *net.UDPConn) *train {
	return &train{conn: conn, sent: map[[stun.TransactionIDSize]byte]time.Time{}, got: make(chan response, 256)}
}

// read decodes responses until the socket closes.
func (t *train) read() {
	buf := make([]byte, 1500)
	for {
		n, _, err := t.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		now := time.Now()
		m := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
		if m.Decode() != nil || m.Type != stun.BindingSuccess {
			continue
		}
		var xa stun.XORMappedAddress
		if xa.GetFrom(m) != nil {
			continue
		}
		r := response{id: m.TransactionID, mapped: addrPort(xa.IP, xa.Port)}
		var oa stun.OtherAddress
		if oa.GetFrom(m) == nil {
			r.other = addrPort(oa.IP, oa.Port)
		}
		t.mu.Lock()
		if at, ok := t.sent[m.TransactionID]; ok {
			t.rtts = append(t.rtts, now.Sub(at))
			delete(t.sent, m.TransactionID)
		}
		t.mu.Unlock()
		select {
		case t.got <- r:
		default:
		}
	}
}

func addrPort(ip net.IP, port int) netip.AddrPort {
	a, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(a.Unmap(), uint16(port))
}

// send sends one binding request to dst and remembers when.
func (t *train) send(dst *net.UDPAddr) ([stun.TransactionIDSize]byte, error) {
	m := stun.MustBuild(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	t.mu.Lock()
	t.sent[m.TransactionID] = time.Now()
	t.mu.Unlock()
	_, err := t.conn.WriteToUDP(m.Raw, dst)
	return m.TransactionID, err
}

// run sends n requests every interval, then waits up to timeout for the
// last answers; it returns the first mapping and OTHER-ADDRESS seen.
func (t *train) run(ctx context.Context, dst *net.UDPAddr, n int, interval, timeout time.Duration) (mapped, other netip.AddrPort) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	seen := func(r response) {
		if !mapped.IsValid() {
			mapped, other = r.mapped, r.other
		}
	}
	for i := 0; i < n; i++ {
		if _, err := t.send(dst); err != nil && !errors.Is(err, net.ErrClosed) {
			break
		}
		select {
		case <-ctx.Done():
			return mapped, other
		case <-tick.C:
		}
		drain(t.got, seen)
	}
	// Stragglers: a late answer is not lost (up to a second, or timeout).
	wait := time.NewTimer(min(timeout, time.Second))
	defer wait.Stop()
	for {
		t.mu.Lock()
		pending := len(t.sent)
		t.mu.Unlock()
		if pending == 0 {
			break
		}
		select {
		case r := <-t.got:
			seen(r)
			continue
		case <-wait.C:
		case <-ctx.Done():
		}
		break
	}
	drain(t.got, seen)
	return mapped, other
}

func drain(ch chan response, f func(response)) {
	for {
		select {
		case r := <-ch:
			f(r)
		default:
			return
		}
	}
}

// one asks dst once (three tries) for the mapping of the same socket.
func (t *train) one(ctx context.Context, dst *net.UDPAddr, timeout time.Duration) (netip.AddrPort, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for try := 0; try < 3; try++ {
		id, err := t.send(dst)
		if err != nil {
			return netip.AddrPort{}, false
		}
		retry := time.NewTimer(timeout / 3)
		for {
			select {
			case r := <-t.got:
				if r.id == id {
					retry.Stop()
					return r.mapped, true
				}
				continue
			case <-retry.C:
			case <-deadline.C:
				return netip.AddrPort{}, false
			case <-ctx.Done():
				retry.Stop()
				return netip.AddrPort{}, false
			}
			break
		}
	}
	return netip.AddrPort{}, false
}

// stats returns the train's counts, mean and max RTT and jitter. Requests
// made by one() after the train are not counted.
func (t *train) stats() (sent, received int, mean, maxRTT, jitter Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	received = len(t.rtts)
	sent = received + len(t.sent)
	var sum, j float64
	for i, r := range t.rtts {
		sum += float64(r)
		maxRTT = max(maxRTT, Duration(r))
		if i > 0 {
			d := float64(r - t.rtts[i-1])
			if d < 0 {
				d = -d
			}
			j += (d - j) / 16 // RFC 3550 §6.4.1
		}
	}
	if received > 0 {
		mean = Duration(sum / float64(received))
	}
	return sent, received, mean, maxRTT, Duration(j)
}
