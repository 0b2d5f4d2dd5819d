package netem

import (
	"encoding/binary"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// endpoint is a UDP socket on loopback for the tests.
func endpoint(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func addr(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

// sendSeq sends n numbered datagrams, one every gap.
func sendSeq(t *testing.T, c *net.UDPConn, to netip.AddrPort, n int, gap time.Duration) {
	t.Helper()
	for i := range n {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(i))
		_, err := c.WriteToUDPAddrPort(b[:], to)
		require.NoError(t, err)
		if gap > 0 {
			time.Sleep(gap)
		}
	}
}

// readSeq reads numbered datagrams until idle for quiet, returning them and
// the address they came from.
func readSeq(t *testing.T, c *net.UDPConn, quiet time.Duration) ([]uint32, netip.AddrPort) {
	t.Helper()
	var got []uint32
	var from netip.AddrPort
	buf := make([]byte, 64)
	for {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(quiet)))
		n, f, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return got, from
		}
		require.Equal(t, 4, n)
		from = f
		got = append(got, binary.BigEndian.Uint32(buf[:4]))
	}
}

func TestRelayForwardsBothWays(t *testing.T) {
	client, server := endpoint(t), endpoint(t)
	r, err := New(Options{Upstream: addr(server).String()})
	require.NoError(t, err)
	defer r.Close()

	sendSeq(t, client, r.Addr(), 5, 0)
	got, from := readSeq(t, server, 200*time.Millisecond)
	assert.Equal(t, []uint32{0, 1, 2, 3, 4}, got)
	assert.Equal(t, r.Addr(), from, "upstream sees the relay as its peer")
	assert.Equal(t, addr(client), r.Peer())

	sendSeq(t, server, r.Addr(), 3, 0)
	got, from = readSeq(t, client, 200*time.Millisecond)
	assert.Equal(t, []uint32{0, 1, 2}, got)
	assert.Equal(t, r.Addr(), from)

	assert.Equal(t, Stats{Received: 5, Forwarded: 5}, r.Stats(ToUpstream))
	assert.Equal(t, Stats{Received: 3, Forwarded: 3}, r.Stats(ToClient))
}

func TestRelayDropsUpstreamPacketsBeforeAClientIsKnown(t *testing.T) {
	server := endpoint(t)
	r, err := New(Options{Upstream: addr(server).String()})
	require.NoError(t, err)
	defer r.Close()
	sendSeq(t, server, r.Addr(), 2, 0)
	require.Eventually(t, func() bool { return r.Stats(ToClient).NoPeer == 2 }, time.Second, 5*time.Millisecond)
}

func TestRelayDelayAndJitterReorder(t *testing.T) {
	client, server := endpoint(t), endpoint(t)
	r, err := New(Options{Upstream: addr(server).String(), Seed: 7,
		ToUpstream: Impairment{Delay: 30 * time.Millisecond, Jitter: 50 * time.Millisecond, Distribution: Normal}})
	require.NoError(t, err)
	defer r.Close()

	start := time.Now()
	sendSeq(t, client, r.Addr(), 1, 0)
	require.NoError(t, server.SetReadDeadline(time.Now().Add(time.Second)))
	_, _, err = server.ReadFromUDPAddrPort(make([]byte, 64))
	require.NoError(t, err)
	took := time.Since(start)
	assert.GreaterOrEqual(t, took, 30*time.Millisecond, "the fixed delay is applied")
	assert.Less(t, took, 200*time.Millisecond)

	sendSeq(t, client, r.Addr(), 100, 5*time.Millisecond)
	got, _ := readSeq(t, server, 300*time.Millisecond)
	assert.Len(t, got, 100, "jitter loses nothing")
	assert.NotEqual(t, sorted(got), got, "50 ms of jitter on a 5 ms stream reorders packets")
	assert.Positive(t, r.Stats(ToUpstream).Reordered)
}

func TestRelayExplicitReorderAndDuplicate(t *testing.T) {
	client, server := endpoint(t), endpoint(t)
	r, err := New(Options{Upstream: addr(server).String(), Seed: 3,
		ToUpstream: Impairment{Reorder: 0.2, ReorderDelay: 30 * time.Millisecond, Duplicate: 0.1}})
	require.NoError(t, err)
	defer r.Close()
	sendSeq(t, client, r.Addr(), 200, 2*time.Millisecond)
	got, _ := readSeq(t, server, 300*time.Millisecond)
	st := r.Stats(ToUpstream)
	assert.Len(t, got, 200+int(st.Duplicated))
	assert.InDelta(t, 20, st.Duplicated, 14)
	assert.InDelta(t, 40, st.Reordered, 25)
	assert.Equal(t, uint64(200)+st.Duplicated, st.Forwarded)
}

func TestRelaySetImpairmentAtRuntime(t *testing.T) {
	client, server := endpoint(t), endpoint(t)
	r, err := New(Options{Upstream: addr(server).String(), ToUpstream: Impairment{Loss: 1}})
	require.NoError(t, err)
	defer r.Close()
	sendSeq(t, client, r.Addr(), 10, 0)
	got, _ := readSeq(t, server, 100*time.Millisecond)
	assert.Empty(t, got)
	r.SetImpairment(ToUpstream, Impairment{})
	sendSeq(t, client, r.Addr(), 10, 0)
	got, _ = readSeq(t, server, 100*time.Millisecond)
	assert.Len(t, got, 10)
	assert.Equal(t, uint64(10), r.Stats(ToUpstream).Lost)
}

func TestRelayCloseIsCleanAndIdempotent(t *testing.T) {
	client, server := endpoint(t), endpoint(t)
	r, err := New(Options{Upstream: addr(server).String(), ToUpstream: Impairment{Delay: time.Hour}})
	require.NoError(t, err)
	sendSeq(t, client, r.Addr(), 3, 0) // left queued
	require.NoError(t, r.Close())
	assert.NoError(t, r.Close())
	goleak.VerifyNone(t)
}

func TestNewRejectsBadOptions(t *testing.T) {
	_, err := New(Options{})
	assert.ErrorContains(t, err, "no upstream")
	_, err = New(Options{Upstream: "nonsense"})
	assert.Error(t, err)
	_, err = New(Options{Upstream: "127.0.0.1:9", Listen: "127.0.0.1:notaport"})
	assert.Error(t, err)
}

// fates draws n decisions with a seed.
func fates(seed uint64, imp Impairment, n int) []fate {
	d := decider{rng: rand.New(rand.NewPCG(seed, 1))}
	out := make([]fate, n)
	for i := range out {
		out[i] = d.decide(imp)
	}
	return out
}

func TestDecisionsAreDeterministicPerSeed(t *testing.T) {
	imp := Impairment{Loss: 0.1, Jitter: 50 * time.Millisecond, Duplicate: 0.05, Reorder: 0.05}
	assert.Equal(t, fates(42, imp, 500), fates(42, imp, 500))
	assert.NotEqual(t, fates(42, imp, 500), fates(43, imp, 500))
}

func TestLossModels(t *testing.T) {
	const n = 200000
	for _, tc := range []struct {
		name      string
		imp       Impairment
		loss      float64
		meanBurst float64
	}{
		{"independent 5%", Impairment{Loss: 0.05}, 0.05, 1.05},
		{"independent 10%", Impairment{Loss: 0.10}, 0.10, 1.11},
		{"gilbert-elliott 5% bursts of 3", Impairment{Burst: Burst(0.05, 3)}, 0.05, 3},
		{"gilbert-elliott 10% bursts of 2", Impairment{Burst: Burst(0.10, 2)}, 0.10, 2},
		{"none", Impairment{}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lost, bursts, run := 0, 0, 0
			for _, f := range fates(1, tc.imp, n) {
				if f.drop {
					lost++
					run++
					continue
				}
				if run > 0 {
					bursts++
				}
				run = 0
			}
			assert.InDelta(t, tc.loss, float64(lost)/n, 0.006)
			if bursts > 0 {
				assert.InDelta(t, tc.meanBurst, float64(lost)/float64(bursts), 0.25)
			}
		})
	}
}

func TestJitterDistributions(t *testing.T) {
	for _, dist := range []Distribution{Uniform, Normal} {
		t.Run(dist.String(), func(t *testing.T) {
			imp := Impairment{Delay: 10 * time.Millisecond, Jitter: 50 * time.Millisecond, Distribution: dist}
			var sum time.Duration
			fs := fates(9, imp, 20000)
			for _, f := range fs {
				require.GreaterOrEqual(t, f.delay, 10*time.Millisecond)
				require.LessOrEqual(t, f.delay, 60*time.Millisecond)
				sum += f.delay
			}
			assert.InDelta(t, float64(35*time.Millisecond), float64(sum/time.Duration(len(fs))), float64(time.Millisecond))
		})
	}
}

func TestNames(t *testing.T) {
	assert.Equal(t, "to-upstream", ToUpstream.String())
	assert.Equal(t, "to-client", ToClient.String())
	assert.Equal(t, "unknown", Direction(9).String())
	assert.Equal(t, "unknown", Distribution(9).String())
}

func sorted(s []uint32) []uint32 {
	out := append([]uint32(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestModelMatchesRelayStream(t *testing.T) {
	imp := Impairment{Loss: 0.1, Jitter: 50 * time.Millisecond, Duplicate: 0.05}
	m := NewModel(5, ToClient, imp)
	d := decider{rng: newRNG(5, ToClient)}
	for range 1000 {
		f := d.decide(imp)
		assert.Equal(t, Fate{Drop: f.drop, Delay: f.delay, Duplicate: f.dup}, m.Next())
	}
	m.SetImpairment(Impairment{})
	assert.Equal(t, Fate{}, m.Next())
}
