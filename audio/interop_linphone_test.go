package audio_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/audio"
	"softphone/audio/dsp"
	"softphone/audio/wav"
	"softphone/internal/testpeer"
)

// linphone is a running linphonec (Debian linphone-cli) on 127.0.0.1, SRTP (SDES) mandatory,
// with sound from and to WAV files.
type linphone struct {
	port  int
	dir   string
	stdin io.WriteCloser
	log   *syncBuffer
}

// lpCodec is one [audio_codec_N] section of linphone's configuration.
type lpCodec struct {
	mime     string
	rate, ch int
	on       bool
}

// freeRTPPort returns an even port p where p and p+1 are free: linphone
// sends RTP from p and RTCP from p+1.
func freeRTPPort(t *testing.T) int {
	t.Helper()
	for range 20 {
		if p := testpeer.FreePortPair(t); p%2 == 0 {
			return p
		}
	}
	t.Fatal("no free even port pair for linphone's RTP")
	return 0
}

// startLinphone runs linphonec with only the codecs listed enabled (in that order), playing a
// 16 kHz file of 1 kHz plus 6 kHz into calls and recording what it receives to rec.wav.
func startLinphone(t *testing.T, codecs []lpCodec) *linphone {
	t.Helper()
	return startLinphoneEnc(t, codecs, "srtp")
}

// startLinphoneEnc is startLinphone with linphone's media_encryption ("srtp", "dtls"), mandatory.
func startLinphoneEnc(t *testing.T, codecs []lpCodec, enc string) *linphone {
	t.Helper()
	bin, err := exec.LookPath("linphonec")
	if err != nil {
		t.Skip("linphonec is not installed (apt-get install linphone-cli)")
	}
	l := &linphone{port: testpeer.FreePort(t), dir: t.TempDir(), log: &syncBuffer{}}
	// linphone opens no SIP port until its database directory exists.
	require.NoError(t, os.MkdirAll(filepath.Join(l.dir, ".local/share/linphone"), 0o700))
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[sip]\nsip_port=%d\nsip_tcp_port=-1\nsip_tls_port=-1\nauto_net_state_mon=0\n", l.port)
	fmt.Fprintf(&cfg, "media_encryption=%s\nmedia_encryption_mandatory=1\n", enc)
	fmt.Fprintf(&cfg, "[rtp]\naudio_rtp_port=%d\n", freeRTPPort(t))
	for i, c := range codecs {
		fmt.Fprintf(&cfg, "[audio_codec_%d]\nmime=%s\nrate=%d\nchannels=%d\nenabled=%d\n", i, c.mime, c.rate, c.ch, map[bool]int{true: 1}[c.on])
	}
	rc := filepath.Join(l.dir, "linphonerc")
	require.NoError(t, os.WriteFile(rc, []byte(cfg.String()), 0o600))
	play := filepath.Join(l.dir, "play.wav")
	require.NoError(t, os.WriteFile(play, twoToneWAV(10), 0o600))

	cmd := exec.Command(bin, "-c", rc, "-d", "6", "-l", filepath.Join(l.dir, "debug.log"))
	cmd.Env = append(os.Environ(), "HOME="+l.dir)
	cmd.Stdout, cmd.Stderr = l.log, l.log
	l.stdin, err = cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_, _ = io.WriteString(l.stdin, "quit\n")
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("linphonec output:\n%s", l.log.String())
		}
	})
	l.command(t, "ipv6 disable") // else its offers carry the host's IPv6 address, unreachable from 127.0.0.1
	l.command(t, "soundcard use files")
	l.command(t, "play "+play)
	l.command(t, "record "+filepath.Join(l.dir, "rec.wav"))
	l.command(t, "autoanswer enable")
	l.waitLog(t, "Auto answer enabled", 10*time.Second)
	return l
}

func (l *linphone) command(t *testing.T, c string) {
	t.Helper()
	_, err := io.WriteString(l.stdin, c+"\n")
	require.NoError(t, err)
}

func (l *linphone) waitLog(t *testing.T, what string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(l.log.String(), what) {
		if time.Now().After(deadline) {
			t.Fatalf("linphonec never printed %q", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recorded is what linphone received (its record file, written at the end of the call).
func (l *linphone) recorded(t *testing.T) (pcm []int16, rate int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(l.dir, "rec.wav"))
	require.NoError(t, err, "linphone's recording")
	i := bytes.Index(b, []byte("data"))
	require.Positive(t, i)
	rate = int(binary.LittleEndian.Uint32(b[24:]))
	for k := i + 8; k+2 <= len(b); k += 2 {
		pcm = append(pcm, int16(binary.LittleEndian.Uint16(b[k:])))
	}
	return pcm, rate
}

// twoToneWAV is seconds of 16 kHz mono 1 kHz plus 6 kHz.
func twoToneWAV(seconds int) []byte {
	n := seconds * audio.RateWideband
	out := append([]byte(nil), wav.Header(uint64(n), audio.RateWideband, 1)...)
	for i := range n {
		tt := float64(i) / audio.RateWideband
		v := int16(6000*math.Sin(2*math.Pi*1000*tt) + 6000*math.Sin(2*math.Pi*6000*tt))
		out = binary.LittleEndian.AppendUint16(out, uint16(v))
	}
	return out
}

// Against linphonec, with Opus and with G.722, calling it and being called by it: what we
// receive and what linphone records of us both carry the 6 kHz half.
func TestLinphoneWideband(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test with linphonec")
	}
	for _, tt := range []struct {
		codec  string
		config []lpCodec
	}{
		{"opus", []lpCodec{{"opus", 48000, 2, true}, {"G722", 8000, 1, false}, {"PCMU", 8000, 1, true}}},
		{"G722", []lpCodec{{"G722", 8000, 1, true}, {"opus", 48000, 2, false}, {"PCMU", 8000, 1, true}}},
	} {
		for _, weCall := range []bool{true, false} {
			name := tt.codec + "/linphone calls"
			if weCall {
				name = tt.codec + "/we call"
			}
			t.Run(name, func(t *testing.T) {
				t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
				lp := startLinphone(t, tt.config)
				conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
				require.NoError(t, err)
				defer conn.Close()
				sink := &recSink{}
				s := widebandSession(t, sink)
				var hangup func()
				if weCall {
					hangup = callUA(t, conn, lp.port, s, fmt.Sprintf("lp%d", time.Now().UnixNano()), "l1", "linphone").bye
				} else {
					lp.command(t, fmt.Sprintf("call sip:agent@%s", conn.LocalAddr()))
					answerInvite(t, conn, s)
					hangup = func() { lp.command(t, "terminate") }
				}
				got, rate := s.Codec()
				assert.True(t, strings.EqualFold(tt.codec, got), "negotiated %s", got)
				assert.Equal(t, 16000, rate)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- s.Run(ctx) }()
				deadline := time.Now().Add(15 * time.Second)
				var high float64
				for time.Now().Before(deadline) {
					if pcm := sink.last(audio.RateWideband / 2); pcm != nil && rmsOf(pcm) > 1000 {
						if high = dsp.BandEnergy(pcm, audio.RateWideband, 4000, 8000); high > 0.3 {
							break
						}
					}
					time.Sleep(100 * time.Millisecond)
				}
				time.Sleep(time.Second)
				hangup()
				lp.waitLog(t, "ended", 10*time.Second)
				cancel()
				require.NoError(t, <-done)
				pcm, prate := lp.recorded(t)
				require.Greater(t, len(pcm), prate/2, "linphone recorded at least half a second")
				// Over the whole recording: silence before media starts adds to neither band.
				theirs := dsp.BandEnergy(pcm, prate, 4000, 8000)
				t.Logf("linphone's recording: %.1f s, RMS %.0f", float64(len(pcm))/float64(prate), rmsOf(pcm))
				t.Logf("%s: we receive %.0f%% of the energy above 4 kHz; linphone recorded ours at %d Hz with %.0f%% above 4 kHz",
					name, 100*high, prate, 100*theirs)
				assert.Greater(t, high, 0.3, "what we receive from linphone is wideband")
				assert.Greater(t, theirs, 0.3, "what linphone receives from us is wideband")
			})
		}
	}
}

func rmsOf(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(len(x), 1)))
}

// Issue 14 §7 against linphonec: linphone calls with PCMU first, we (configured PCMA first) answer
// PCMU. Hold and resume re-offers must keep PCMU, so linphone (which takes the offer's first
// codec it has) stays on it, and our codec report agrees with what flows.
func TestLinphoneHoldKeepsCodec(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test with linphonec")
	}
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	lp := startLinphone(t, []lpCodec{{"PCMU", 8000, 1, true}, {"PCMA", 8000, 1, true},
		{"opus", 48000, 2, false}, {"G722", 8000, 1, false}, {"speex", 16000, 1, false}, {"speex", 8000, 1, false}})
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer conn.Close()
	s, err := audio.NewSession(audio.Config{LocalIP: netip127, RequireSRTP: true, Codecs: []string{"PCMA", "PCMU"},
		Source: &wideSource{}, Sink: &recSink{}})
	require.NoError(t, err)
	defer s.Close()
	lp.command(t, fmt.Sprintf("call sip:agent@%s", conn.LocalAddr()))
	dlg := answerInvite(t, conn, s)
	name, _ := s.Codec()
	require.Equal(t, "PCMU", name, "linphone's first codec")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	lp.waitLog(t, "Media streams established", 10*time.Second)
	for _, hold := range []bool{true, false} {
		offer, err := s.SetHold(hold)
		require.NoError(t, err)
		answer := dlg.reinvite(t, conn, offer)
		require.NoError(t, s.SetAnswer(answer))
		m := regexp.MustCompile(`m=audio \d+ \S+ (\d+)`).FindStringSubmatch(string(answer))
		require.NotNil(t, m)
		assert.Equal(t, "0", m[1], "linphone answers PCMU after hold=%v", hold)
		name, _ := s.Codec()
		assert.Equal(t, "PCMU", name)
	}
	assert.Zero(t, s.Stats().CodecChanges, "no codec change reported")
	received := s.Stats().PacketsReceived
	time.Sleep(500 * time.Millisecond)
	assert.Greater(t, s.Stats().PacketsReceived, received, "media flows after resume")
	lp.command(t, "terminate")
	cancel()
	require.NoError(t, <-done)
}
