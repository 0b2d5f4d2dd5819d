package jitter

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const frame = 20 * time.Millisecond

func pkt(seq uint16, ts uint32) Packet {
	return Packet{Seq: seq, Timestamp: ts, Payload: []byte{byte(seq), byte(seq >> 8)}}
}

// play pushes packets (seq, arrival in frames) then pops n frames, one per frame period starting
// at start, and returns what came out: seq numbers for audio, -1 for lost, -2 for none.
func play(b *Buffer, start time.Time, n int) []int {
	var out []int
	for i := range n {
		f := b.Pop(start.Add(time.Duration(i) * frame))
		switch f.Kind {
		case FrameAudio:
			out = append(out, int(f.Seq))
		case FrameLost:
			out = append(out, -1)
		default:
			out = append(out, -2)
		}
	}
	return out
}

func TestOrdering(t *testing.T) {
	tests := []struct {
		name    string
		seqs    []uint16
		want    []int
		lost    uint64
		dups    uint64
		results []PushResult
	}{
		{name: "in order", seqs: []uint16{10, 11, 12, 13}, want: []int{10, 11, 12, 13}},
		{name: "reordered", seqs: []uint16{10, 12, 11, 13}, want: []int{10, 11, 12, 13}},
		{name: "first packet late", seqs: []uint16{11, 10, 12, 13}, want: []int{10, 11, 12, 13}},
		{name: "duplicate", seqs: []uint16{10, 11, 11, 12}, want: []int{10, 11, 12}, dups: 1,
			results: []PushResult{Accepted, Accepted, Duplicate, Accepted}},
		{name: "loss", seqs: []uint16{10, 11, 13, 14}, want: []int{10, 11, -1, 13, 14}, lost: 1},
		{name: "burst loss", seqs: []uint16{10, 14}, want: []int{10, -1, -1, -1, 14}, lost: 3},
		{name: "seq wrap", seqs: []uint16{65534, 65535, 0, 1}, want: []int{65534, 65535, 0, 1}},
		{name: "seq wrap reordered", seqs: []uint16{65535, 1, 0, 2}, want: []int{65535, 0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(Config{MinDelay: 100 * time.Millisecond})
			for i, s := range tt.seqs {
				// Timestamps near the 32-bit wrap too.
				r := b.Push(pkt(s, 0xFFFFFF00+uint32(s)*160), t0.Add(time.Duration(i)*time.Millisecond))
				if tt.results != nil {
					assert.Equal(t, tt.results[i], r, "push %d", i)
				}
			}
			got := play(b, t0.Add(200*time.Millisecond), len(tt.want))
			assert.Equal(t, tt.want, got)
			st := b.Stats()
			assert.Equal(t, tt.lost, st.Lost)
			assert.Equal(t, tt.dups, st.Duplicates)
		})
	}
}

func TestLateAndDuplicateAfterPlay(t *testing.T) {
	b := New(Config{})
	require.Equal(t, Accepted, b.Push(pkt(1, 160), t0))
	require.Equal(t, Accepted, b.Push(pkt(3, 480), t0))
	assert.Equal(t, []int{1, -1, 3}, play(b, t0.Add(frame), 3))
	assert.Equal(t, Late, b.Push(pkt(2, 320), t0.Add(4*frame)))
	assert.Equal(t, Late, b.Push(pkt(3, 480), t0.Add(4*frame)), "replayed packet after playout")
	st := b.Stats()
	assert.Equal(t, uint64(2), st.Late)
}

func TestRestartOnJump(t *testing.T) {
	b := New(Config{})
	b.Push(pkt(100, 0), t0)
	assert.Equal(t, Restarted, b.Push(pkt(30000, 999), t0.Add(frame)))
	assert.Equal(t, []int{30000}, play(b, t0.Add(3*frame), 1))
	assert.Equal(t, uint64(1), b.Stats().Restarts)
}

func TestFillingWaitsForTarget(t *testing.T) {
	b := New(Config{MinDelay: 60 * time.Millisecond})
	b.Push(pkt(1, 160), t0)
	assert.Equal(t, FrameNone, b.Pop(t0.Add(20*time.Millisecond)).Kind)
	assert.Equal(t, FrameNone, b.Pop(t0.Add(40*time.Millisecond)).Kind)
	assert.Equal(t, FrameAudio, b.Pop(t0.Add(60*time.Millisecond)).Kind)
	assert.Equal(t, 60*time.Millisecond, b.Wait())
}

// At zero jitter (a one-frame target) the buffer starts with a frame of margin, then gives it
// back: after a few seconds each packet plays at the first pop after it arrived, so the buffer
// adds only the wait for that pop, less than a frame.
func TestOneFrameTargetPlaysAtFirstPop(t *testing.T) {
	b := New(Config{})
	var waits []time.Duration
	for i := range 250 {
		at := t0.Add(time.Duration(i)*frame + 3*time.Millisecond)
		b.Push(pkt(uint16(i), uint32(i)*160), at)
		f := b.Pop(t0.Add(time.Duration(i+1) * frame))
		if f.Kind == FrameAudio {
			waits = append(waits, b.Wait())
		}
	}
	require.NotEmpty(t, waits)
	assert.Equal(t, frame+17*time.Millisecond, waits[0], "a frame of margin at the start")
	assert.Equal(t, 17*time.Millisecond, waits[len(waits)-1], "given back on a clean line")
	assert.Equal(t, uint64(1), b.Stats().Dropped, "one frame dropped to give it back")
	assert.Equal(t, frame, b.TargetDelay())
	assert.Zero(t, b.Depth(), "nothing left waiting after the pop")
}

func TestUnderrunStallsThenIdles(t *testing.T) {
	b := New(Config{MaxDelay: 100 * time.Millisecond})
	b.Push(pkt(1, 160), t0)
	require.Equal(t, FrameAudio, b.Pop(t0.Add(frame)).Kind)
	// Packet 2 is late but arrives during the stall: it must still play.
	require.Equal(t, FrameLost, b.Pop(t0.Add(2*frame)).Kind)
	b.Push(pkt(2, 320), t0.Add(2*frame+time.Millisecond))
	f := b.Pop(t0.Add(3 * frame))
	require.Equal(t, FrameAudio, f.Kind)
	assert.Equal(t, uint16(2), f.Seq)
	assert.Equal(t, uint64(0), b.Stats().Lost)
	// Then silence: concealment for up to MaxDelay, then idle.
	var kinds []FrameKind
	for i := range 7 {
		kinds = append(kinds, b.Pop(t0.Add(time.Duration(4+i)*frame)).Kind)
	}
	assert.Equal(t, []FrameKind{FrameLost, FrameLost, FrameLost, FrameLost, FrameLost, FrameNone, FrameNone}, kinds)
	// A new talk spurt (after a silence with a timestamp jump) refills and plays.
	b.Push(pkt(3, 32000), t0.Add(20*frame))
	got := play(b, t0.Add(20*frame), 4)
	assert.Equal(t, -2, got[0], "refilling first")
	assert.Contains(t, got, 3)
}

func TestAdaptiveTarget(t *testing.T) {
	b := New(Config{MinDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond})
	seq, ts := uint16(0), uint32(0)
	at := t0
	// Steady arrivals: target stays at the minimum.
	for range 100 {
		b.Push(pkt(seq, ts), at)
		b.Pop(at)
		seq++
		ts += 160
		at = at.Add(frame)
	}
	assert.Equal(t, 20*time.Millisecond, b.TargetDelay())
	// ±30 ms jitter: the target grows.
	for i := range 200 {
		off := time.Duration((i%2)*60-30) * time.Millisecond
		b.Push(pkt(seq, ts), at.Add(off))
		b.Pop(at)
		seq++
		ts += 160
		at = at.Add(frame)
	}
	high := b.TargetDelay()
	assert.Greater(t, high, 80*time.Millisecond)
	assert.LessOrEqual(t, high, 200*time.Millisecond)
	assert.Greater(t, b.Stats().Jitter, 20*time.Millisecond)
	// Calm again: it comes back down.
	for range 300 {
		b.Push(pkt(seq, ts), at)
		b.Pop(at)
		seq++
		ts += 160
		at = at.Add(frame)
	}
	assert.Less(t, b.TargetDelay(), high)
	assert.LessOrEqual(t, b.TargetDelay(), 40*time.Millisecond)
}

func TestShrinkDropsWhenTooDeep(t *testing.T) {
	b := New(Config{})
	// A burst of 20 packets at once, then steady flow: the buffer is far above target and must
	// drop frames to get the delay down.
	for i := range 20 {
		b.Push(pkt(uint16(i), uint32(i*160)), t0)
	}
	at := t0
	for i := 20; i < 420; i++ {
		at = at.Add(frame)
		b.Pop(at)
		b.Push(pkt(uint16(i), uint32(i*160)), at)
	}
	st := b.Stats()
	assert.Positive(t, st.Dropped)
	assert.LessOrEqual(t, st.Depth, b.TargetDelay()+3*frame)
}

func TestStrings(t *testing.T) {
	assert.Equal(t, "late", Late.String())
	assert.Equal(t, "lost", FrameLost.String())
}

func BenchmarkPushPop(b *testing.B) {
	buf := New(Config{})
	payload := make([]byte, 160)
	at := t0
	var seq uint16
	var ts uint32
	b.ReportAllocs()
	for b.Loop() {
		buf.Push(Packet{Seq: seq, Timestamp: ts, Payload: payload}, at)
		buf.Pop(at)
		seq++
		ts += 160
		at = at.Add(frame)
	}
}

// A sender that stalls for three frames on a clean line (a busy machine's late tick, then a
// burst) makes the buffer hold more; the standing rule drains it back to the target, and at a
// one-frame target the buffer then also gives back the frame it still holds that no packet needs,
// so the delay of a long call does not ratchet up with every hiccup.
func TestOneFrameTargetRecoversFromStall(t *testing.T) {
	b := New(Config{})
	arrival := func(i int) time.Time {
		if i >= 50 && i < 53 {
			i = 53 // the burst after the stall
		}
		return t0.Add(time.Duration(i)*frame + 3*time.Millisecond)
	}
	var waits []time.Duration
	next := 0
	for k := range 500 {
		now := t0.Add(time.Duration(k+1) * frame)
		for ; next < 500 && !arrival(next).After(now); next++ {
			b.Push(pkt(uint16(next), uint32(next)*160), arrival(next))
		}
		if f := b.Pop(now); f.Kind == FrameAudio {
			waits = append(waits, b.Wait())
		}
	}
	require.NotEmpty(t, waits)
	assert.Greater(t, slices.Max(waits), frame, "the burst waited")
	assert.Equal(t, 17*time.Millisecond, waits[len(waits)-1], "every extra frame given back")
	assert.Equal(t, frame, b.TargetDelay())
}

// With a packet of lookahead (Opus in-band FEC) a quiet line keeps the next packet buffered
// when one plays, so a lost frame can be rebuilt from it: the start's margin is not given back.
func TestLookaheadKeepsNextPacket(t *testing.T) {
	b := New(Config{})
	b.SetLookahead(1)
	var nextHere int
	for i := range 250 {
		b.Push(pkt(uint16(i), uint32(i)*160), t0.Add(time.Duration(i)*frame+3*time.Millisecond))
		if f := b.Pop(t0.Add(time.Duration(i+1) * frame)); f.Kind == FrameAudio {
			if _, _, ok := b.Next(); ok {
				nextHere++
			}
		}
	}
	assert.Zero(t, b.Stats().Dropped)
	assert.Equal(t, frame+17*time.Millisecond, b.Wait())
	assert.Greater(t, nextHere, 240, "the next packet is here at nearly every pop")
}

// Packets that come just before their pop (the sender's clock a millisecond or two ahead of
// ours) keep the start's margin: without it the next hiccup would make one late, costing a
// concealed frame, and the buffer would then grow and drop again every few seconds.
func TestQuietLineKeepsMarginAtPopBoundary(t *testing.T) {
	for _, early := range []time.Duration{2 * time.Millisecond, 4 * time.Millisecond} {
		b := New(Config{})
		for i := range 500 {
			b.Push(pkt(uint16(i), uint32(i)*160), t0.Add(time.Duration(i+1)*frame-early))
			b.Pop(t0.Add(time.Duration(i+1) * frame))
		}
		assert.Zero(t, b.Stats().Dropped, "%v early", early)
		assert.Equal(t, frame+early, b.Wait(), "%v early", early)
	}
}

// A buffer that already gave its start margin back when the lookahead is set (the first Opus
// packet with FEC comes a few seconds into the call) has no next packet at a lost frame's pop:
// it waits one pop at the first loss, and from then on each loss finds the next packet here.
func TestLookaheadSetLateGrowsAtFirstLoss(t *testing.T) {
	b := New(Config{})
	lost := func(i int) bool { return i >= 300 && i%8 == 0 }
	var withNext, without int
	for i := range 600 {
		if i == 250 {
			b.SetLookahead(1)
		}
		if !lost(i) {
			b.Push(pkt(uint16(i), uint32(i)*160), t0.Add(time.Duration(i)*frame+3*time.Millisecond))
		}
		if i == 249 {
			require.Less(t, b.Wait(), frame, "the margin was given back before the lookahead")
		}
		if f := b.Pop(t0.Add(time.Duration(i+1) * frame)); f.Kind == FrameLost {
			if _, _, ok := b.Next(); ok {
				withNext++
			} else {
				without++
			}
		}
	}
	assert.LessOrEqual(t, without, 1, "only the first loss waits for the next packet")
	assert.GreaterOrEqual(t, withNext, 30, "every later loss has the next packet here")
}
