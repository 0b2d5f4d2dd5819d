package sip_test

import (
	"context"
	"testing"
	"time"

	"softphone/internal/testpeer"
	"softphone/sip"
)

// BenchmarkRegisterTLS measures New → Register (TLS handshake, 401
// challenge, authenticated REGISTER) → Close (un-REGISTER) against a real
// Kamailio.
func BenchmarkRegisterTLS(b *testing.B) {
	k := testpeer.StartKamailio(b, map[string]string{"alice": "alice-pw"})
	cfg := uaConfig(b, k, "alice", "alice-pw")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ua, err := sip.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := ua.Register(ctx); err != nil {
			b.Fatal(err)
		}
		cancel()
		if err := ua.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDialAnswerBaresip measures INVITE (with 407 challenge) → 200 OK
// → ACK to an auto-answering baresip with SRTP, plus the BYE.
func BenchmarkDialAnswerBaresip(b *testing.B) {
	k := testpeer.StartKamailio(b, map[string]string{"alice": "alice-pw", "bob": "bob-pw"})
	bob := testpeer.StartBaresip(b, k, "bob", "bob-pw", testpeer.BaresipOptions{AutoAnswer: true})
	alice := register(b, k, "alice", "alice-pw")
	offer := testOffer(b, rtpPort(b), "sendrecv")
	ctx := context.Background()
	var answer time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		d, err := alice.Dial(ctx, "sip:bob@"+k.Domain, offer, nil)
		if err != nil {
			b.Fatal(err)
		}
		answer += time.Since(start)
		bob.WaitEvent(b, "CALL_ESTABLISHED", 5*time.Second)
		if err := d.Bye(ctx); err != nil {
			b.Fatal(err)
		}
		bob.WaitEvent(b, "CALL_CLOSED", 5*time.Second)
	}
	b.ReportMetric(float64(answer.Microseconds())/float64(b.N)/1000, "invite-to-answer-ms")
}

// BenchmarkDialAnswerUA is BenchmarkDialAnswerBaresip with one of our UAs
// answering at once, to separate our cost from baresip's answer delay.
func BenchmarkDialAnswerUA(b *testing.B) {
	k := testpeer.StartKamailio(b, map[string]string{"alice": "alice-pw", "dave": "dave-pw"})
	alice := register(b, k, "alice", "alice-pw")
	dave := register(b, k, "dave", "dave-pw")
	ctx := context.Background()
	answerSDP := make(chan []byte, 1)
	dave.OnInvite(func(in *sip.Incoming) {
		go func() { _, _ = in.Answer(ctx, <-answerSDP) }()
	})
	offer := testOffer(b, rtpPort(b), "sendrecv")
	ans := testAnswer(b, offer, rtpPort(b))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		answerSDP <- ans
		d, err := alice.Dial(ctx, "sip:dave@"+k.Domain, offer, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Bye(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
