package audio_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/audio"
	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// syncBuffer is a goroutine-safe log sink for the child process.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type recSink struct {
	mu  sync.Mutex
	pcm []int16
}

func (r *recSink) Write(f []int16) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pcm = append(r.pcm, f...)
	return nil
}

func (r *recSink) last(n int) []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pcm) < n {
		return nil
	}
	return append([]int16(nil), r.pcm[len(r.pcm)-n:]...)
}

// startBaresip runs baresip as an auto-answering phone that plays a 1000 Hz sine and insists on SRTP.
func startBaresip(t *testing.T) (sipPort int, log *syncBuffer) {
	sipPort, _, log = startBaresipCtrl(t)
	return sipPort, log
}

// startBaresipCtrl is startBaresip with the ctrl_tcp control port, to make baresip dial.
// A free port can be taken by another process before baresip binds it (baresip also
// binds TCP and TLS on the SIP port): then it starts again on new ports.
func startBaresipCtrl(t *testing.T) (sipPort, ctrlPort int, log *syncBuffer) {
	t.Helper()
	bin, err := exec.LookPath("baresip")
	if err != nil {
		t.Skip("baresip is not installed (apt-get install baresip-core)")
	}
	for attempt := 1; ; attempt++ {
		var ready bool
		sipPort, ctrlPort, log, ready = startBaresipOnce(t, bin)
		if ready || attempt == 3 || !strings.Contains(log.String(), "Address already in use") {
			return sipPort, ctrlPort, log
		}
		t.Logf("baresip: a port was taken before it bound it; starting again (attempt %d)", attempt+1)
	}
}

func startBaresipOnce(t *testing.T, bin string) (sipPort, ctrlPort int, log *syncBuffer, ready bool) {
	dir := t.TempDir()
	sipPort = testpeer.FreePortPair(t) // baresip also binds SIP-TLS on the port after it
	ctrlPort = testpeer.FreePort(t)
	cfg := fmt.Sprintf(`poll_method epoll
ctrl_tcp_listen 127.0.0.1:%d
sip_listen 127.0.0.1:%d
net_interface 127.0.0.1
audio_source ausine,1000
ausrc_srate 48000
ausrc_channels 2
rtp_ports 40000-49998
module_path /usr/lib/baresip/modules
module g711.so
module ausine.so
module srtp.so
module_app account.so
module_app menu.so
module_app ctrl_tcp.so
`, ctrlPort, sipPort)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600))
	acc := fmt.Sprintf("<sip:peer@127.0.0.1:%d>;regint=0;mediaenc=srtp-mand;answermode=auto\n", sipPort)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts"), []byte(acc), 0o600))
	log = &syncBuffer{}
	cmd := exec.Command("stdbuf", "-oL", bin, "-v", "-f", dir)
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("baresip log:\n%s", log.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(log.String(), "baresip is ready") {
			return sipPort, ctrlPort, log, true
		}
		select {
		case <-exited:
			return sipPort, ctrlPort, log, false
		case <-time.After(50 * time.Millisecond):
		}
	}
	return sipPort, ctrlPort, log, false
}

// miniUAC is just enough SIP over UDP to place one call to baresip: INVITE, ACK, BYE.
type miniUAC struct {
	conn    *net.UDPConn
	target  *net.UDPAddr
	callID  string
	fromTag string
	toHdr   string
}

func (u *miniUAC) request(method string, cseq int, body []byte, to string) string {
	local := u.conn.LocalAddr().String()
	var b strings.Builder
	fmt.Fprintf(&b, "%s sip:peer@%s SIP/2.0\r\n", method, u.target)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s%d%s;rport\r\n", local, u.callID, cseq, method)
	b.WriteString("Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: <sip:tester@%s>;tag=%s\r\n", local, u.fromTag)
	fmt.Fprintf(&b, "To: %s\r\n", to)
	fmt.Fprintf(&b, "Call-ID: %s\r\n", u.callID)
	fmt.Fprintf(&b, "CSeq: %d %s\r\n", cseq, method)
	fmt.Fprintf(&b, "Contact: <sip:tester@%s>\r\n", local)
	if len(body) > 0 {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	return b.String()
}

// baresip logs each in-band (RFC 4733) event at its start and at its end.
var dtmfRe = regexp.MustCompile(`received event: '(.)' \(end=0\)`)

var toRe = regexp.MustCompile(`(?mi)^(?:To|t):\s*(.*?)\r?$`)

// invite sends an INVITE and returns the 200 OK's SDP (or the final status on failure).
// callUA sends s's offer from conn to the SIP UA listening on port (loopback) and applies its
// 200 OK answer; who names the UA in the failure message.
func callUA(t *testing.T, conn *net.UDPConn, port int, s *audio.Session, callID, fromTag, who string) *miniUAC {
	t.Helper()
	uac := &miniUAC{conn: conn, target: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, callID: callID, fromTag: fromTag}
	offer, err := s.Offer()
	require.NoError(t, err)
	code, answer := uac.invite(t, offer)
	require.Equal(t, 200, code, who+" answers")
	require.NoError(t, s.SetAnswer(answer))
	return uac
}

func (u *miniUAC) invite(t *testing.T, offer []byte) (int, []byte) {
	t.Helper()
	to := fmt.Sprintf("<sip:peer@%s>", u.target)
	_, err := u.conn.WriteToUDP([]byte(u.request("INVITE", 1, offer, to)), u.target)
	require.NoError(t, err)
	buf := make([]byte, 65535)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		_ = u.conn.SetReadDeadline(time.Now().Add(time.Second))
		n, _, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			continue
		}
		msg := string(buf[:n])
		var code int
		if _, err := fmt.Sscanf(msg, "SIP/2.0 %d", &code); err != nil || !strings.Contains(msg, "CSeq: 1 INVITE") {
			continue
		}
		if code < 200 {
			continue
		}
		if m := toRe.FindStringSubmatch(msg); m != nil {
			u.toHdr = m[1]
		}
		ack := u.request("ACK", 1, nil, u.toHdr)
		_, _ = u.conn.WriteToUDP([]byte(ack), u.target)
		_, body, _ := strings.Cut(msg, "\r\n\r\n")
		return code, []byte(body)
	}
	t.Fatal("no final response to INVITE")
	return 0, nil
}

func (u *miniUAC) bye() {
	_, _ = u.conn.WriteToUDP([]byte(u.request("BYE", 2, nil, u.toHdr)), u.target)
}

// TestBaresipInterop calls a real baresip over SIP/UDP with SRTP and checks that its 1000 Hz sine
// arrives through our SRTP receive path and that baresip decrypts what we send.
func TestBaresipInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test with baresip")
	}
	for _, suite := range []string{audio.SuiteAEADAES128GCM, audio.SuiteAESCM128HMACSHA180} {
		t.Run(suite, func(t *testing.T) {
			// Registered first, so it runs after baresip is stopped by its own cleanup.
			t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
			port, blog := startBaresip(t)
			conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			require.NoError(t, err)
			defer conn.Close()
			uac := &miniUAC{conn: conn, target: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port},
				callID: fmt.Sprintf("interop%d", time.Now().UnixNano()), fromTag: "t1"}

			sink := &recSink{}
			s, err := audio.NewSession(audio.Config{
				LocalIP: netip127, RequireSRTP: true, Suites: []string{suite},
				Source: tone.NewSine(600, 8000, audio.SampleRate), Sink: sink,
				Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			require.NoError(t, err)
			defer s.Close()
			offer, err := s.Offer()
			require.NoError(t, err)
			code, answer := uac.invite(t, offer)
			require.Equal(t, 200, code, "baresip answer")
			require.NoError(t, s.SetAnswer(answer))
			got, _ := s.Negotiated()
			assert.Equal(t, suite, got)

			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			deadline := time.Now().Add(15 * time.Second)
			var f float64
			for time.Now().Before(deadline) {
				if pcm := sink.last(audio.SampleRate / 2); pcm != nil && tone.RMS(pcm) > 300 {
					if f = tone.DominantFrequency(pcm, audio.SampleRate); f > 990 && f < 1010 {
						break
					}
				}
				time.Sleep(100 * time.Millisecond)
			}
			assert.InDelta(t, 1000, f, 10, "baresip's tone arrives")
			st := s.Stats()
			assert.Zero(t, st.SRTPFailures)
			assert.Positive(t, st.PacketsReceived)
			// RFC 4733 DTMF into baresip: each digit logged once.
			require.NoError(t, s.SendDTMF("123#"))
			deadline = time.Now().Add(10 * time.Second)
			for len(dtmfRe.FindAllString(blog.String(), -1)) < 4 && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond)
			var digits []string
			for _, m := range dtmfRe.FindAllStringSubmatch(blog.String(), -1) {
				digits = append(digits, m[1])
			}
			assert.Equal(t, []string{"1", "2", "3", "#"}, digits)
			uac.bye()
			cancel()
			require.NoError(t, <-done)
			require.NoError(t, s.Close())
			logText := blog.String()
			assert.Contains(t, logText, "cryptosuite="+suite)
			assert.NotContains(t, logText, "failed to decrypt RTP packet", "baresip decrypts our SRTP")
		})
	}
}

var netip127 = netip.MustParseAddr("127.0.0.1")

// TestBaresipCallsUs has baresip place the call: its real offer (four crypto suites, PCMU first)
// goes through our answer path, and its tone must arrive.
func TestBaresipCallsUs(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test with baresip")
	}
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	_, ctrlPort, blog := startBaresipCtrl(t)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer conn.Close()

	sink := &recSink{}
	s, err := audio.NewSession(audio.Config{LocalIP: netip127, RequireSRTP: true, Sink: sink,
		Source: tone.NewSine(600, 8000, audio.SampleRate)})
	require.NoError(t, err)
	defer s.Close()

	// Ask baresip to dial us (ctrl_tcp speaks netstring-framed JSON).
	var ctrl net.Conn
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ctrl, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ctrlPort)); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, err)
	defer ctrl.Close()
	cmd := fmt.Sprintf(`{"command":"dial","params":"sip:agent@%s","token":"1"}`, conn.LocalAddr())
	_, err = fmt.Fprintf(ctrl, "%d:%s,", len(cmd), cmd)
	require.NoError(t, err)

	// Minimal UAS: answer the INVITE with our SDP.
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
	suite, codecName := s.Negotiated()
	// baresip 1.0.0 offers only AES_CM_128_HMAC_SHA1_80 (it answers GCM when offered, see above).
	assert.Equal(t, audio.SuiteAESCM128HMACSHA180, suite)
	assert.Equal(t, "PCMU", codecName, "baresip's first codec")

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

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var f float64
	deadline = time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if pcm := sink.last(audio.SampleRate / 2); pcm != nil && tone.RMS(pcm) > 300 {
			if f = tone.DominantFrequency(pcm, audio.SampleRate); f > 990 && f < 1010 {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	assert.InDelta(t, 1000, f, 10, "baresip's tone arrives")
	assert.Zero(t, s.Stats().SRTPFailures)
	cancel()
	require.NoError(t, <-done)
	require.NoError(t, s.Close())
	assert.Contains(t, blog.String(), "cryptosuite=AES_CM_128_HMAC_SHA1_80")
	assert.NotContains(t, blog.String(), "failed to decrypt RTP packet")
}
