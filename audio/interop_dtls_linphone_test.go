package audio_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/audio"
	"softphone/audio/sdp"
	"softphone/audio/tone"
)

// TestLinphoneDTLS calls linphone (media_encryption=dtls, mandatory), a second DTLS stack besides
// baresip's OpenSSL one (mbedTLS through bctoolbox), with a DTLS-SRTP offer: linphone answers
// active, verifies our fingerprint, and audio flows both ways. Two limits of linphone 4.4 on this
// machine are not tested here (see docs/ARCHITECTURE.md): it answers our "both" offer (RTP/SAVP
// with a=crypto and a=fingerprint) with an error when DTLS is mandatory for it, and as the DTLS
// server (when it calls us and we answer active, RFC 5763 section 5) it fails to fingerprint our
// ECDSA client certificate ("unable to compute peer certificate fingerprint").
func TestLinphoneDTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test with linphonec")
	}
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	lp := startLinphoneEnc(t, []lpCodec{{"PCMU", 8000, 1, true}, {"PCMA", 8000, 1, true}}, "dtls")
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer conn.Close()
	sink := &recSink{}
	secured := make(chan struct{}, 1)
	s, err := audio.NewSession(audio.Config{LocalIP: netip127, RequireSRTP: true, KeyExchange: sdp.KeyExchangeDTLS,
		Codecs: []string{"PCMU", "PCMA"}, Source: tone.NewSine(600, 8000, audio.SampleRate), Sink: sink,
		OnSecured: func() { secured <- struct{}{} }})
	require.NoError(t, err)
	defer s.Close()
	uac := callUA(t, conn, lp.port, s, fmt.Sprintf("lpd%d", time.Now().UnixNano()), "d1", "linphone")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-secured:
	case err := <-done:
		t.Fatalf("media ended before DTLS keys: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("no DTLS keys")
	}
	k, ready := s.Keying()
	assert.Equal(t, audio.KeyingDTLS, k)
	assert.True(t, ready)
	suite, _ := s.Negotiated()
	t.Logf("keyed by DTLS-SRTP: %s", suite)
	time.Sleep(time.Second)
	// linphone sends a 20-byte packet every 500 ms that is not SRTP (a keep-alive): those count
	// as SRTP failures; its audio must not.
	before := s.Stats()
	time.Sleep(2 * time.Second)
	st := s.Stats()
	uac.bye()
	lp.waitLog(t, "ended", 10*time.Second)
	cancel()
	require.NoError(t, <-done)
	assert.Greater(t, rmsOf(sink.last(audio.SampleRate/2)), 1000.0, "we hear linphone")
	assert.Greater(t, st.PacketsReceived, before.PacketsReceived+50)
	assert.LessOrEqual(t, st.SRTPFailures-before.SRTPFailures, uint64(5), "only linphone's keep-alives fail")
	pcm, prate := lp.recorded(t)
	require.Greater(t, len(pcm), prate/2, "linphone recorded at least half a second")
	assert.InDelta(t, 600, tone.DominantFrequency(pcm[len(pcm)/2:], prate), 15, "linphone hears our tone")
	assert.NotContains(t, lp.log.String(), "fingerprints differ")
}
