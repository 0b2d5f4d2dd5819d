package demo

import (
	"bufio"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawExchange sends msg over a fresh TLS connection and returns the status
// line of the first response ("" if the connection closed without one).
func rawExchange(t *testing.T, p *PBX, msg string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", p.Addr(), &tls.Config{RootCAs: p.CAPool(), ServerName: "localhost"})
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(3*time.Second)))
	_, err = conn.Write([]byte(msg))
	require.NoError(t, err)
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSpace(line)
}

func TestMalformedRequests(t *testing.T) {
	p := startPBX(t, Config{})
	tests := []struct {
		name string
		msg  string
		want string // status line prefix; "" = connection closed without answer
	}{
		{"missing Call-ID", "INVITE sip:echo@localhost SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-1\r\n" +
			"From: <sip:1001@localhost>;tag=a\r\nTo: <sip:echo@localhost>\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			"SIP/2.0 400"},
		{"CSeq method mismatch", "REGISTER sip:localhost SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-2\r\n" +
			"From: <sip:1001@localhost>;tag=a\r\nTo: <sip:1001@localhost>\r\nCall-ID: x1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			"SIP/2.0 400"},
		{"garbage credentials", "REGISTER sip:localhost SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-3\r\n" +
			"From: <sip:1001@localhost>;tag=a\r\nTo: <sip:1001@localhost>\r\nCall-ID: x2\r\nCSeq: 1 REGISTER\r\nMax-Forwards: 70\r\n" +
			"Authorization: Digest username=\"1001\", realm=\"localhost\", nonce=\"AAAA\", uri=\"sip:localhost\", response=\"00\", qop=auth, nc=zz, cnonce=\"c\"\r\n" +
			"Contact: <sip:1001@127.0.0.1:9;transport=tls>\r\nContent-Length: 0\r\n\r\n",
			"SIP/2.0 400"},
		{"forged nonce", "REGISTER sip:localhost SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-4\r\n" +
			"From: <sip:1001@localhost>;tag=a\r\nTo: <sip:1001@localhost>\r\nCall-ID: x3\r\nCSeq: 1 REGISTER\r\nMax-Forwards: 70\r\n" +
			"Authorization: Digest username=\"1001\", realm=\"localhost\", nonce=\"AAAA\", uri=\"sip:localhost\", response=\"00\", qop=auth, nc=00000001, cnonce=\"c\"\r\n" +
			"Contact: <sip:1001@127.0.0.1:9;transport=tls>\r\nContent-Length: 0\r\n\r\n",
			"SIP/2.0 401"},
		{"unknown method", "PUBLISH sip:localhost SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-5\r\n" +
			"From: <sip:1001@localhost>;tag=a\r\nTo: <sip:1001@localhost>\r\nCall-ID: x4\r\nCSeq: 1 PUBLISH\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			"SIP/2.0 405"},
		{"BYE outside a call", "BYE sip:echo@localhost SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-6\r\n" +
			"From: <sip:1001@localhost>;tag=a\r\nTo: <sip:echo@localhost>;tag=b\r\nCall-ID: x5\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			"SIP/2.0 481"},
		{"not SIP at all", "HELLO\r\n\r\n", ""},
		{"binary junk", "\x16\x03\x01\x00\xff\x00\x00garbage\r\n\r\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := rawExchange(t, p, tc.msg)
			if tc.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.True(t, strings.HasPrefix(got, tc.want), "got %q, want %q", got, tc.want)
		})
	}

	// The PBX still works.
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	ph.mustRegister(testCtx(t))
}

func TestHoldReInvite(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	ph.mustRegister(ctx)

	// The agent answers the customer with a stream it can re-offer from.
	agentStream, err := newStream(testLogger(t), modeEcho, nil)
	require.NoError(t, err)
	var got pcmCollector
	agentStream.onAudio = got.add
	answered := make(chan *sipgo.DialogServerSession, 1)
	ph.setOnCall(func(req *sip.Request, tx sip.ServerTransaction) {
		d, err := ph.dua.ReadInvite(req, tx)
		if !assert.NoError(t, err) {
			return
		}
		answer, err := agentStream.answer(req.Body())
		if !assert.NoError(t, err) {
			return
		}
		ph.mu.Lock()
		ph.dialogs[req.CallID().Value()] = d
		ph.mu.Unlock()
		answered <- d
		_ = d.RespondSDP(answer)
	})
	runStream(t, agentStream)
	require.NoError(t, p.CallAgent(ctx, 0))
	d := <-answered
	require.Eventually(t, func() bool { return agentStream.packetsIn.Load() > 5 }, 5*time.Second, 10*time.Millisecond)

	reinvite := func(dir direction) []byte {
		agentStream.mu.Lock()
		local := agentStream.local
		agentStream.mu.Unlock()
		offer := buildSDP(sdpParams{sessionID: 1, version: uint64(2 + dir), addr: agentStream.localAddr(),
			payloads: []uint8{ptPCMU, ptPCMA}, eventPT: -1, crypto: []cryptoAttr{local}, dir: dir})
		req := sip.NewRequest(sip.INVITE, d.InviteRequest.Contact().Address)
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(offer)
		res, err := d.Do(ctx, req)
		require.NoError(t, err)
		require.Equal(t, sip.StatusOK, res.StatusCode)
		ack := sip.NewRequest(sip.ACK, d.InviteRequest.Contact().Address)
		require.NoError(t, d.WriteRequest(ack))
		return res.Body()
	}

	// Hold: the customer must answer recvonly and fall silent.
	answer := reinvite(dirSendOnly)
	assert.Contains(t, string(answer), "a=recvonly")
	time.Sleep(100 * time.Millisecond) // packets in flight
	before := agentStream.packetsIn.Load()
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, before, agentStream.packetsIn.Load(), "no audio while on hold")

	// Resume: audio again.
	answer = reinvite(dirSendRecv)
	assert.Contains(t, string(answer), "a=sendrecv")
	require.Eventually(t, func() bool { return agentStream.packetsIn.Load() > before+5 }, 5*time.Second, 10*time.Millisecond)

	require.NoError(t, d.Bye(ctx))
	require.Eventually(t, func() bool { return p.ActiveCalls() == 0 }, 5*time.Second, 10*time.Millisecond)
}

func TestDisplayName(t *testing.T) {
	tests := map[string]string{
		"Erika Mustermann (Demo)": "Erika Mustermann (Demo)",
		`Evil" <sip:x@y>`:         "Evil <sip:x@y>",
		"a\\b\r\nc":               "abc",
		"Jürgen":                  "Jürgen",
	}
	for in, want := range tests {
		assert.Equal(t, want, displayName(in), in)
	}
}
