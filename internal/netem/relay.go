package netem

import (
	"container/heap"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Direction is one of the two ways through the relay.
type Direction int

const (
	// ToUpstream is client → upstream.
	ToUpstream Direction = iota
	// ToClient is upstream → learned client.
	ToClient
)

// String names the direction.
func (d Direction) String() string {
	switch d {
	case ToUpstream:
		return "to-upstream"
	case ToClient:
		return "to-client"
	default:
		return "unknown"
	}
}

// Options configure a Relay.
type Options struct {
	// Listen is the UDP address to listen on; "127.0.0.1:0" when empty.
	Listen string
	// Upstream is the fixed far end (host:port). Required.
	Upstream string
	// Seed makes every random decision reproducible.
	Seed uint64
	// ToUpstream impairs client → upstream packets.
	ToUpstream Impairment
	// ToClient impairs upstream → client packets.
	ToClient Impairment
}

// Stats count what the relay did in one direction.
type Stats struct {
	Received   uint64 // datagrams read
	Forwarded  uint64 // datagrams written, duplicates included
	Lost       uint64 // dropped by the loss models
	BurstLost  uint64 // of Lost, dropped by the Gilbert-Elliott model
	Duplicated uint64 // extra copies sent
	Reordered  uint64 // delivered after a packet that arrived later
	NoPeer     uint64 // upstream packets dropped because no client was known yet
	WriteErrs  uint64 // failed writes
}

// Relay is a running impairment relay. It is safe for concurrent use.
type Relay struct {
	conn     *net.UDPConn
	upstream netip.AddrPort

	mu   sync.Mutex // guards dirs, peer and closed
	dirs [2]*direction
	peer netip.AddrPort // learned client; written by the read loop

	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
}

// direction is the state of one way through the relay, guarded by Relay.mu.
type direction struct {
	imp     Impairment
	dec     decider
	queue   packetHeap
	wake    chan struct{} // poked when the queue's head changes
	arrival uint64        // arrival counter
	maxSent uint64        // highest arrival number delivered, plus one
	stats   Stats
}

// New starts a relay. Close stops it.
func New(opts Options) (*Relay, error) {
	if opts.Upstream == "" {
		return nil, errors.New("netem: no upstream address")
	}
	up, err := net.ResolveUDPAddr("udp", opts.Upstream)
	if err != nil {
		return nil, fmt.Errorf("netem: upstream %q: %w", opts.Upstream, err)
	}
	listen := opts.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	la, err := net.ResolveUDPAddr("udp", listen)
	if err != nil {
		return nil, fmt.Errorf("netem: listen %q: %w", listen, err)
	}
	conn, err := net.ListenUDP("udp", la)
	if err != nil {
		return nil, fmt.Errorf("netem: listen %q: %w", listen, err)
	}
	r := &Relay{conn: conn, upstream: unmap(up.AddrPort()), done: make(chan struct{})}
	for i, imp := range []Impairment{opts.ToUpstream, opts.ToClient} {
		r.dirs[i] = &direction{
			imp:  imp,
			dec:  decider{rng: newRNG(opts.Seed, Direction(i))},
			wake: make(chan struct{}, 1),
		}
	}
	r.wg.Add(3)
	go r.readLoop()
	go r.sendLoop(ToUpstream)
	go r.sendLoop(ToClient)
	return r, nil
}

// Addr is the address the relay listens on; clients send to it.
func (r *Relay) Addr() netip.AddrPort { return unmap(r.conn.LocalAddr().(*net.UDPAddr).AddrPort()) }

// Peer is the learned client address, or the zero value before the first
// client packet.
func (r *Relay) Peer() netip.AddrPort {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peer
}

// SetImpairment changes the impairment of one direction from the next packet on.
func (r *Relay) SetImpairment(d Direction, imp Impairment) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dirs[d].imp = imp
}

// Stats returns the counters of one direction.
func (r *Relay) Stats(d Direction) Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dirs[d].stats
}

// Close stops the relay, drops what is still queued and waits for its
// goroutines. It is idempotent.
func (r *Relay) Close() error {
	var err error
	r.closeOnce.Do(func() {
		close(r.done)
		err = r.conn.Close()
		r.wg.Wait()
	})
	return err
}

func (r *Relay) readLoop() {
	defer r.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-r.done:
				return
			default:
				continue // e.g. ICMP port unreachable surfaced on Linux
			}
		}
		r.enqueue(unmap(from), buf[:n], time.Now())
	}
}

func (r *Relay) enqueue(from netip.AddrPort, data []byte, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dir, to := ToUpstream, r.upstream
	if from == r.upstream {
		dir, to = ToClient, r.peer
	} else {
		r.peer = from
	}
	d := r.dirs[dir]
	d.stats.Received++
	if !to.IsValid() {
		d.stats.NoPeer++
		return
	}
	f := d.dec.decide(d.imp)
	if f.drop {
		d.stats.Lost++
		if f.burstLoss {
			d.stats.BurstLost++
		}
		return
	}
	seq := d.arrival
	d.arrival++
	pkt := &packet{due: now.Add(f.delay), seq: seq, to: to, data: append([]byte(nil), data...)}
	heap.Push(&d.queue, pkt)
	if f.dup {
		d.stats.Duplicated++
		heap.Push(&d.queue, &packet{due: pkt.due, seq: seq, to: to, data: pkt.data, dup: true})
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (r *Relay) sendLoop(dir Direction) {
	defer r.wg.Done()
	d := r.dirs[dir]
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		r.mu.Lock()
		var ready []*packet
		now := time.Now()
		for d.queue.Len() > 0 && !d.queue[0].due.After(now) {
			p := heap.Pop(&d.queue).(*packet)
			if !p.dup {
				if p.seq+1 < d.maxSent {
					d.stats.Reordered++
				}
				d.maxSent = max(d.maxSent, p.seq+1)
			}
			ready = append(ready, p)
		}
		wait := time.Hour
		if d.queue.Len() > 0 {
			wait = d.queue[0].due.Sub(now)
		}
		r.mu.Unlock()

		for _, p := range ready {
			_, err := r.conn.WriteToUDPAddrPort(p.data, p.to)
			r.mu.Lock()
			if err != nil {
				d.stats.WriteErrs++
			} else {
				d.stats.Forwarded++
			}
			r.mu.Unlock()
		}
		timer.Reset(wait)
		select {
		case <-r.done:
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// unmap turns an IPv4-mapped IPv6 address into plain IPv4 so that addresses
// from ResolveUDPAddr and ReadFrom compare equal.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}

// packet is one datagram waiting for its delivery time.
type packet struct {
	due  time.Time
	seq  uint64 // arrival order, for the reorder counter and stable ties
	to   netip.AddrPort
	data []byte
	dup  bool
}

// packetHeap orders packets by due time, then arrival.
type packetHeap []*packet

func (h packetHeap) Len() int { return len(h) }
func (h packetHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].seq < h[j].seq
	}
	return h[i].due.Before(h[j].due)
}
func (h packetHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *packetHeap) Push(x any)   { *h = append(*h, x.(*packet)) }
func (h *packetHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return p
}
