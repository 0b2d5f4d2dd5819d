package audio

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio/codec"
	"softphone/audio/resample"
)

// newDecoder wraps a codec that already exists.
func newDecoder(c codec.Codec, rate int) (*decoder, error) {
	conv, err := resample.New(c.SampleRate(), rate)
	if err != nil {
		return nil, fmt.Errorf("%w: %s at %d Hz: %w", ErrIncompatible, c.Name(), rate, err)
	}
	return &decoder{name: c.Name(), c: c, conv: conv, buf: make([]int16, 0, decodeBufSamples)}, nil
}

// made reports whether the codec exists yet.
func (d *decoder) made() bool { return d.c != nil }

// A lazy decoder makes its codec on the first payload, decodes it like an eager one, and
// allocates nothing per frame after that.
func TestLazyDecoderMadeOnFirstPayload(t *testing.T) {
	enc, err := codec.New("opus")
	require.NoError(t, err)
	pcm := make([]int16, 320)
	(&twoTone{}).Read(pcm)
	payload := enc.Encode(nil, pcm)
	require.NotEmpty(t, payload)

	d, err := newLazyDecoder("OPUS", RateWideband)
	require.NoError(t, err)
	assert.Equal(t, "opus", d.name, "the codec's own spelling, as Codec.Name gives it")
	assert.False(t, d.made(), "no codec before the first payload")
	out := d.decode(nil, payload)
	assert.True(t, d.made())
	assert.Len(t, out, 320)

	out = make([]int16, 0, 2048)
	allocs := testing.AllocsPerRun(50, func() { out = d.decode(out[:0], payload) })
	assert.Zero(t, allocs, "allocations per decoded frame")

	_, err = newLazyDecoder("GSM", RateWideband)
	require.ErrorIs(t, err, ErrIncompatible)
}

// Concealment before any payload makes the codec too (Opus PLC), G.711 conceals nothing itself.
func TestLazyDecoderConceal(t *testing.T) {
	d, err := newLazyDecoder("opus", RateWideband)
	require.NoError(t, err)
	out, ok := d.conceal(nil, 320, nil)
	assert.True(t, ok)
	assert.Len(t, out, 320)
	g, err := newLazyDecoder("PCMA", RateNarrowband)
	require.NoError(t, err)
	_, ok = g.conceal(nil, 160, nil)
	assert.False(t, ok)
}

// Issue 14 §6: a G.711 call whose answer also allows Opus and G.722 builds only the decoder of
// what the peer sends (the Opus one alone holds some hundred kilobytes); a re-negotiation
// (hold, resume) keeps that decoder and its state.
func TestCallMakesOnlyTheDecoderInUse(t *testing.T) {
	a := newWidePeer(t, []string{"PCMA", "opus", "G722"})
	b := newWidePeer(t, []string{"PCMA", "opus", "G722"})
	offer, err := a.s.Offer()
	require.NoError(t, err)
	answer, err := b.s.Answer(offer)
	require.NoError(t, err)
	// Answer the way baresip does: every codec in common, the chosen one first.
	answer = allowAll(t, answer)
	require.NoError(t, a.s.SetAnswer(answer))
	m := a.s.media.Load()
	require.Len(t, m.recv, 3, "the answer lets the peer send all three: %v", m.res.RecvCodecs)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { a.done <- a.s.Run(ctx) }()
	go func() { b.done <- b.s.Run(ctx) }()
	eventually(t, "audio arrives", func() bool { return tone1k(a) })

	for _, hold := range []bool{true, false} {
		offer, err = a.s.SetHold(hold)
		require.NoError(t, err)
		answer, err := b.s.Answer(offer)
		require.NoError(t, err)
		require.NoError(t, a.s.SetAnswer(allowAll(t, answer)))
	}
	after := a.s.media.Load()
	require.NotSame(t, m, after, "the re-negotiation made a new media state")
	for pt, d := range m.recv {
		assert.Same(t, d, after.recv[pt], "decoder of PT %d kept across hold and resume", pt)
	}
	eventually(t, "audio again after resume", func() bool { return tone1k(a) })
	cancel()
	require.NoError(t, <-a.done)
	require.NoError(t, <-b.done)

	// Run has returned: the playout goroutine no longer touches the decoders.
	for pt, d := range after.recv {
		assert.Equal(t, d.name == "PCMA", d.made(), "PT %d (%s) made", pt, d.name)
	}
}

// allowAll adds G.722 and Opus after PCMA to the audio line of an answer.
func allowAll(t *testing.T, answer []byte) []byte {
	t.Helper()
	s := string(answer)
	require.Contains(t, s, " 8 101\r\n")
	s = strings.Replace(s, " 8 101\r\n", " 8 9 111 101\r\n", 1)
	s = strings.Replace(s, "a=rtpmap:8 PCMA/8000\r\n",
		"a=rtpmap:8 PCMA/8000\r\na=rtpmap:9 G722/8000\r\na=rtpmap:111 opus/48000/2\r\n", 1)
	return []byte(s)
}
