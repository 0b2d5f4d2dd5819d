package audio_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
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
	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// wideSource is 16 kHz audio of 1 kHz plus 6 kHz: the 6 kHz half only survives a wideband path.
type wideSource struct{ n int }

func (s *wideSource) Read(frame []int16) (int, error) {
	for i := range frame {
		t := float64(s.n) / audio.RateWideband
		frame[i] = int16(6000*math.Sin(2*math.Pi*1000*t) + 6000*math.Sin(2*math.Pi*6000*t))
		s.n++
	}
	return len(frame), nil
}

// startWidebandBaresip runs baresip with its g722 and opus modules, an account limited to one
// codec (a wideband-only peer), a 6 kHz sine as its microphone and sndfile recording what it
// decodes into dir.
func startWidebandBaresip(t *testing.T, codecName string) (sipPort, ctrlPort int, dir string, log *syncBuffer) {
	t.Helper()
	bin, err := exec.LookPath("baresip")
	if err != nil {
		t.Skip("baresip is not installed (apt-get install baresip-core)")
	}
	dir = t.TempDir()
	sipPort, ctrlPort = testpeer.FreePortPair(t), testpeer.FreePort(t)
	cfg := fmt.Sprintf(`poll_method epoll
ctrl_tcp_listen 127.0.0.1:%d
sip_listen 127.0.0.1:%d
net_interface 127.0.0.1
audio_source ausine,6000
ausrc_srate 48000
ausrc_channels 2
rtp_ports 40000-49998
snd_path %s
module_path /usr/lib/baresip/modules
module g711.so
module g722.so
module opus.so
module ausine.so
module srtp.so
module sndfile.so
module_app account.so
module_app menu.so
module_app ctrl_tcp.so
`, ctrlPort, sipPort, dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600))
	// baresip reads a bare "G722" as G722/8000/1 and finds no such codec: name its 16 kHz rate.
	spec := codecName
	if codecName == "G722" {
		spec = "G722/16000/1"
	}
	acc := fmt.Sprintf("<sip:peer@127.0.0.1:%d>;regint=0;mediaenc=srtp-mand;answermode=auto;audio_codecs=%s\n", sipPort, spec)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts"), []byte(acc), 0o600))
	log = &syncBuffer{}
	cmd := exec.Command("stdbuf", "-oL", bin, "-v", "-f", dir)
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("baresip log:\n%s", log.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "baresip is ready") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	return sipPort, ctrlPort, dir, log
}

// decodedWAV reads what baresip's sndfile module recorded of our stream (the *-dec.wav file).
func decodedWAV(t *testing.T, dir string) (pcm []int16, rate int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*dec*.wav"))
	require.NotEmpty(t, files, "sndfile wrote baresip's decoded stream")
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.Greater(t, len(b), 44)
	rate = int(binary.LittleEndian.Uint32(b[24:]))
	channels := int(binary.LittleEndian.Uint16(b[22:]))
	i := bytes.Index(b, []byte("data"))
	require.Positive(t, i)
	data := b[i+8:]
	for k := 0; k+2*channels <= len(data); k += 2 * channels {
		pcm = append(pcm, int16(binary.LittleEndian.Uint16(data[k:]))) // first channel
	}
	return pcm, rate
}

// widebandSession is our side: 16 kHz, every codec offered, wideband first.
func widebandSession(t *testing.T, sink audio.Sink) *audio.Session {
	t.Helper()
	s, err := audio.NewSession(audio.Config{LocalIP: netip127, RequireSRTP: true, SampleRate: audio.RateWideband,
		Codecs: []string{"opus", "G722", "PCMA", "PCMU"}, Source: &wideSource{}, Sink: sink})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// hearsWideband waits until our speaker gets baresip's 6 kHz sine, which G.711 could not carry.
func hearsWideband(t *testing.T, sink *recSink) (freq, high float64) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if pcm := sink.last(audio.RateWideband / 2); pcm != nil && tone.RMS(pcm) > 300 {
			freq = tone.DominantFrequency(pcm, audio.RateWideband)
			high = dsp.BandEnergy(pcm, audio.RateWideband, 4000, 8000)
			if freq > 5950 && freq < 6050 {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return freq, high
}

// Both directions, both wideband codecs, both call directions against baresip's own g722 and opus
// modules: what each side receives carries content above 4 kHz.
func TestBaresipWideband(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test with baresip")
	}
	for _, codecName := range []string{"G722", "opus"} {
		for _, weCall := range []bool{true, false} {
			name := codecName + "/baresip calls"
			if weCall {
				name = codecName + "/we call"
			}
			t.Run(name, func(t *testing.T) {
				t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
				sipPort, ctrlPort, dir, blog := startWidebandBaresip(t, codecName)
				conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
				require.NoError(t, err)
				defer conn.Close()
				sink := &recSink{}
				s := widebandSession(t, sink)
				var hangup func()
				if weCall {
					hangup = callUA(t, conn, sipPort, s, fmt.Sprintf("wb%d", time.Now().UnixNano()), "w1", "baresip").bye
				} else {
					answerBaresipCall(t, conn, ctrlPort, s)
					hangup = func() {}
				}
				got, rate := s.Codec()
				assert.True(t, strings.EqualFold(codecName, got), "negotiated %s", got)
				assert.Equal(t, 16000, rate)

				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- s.Run(ctx) }()
				freq, high := hearsWideband(t, sink)
				// RFC 4733 events (telephone-event/8000) still reach baresip on a wideband call,
				// even with Opus's 48 kHz RTP clock.
				require.NoError(t, s.SendDTMF("12#"))
				time.Sleep(time.Second) // let baresip record a second of ours
				hangup()
				cancel()
				require.NoError(t, <-done)
				require.NoError(t, s.Close())
				assert.InDelta(t, 6000, freq, 50, "baresip's 6 kHz sine reaches our speaker")
				assert.Greater(t, high, 0.5, "what we receive is wideband")

				time.Sleep(300 * time.Millisecond)
				if weCall {
					// baresip ends the call on BYE and closes its recording.
					deadline := time.Now().Add(5 * time.Second)
					for !strings.Contains(blog.String(), "terminated") && time.Now().Before(deadline) {
						time.Sleep(100 * time.Millisecond)
					}
				}
				pcm, prate := decodedWAV(t, dir)
				require.Greater(t, len(pcm), prate/2, "baresip decoded at least half a second")
				tail := pcm[len(pcm)-prate/2:]
				theirHigh := dsp.BandEnergy(tail, prate, 4000, 8000)
				t.Logf("%s: we hear %.0f Hz with %.0f%% of the energy above 4 kHz; baresip decoded ours at %d Hz with %.0f%% above 4 kHz",
					name, freq, 100*high, prate, 100*theirHigh)
				assert.Greater(t, theirHigh, 0.3, "what baresip receives from us is wideband (our 6 kHz half)")
				assert.Zero(t, s.Stats().SRTPFailures)
				assert.NotContains(t, blog.String(), "failed to decrypt RTP packet")
				var digits []string
				for _, m := range dtmfRe.FindAllStringSubmatch(blog.String(), -1) {
					digits = append(digits, m[1])
				}
				assert.Equal(t, []string{"1", "2", "#"}, digits, "DTMF during a wideband call")
			})
		}
	}
}

// answerBaresipCall makes baresip dial us over ctrl_tcp and answers its INVITE with s.
func answerBaresipCall(t *testing.T, conn *net.UDPConn, ctrlPort int, s *audio.Session) {
	t.Helper()
	var ctrl net.Conn
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ctrl, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ctrlPort)); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, err)
	t.Cleanup(func() { _ = ctrl.Close() })
	cmd := fmt.Sprintf(`{"command":"dial","params":"sip:agent@%s","token":"1"}`, conn.LocalAddr())
	_, err = fmt.Fprintf(ctrl, "%d:%s,", len(cmd), cmd)
	require.NoError(t, err)
	answerInvite(t, conn, s)
}

// answerInvite waits for an INVITE on conn, answers it with s and returns the dialog to use for
// requests of our own (a re-INVITE).
func answerInvite(t *testing.T, conn *net.UDPConn, s *audio.Session) *uasDialog {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	buf := make([]byte, 65535)
	var inv string
	var from *net.UDPAddr
	for time.Now().Before(deadline) && inv == "" {
		_ = conn.SetReadDeadline(time.Now().Add(time.Second))
		n, addr, err := conn.ReadFromUDP(buf)
		if err == nil && strings.HasPrefix(string(buf[:n]), "INVITE ") {
			inv, from = string(buf[:n]), addr
		}
	}
	require.NotEmpty(t, inv, "INVITE from baresip")
	head, offer, _ := strings.Cut(inv, "\r\n\r\n")
	answer, err := s.Answer([]byte(offer))
	require.NoError(t, err)
	var resp strings.Builder
	resp.WriteString("SIP/2.0 200 OK\r\n")
	for _, line := range strings.Split(head, "\r\n")[1:] {
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "v", "from", "f", "call-id", "i", "cseq":
			resp.WriteString(line + "\r\n")
		case "to", "t":
			resp.WriteString(line + ";tag=uas1\r\n")
		}
	}
	fmt.Fprintf(&resp, "Contact: <sip:agent@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		conn.LocalAddr(), len(answer), answer)
	_, err = conn.WriteToUDP([]byte(resp.String()), from)
	require.NoError(t, err)
	return newUASDialog(head, from)
}

// A G.711-only baresip: our wideband-first offer falls back to PCMU, and media flows.
func TestBaresipFallsBackToG711(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test with baresip")
	}
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	sipPort, _, _, _ := startWidebandBaresip(t, "PCMU")
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer conn.Close()
	s := widebandSession(t, &recSink{})
	uac := &miniUAC{conn: conn, target: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sipPort},
		callID: fmt.Sprintf("nb%d", time.Now().UnixNano()), fromTag: "n1"}
	offer, err := s.Offer()
	require.NoError(t, err)
	assert.Contains(t, string(offer), " 111 9 8 0 ", "wideband offered first")
	code, answer := uac.invite(t, offer)
	require.Equal(t, 200, code)
	require.NoError(t, s.SetAnswer(answer))
	name, rate := s.Codec()
	assert.Equal(t, "PCMU", name)
	assert.Equal(t, 8000, rate)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().PacketsReceived < 25 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	uac.bye()
	cancel()
	require.NoError(t, <-done)
	assert.GreaterOrEqual(t, s.Stats().PacketsReceived, uint64(25))
}

// uasDialog is the dialog of a call we answered, enough to send a re-INVITE in it.
type uasDialog struct {
	peer             *net.UDPAddr
	from, to, callID string // header values of the peer's INVITE
	remoteURI        string // the peer's Contact URI
	cseq             int
}

var contactRe = regexp.MustCompile(`<([^>]+)>`)

func newUASDialog(head string, peer *net.UDPAddr) *uasDialog {
	d := &uasDialog{peer: peer, cseq: 100}
	for _, line := range strings.Split(head, "\r\n")[1:] {
		name, val, _ := strings.Cut(line, ":")
		val = strings.TrimSpace(val)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "from", "f":
			d.from = val
		case "to", "t":
			d.to = val
		case "call-id", "i":
			d.callID = val
		case "contact", "m":
			if m := contactRe.FindStringSubmatch(val); m != nil {
				d.remoteURI = m[1]
			}
		}
	}
	return d
}

// reinvite sends a re-INVITE with offer in the dialog, ACKs the final answer and returns its SDP.
func (d *uasDialog) reinvite(t *testing.T, conn *net.UDPConn, offer []byte) []byte {
	t.Helper()
	d.cseq++
	local := conn.LocalAddr().String()
	req := func(method string, body []byte) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, d.remoteURI)
		fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bKre%d%s;rport\r\n", local, d.cseq, method)
		b.WriteString("Max-Forwards: 70\r\n")
		fmt.Fprintf(&b, "From: %s;tag=uas1\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n", d.to, d.from, d.callID, d.cseq, method)
		fmt.Fprintf(&b, "Contact: <sip:agent@%s>\r\n", local)
		if len(body) > 0 {
			b.WriteString("Content-Type: application/sdp\r\n")
		}
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
		return b.String()
	}
	_, err := conn.WriteToUDP([]byte(req("INVITE", offer)), d.peer)
	require.NoError(t, err)
	want := fmt.Sprintf("CSeq: %d INVITE", d.cseq)
	buf := make([]byte, 65535)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_ = conn.SetReadDeadline(time.Now().Add(time.Second))
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			continue
		}
		msg := string(buf[:n])
		var code int
		if _, err := fmt.Sscanf(msg, "SIP/2.0 %d", &code); err != nil || !strings.Contains(msg, want) || code < 200 {
			continue
		}
		_, _ = conn.WriteToUDP([]byte(req("ACK", nil)), d.peer)
		require.Equal(t, 200, code, "re-INVITE answered")
		_, body, _ := strings.Cut(msg, "\r\n\r\n")
		return []byte(body)
	}
	t.Fatal("no final response to the re-INVITE")
	return nil
}
