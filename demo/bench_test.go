package demo

import (
	"context"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// benchPBXAndPhone starts a PBX and a phone for a benchmark.
func benchPBXAndPhone(b *testing.B) (*PBX, *phone) {
	p, err := Start(context.Background(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	return p, newPhone(b, p, "1001", DefaultAgentPassword, p.CAPool())
}

// BenchmarkRegister measures REGISTER → 401 → REGISTER with digest → 200 on a warm TLS flow.
func BenchmarkRegister(b *testing.B) {
	_, ph := benchPBXAndPhone(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := ph.register(ctx, 300)
		if err != nil || res.StatusCode != sip.StatusOK {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkEchoCall measures INVITE → 407 → INVITE → 200 → ACK → BYE → 200 to the echo extension.
func BenchmarkEchoCall(b *testing.B) {
	p, ph := benchPBXAndPhone(b)
	ctx := context.Background()
	st, err := newStream(p.log, modeEcho, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.close()
	offer := st.offer()
	b.ResetTimer()
	for b.Loop() {
		d, err := ph.dial(ctx, "echo", offer)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Bye(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
