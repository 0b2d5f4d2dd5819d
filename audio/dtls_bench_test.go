package audio

import (
	"context"
	"testing"
	"time"

	"softphone/audio/sdp"
)

// BenchmarkTimeToFirstAudio measures, for SDES (the reference) and DTLS-SRTP in the same run,
// the time from starting two negotiated sessions until the answerer has received its first
// audio packet: what DTLS adds to call setup (certificate, handshake on the media path). It
// reports ms-to-audio per call setup.
func BenchmarkTimeToFirstAudio(b *testing.B) {
	for _, kx := range []sdp.KeyExchange{sdp.KeyExchangeSDES, sdp.KeyExchangeDTLS} {
		b.Run(kx.String(), func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				total += firstAudio(b, kx)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-to-audio")
		})
	}
}

func firstAudio(b *testing.B, kx sdp.KeyExchange) time.Duration {
	b.Helper()
	start := time.Now()
	mk := func() *Session {
		s, err := NewSession(Config{LocalIP: loopback, RequireSRTP: true, KeyExchange: kx})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	a, c := mk(), mk()
	defer a.Close()
	defer c.Close()
	offer, err := a.Offer()
	if err != nil {
		b.Fatal(err)
	}
	answer, err := c.Answer(offer)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.SetAnswer(answer); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = a.Run(ctx); done <- struct{}{} }()
	go func() { _ = c.Run(ctx); done <- struct{}{} }()
	for c.Stats().PacketsReceived == 0 {
		if time.Since(start) > 10*time.Second {
			b.Fatal("no audio")
		}
		time.Sleep(time.Millisecond)
	}
	took := time.Since(start)
	cancel()
	<-done
	<-done
	return took
}
