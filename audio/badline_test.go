package audio

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/internal/netem"
)

// speechSource plays pcm once, then silence.
type speechSource struct {
	mu  sync.Mutex
	pcm []int16
	pos int
}

func (s *speechSource) Read(frame []int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := copy(frame, s.pcm[min(s.pos, len(s.pcm)):])
	clear(frame[n:])
	s.pos += len(frame)
	return len(frame), nil
}

// badLineCase is one codec set-up of the bad-line benchmark.
type badLineCase struct {
	name     string
	codec    string
	noFEC    bool          // the receiver's answer says useinbandfec=0: the sender adds no FEC
	fixedJit time.Duration // non-zero: a fixed-target jitter buffer of this delay, as a reference
}

// badLineCondition is one network condition.
type badLineCondition struct {
	name string
	imp  netem.Impairment
}

// badLineResult is what one call through the relay measured.
type badLineResult struct {
	sent         uint64  // packets A sent
	netLost      uint64  // packets the relay dropped
	concealed    float64 // share of sent frames B concealed by PLC (not rebuilt from FEC)
	fec          float64 // share of sent frames B rebuilt from in-band FEC
	corr         float64 // segmental waveform correlation, sent vs received
	clicks       int     // frame joins with a step far above its surroundings
	playoutDelay float64 // B's jitter buffer target at the end, ms
}

func badLineConditions() []badLineCondition {
	const jit = 50 * time.Millisecond
	return []badLineCondition{
		{"0% loss, 0 ms jitter", netem.Impairment{}},
		{"5% loss, 0 ms jitter", netem.Impairment{Loss: 0.05}},
		{"10% loss, 0 ms jitter", netem.Impairment{Loss: 0.10}},
		{"0% loss, 50 ms jitter+reorder", netem.Impairment{Jitter: jit, Reorder: 0.02}},
		{"5% loss, 50 ms jitter+reorder", netem.Impairment{Loss: 0.05, Jitter: jit, Reorder: 0.02}},
		{"10% loss, 50 ms jitter+reorder", netem.Impairment{Loss: 0.10, Jitter: jit, Reorder: 0.02}},
	}
}

// runBadLine sends signal from session A to session B over SRTP on loopback, A's RTP through a
// netem relay with imp, and scores what B played.
func runBadLine(tb testing.TB, c badLineCase, imp netem.Impairment, seed uint64, signal []int16) badLineResult {
	tb.Helper()
	src := &speechSource{pcm: signal}
	sink := &bufferSink{}
	a, err := NewSession(Config{LocalIP: loopback, RequireSRTP: true, Codecs: []string{c.codec},
		SampleRate: RateWideband, Source: src, RTCPInterval: time.Second, Logger: quiet})
	require.NoError(tb, err)
	defer a.Close()
	b, err := NewSession(Config{LocalIP: loopback, RequireSRTP: true, Codecs: []string{c.codec},
		SampleRate: RateWideband, Sink: sink, RTCPInterval: time.Second, Logger: quiet,
		JitterMin: c.fixedJit, JitterMax: c.fixedJit})
	require.NoError(tb, err)
	defer b.Close()

	relay, err := netem.New(netem.Options{Upstream: fmt.Sprintf("127.0.0.1:%d", b.LocalPort()), Seed: seed, ToUpstream: imp})
	require.NoError(tb, err)
	defer relay.Close()
	offer, err := a.Offer()
	require.NoError(tb, err)
	answer, err := b.Answer(offer)
	require.NoError(tb, err)
	ans := strings.Replace(string(answer), fmt.Sprintf("m=audio %d ", b.LocalPort()),
		fmt.Sprintf("m=audio %d ", relay.Addr().Port()), 1)
	if c.noFEC {
		ans = strings.ReplaceAll(ans, "useinbandfec=1", "useinbandfec=0")
	}
	require.NoError(tb, a.SetAnswer([]byte(ans)))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range []*Session{b, a} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = s.Run(ctx) }()
	}
	time.Sleep(time.Duration(len(signal))*time.Second/RateWideband + 700*time.Millisecond)
	cancel()
	wg.Wait()

	sa, sb := a.Stats(), b.Stats()
	sink.mu.Lock()
	y := sink.pcm
	sink.mu.Unlock()
	frame := RateWideband / 50
	lag := globalLag(signal, y, RateWideband)
	r := badLineResult{
		sent:         sa.PacketsSent,
		netLost:      relay.Stats(netem.ToUpstream).Lost,
		concealed:    float64(sb.Concealed-sb.FECRecovered) / float64(max(sa.PacketsSent, 1)),
		fec:          float64(sb.FECRecovered) / float64(max(sa.PacketsSent, 1)),
		corr:         segmentalCorrelation(signal, y, lag, frame),
		clicks:       clicks(y, lag, lag+len(signal), frame),
		playoutDelay: sb.PlayoutDelayMs,
	}
	return r
}

// quiet drops the sessions' log lines, so the table stays readable.
var quiet = slog.New(slog.DiscardHandler)

// badLineCases are the codec set-ups, each run on every condition.
var badLineCases = []badLineCase{
	{name: "PCMA", codec: "PCMA"},
	{name: "G722", codec: "G722"},
	{name: "opus no FEC", codec: "opus", noFEC: true},
	{name: "opus FEC", codec: "opus"},
}

// runConcurrently runs the cases of one condition at the same time (they are real-time calls).
func runConcurrently(tb testing.TB, cases []badLineCase, imp netem.Impairment, seed uint64, signal []int16) []badLineResult {
	out := make([]badLineResult, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = runBadLine(tb, c, imp, seed, signal) }()
	}
	wg.Wait()
	return out
}

func printBadLine(w io.Writer, cond string, c badLineCase, r, ref badLineResult) {
	fmt.Fprintf(w, "%-31s %-14s %6.1f%% %8.1f%% %6.1f%% %6.3f (%5.3f) %6d %6.0f\n", cond, c.name,
		100*float64(r.netLost)/float64(max(r.sent, 1)), 100*r.concealed, 100*r.fec, r.corr, ref.corr, r.clicks, r.playoutDelay)
}

const badLineHeader = "condition                       codec          netloss  PLC'd   FEC'd   corr (0%-ref) clicks target ms\n"

// BenchmarkBadLine is `make bench-badline`: real sessions over SRTP through the netem relay, per
// network condition and codec. It prints, beside the 0 % reference of the same run: the share of
// frames concealed by PLC, the share rebuilt from Opus FEC, the segmental waveform correlation
// of sent and received speech (aligned), clicks at frame joins, and the jitter buffer target. Each
// condition is a real-time call of the whole signal; run it with -benchtime 1x.
func BenchmarkBadLine(b *testing.B) {
	signal, what := badLineSignal()
	for range b.N {
		var out strings.Builder
		fmt.Fprintf(&out, "\nbad line: %s, %.1f s one way, SRTP on loopback through internal/netem (seed 1)\n",
			what, float64(len(signal))/RateWideband)
		fmt.Fprintf(&out, "PLC'd = frames concealed (share of sent), FEC'd = rebuilt from Opus in-band FEC, corr = segmental waveform correlation\n")
		out.WriteString(badLineHeader)
		var ref []badLineResult
		for i, cond := range badLineConditions() {
			rs := runConcurrently(b, badLineCases, cond.imp, uint64(i+1), signal)
			if i == 0 {
				ref = rs
			}
			for k, r := range rs {
				printBadLine(&out, cond.name, badLineCases[k], r, ref[k])
			}
			if cond.imp.Jitter > 0 {
				fixed := badLineCase{name: "PCMA fixed40", codec: "PCMA", fixedJit: 40 * time.Millisecond}
				r := runBadLine(b, fixed, cond.imp, uint64(i+1), signal)
				printBadLine(&out, cond.name, fixed, r, ref[0])
			}
		}
		fmt.Print(out.String())
	}
}

// Issue 15 §5 on real sessions: at 10 % loss with 50 ms jitter and reordering, speech still comes
// through (correlation close to the clean run), and Opus in-band FEC measurably lowers what is
// concealed.
func TestBadLineOpusFEC(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time calls")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	signal, what := badLineSignal()
	signal = signal[:min(len(signal), 6*RateWideband)]
	t.Log(what)
	cases := []badLineCase{{name: "opus no FEC", codec: "opus", noFEC: true}, {name: "opus FEC", codec: "opus"},
		{name: "PCMA", codec: "PCMA"}}
	imp := netem.Impairment{Loss: 0.10, Jitter: 50 * time.Millisecond, Reorder: 0.02}
	rs := runConcurrently(t, cases, imp, 7, signal)
	clean := runConcurrently(t, cases, netem.Impairment{}, 7, signal)
	var out strings.Builder
	out.WriteString(badLineHeader)
	for i, c := range cases {
		printBadLine(&out, "0%", c, clean[i], clean[i])
		printBadLine(&out, "10% loss, 50 ms jitter+reorder", c, rs[i], clean[i])
	}
	t.Log("\n" + out.String())
	noFEC, fec := rs[0], rs[1]
	assert.Zero(t, noFEC.fec, "no FEC sent, none used")
	assert.Positive(t, fec.fec, "frames rebuilt from FEC")
	assert.Less(t, fec.concealed, noFEC.concealed*0.8, "FEC lowers the concealed share by a fifth at least")
	for i, r := range rs {
		assert.Greater(t, r.corr, clean[i].corr-0.25, "%s: speech survives 10 %% loss", cases[i].name)
		assert.Greater(t, clean[i].corr, 0.5, "%s: the clean call carries the speech", cases[i].name)
		assert.InDelta(t, 0, clean[i].concealed, 0.01, "%s: nothing concealed on a clean path", cases[i].name)
	}
}
