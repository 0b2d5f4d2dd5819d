package auth

import (
	"context"
	"testing"
	"time"
)

// BenchmarkLoginVerify measures one password verification at the production
// cost (DefaultHashParams: argon2id t=3, m=96 MiB, p=2). Target 100–300 ms.
func BenchmarkLoginVerify(b *testing.B) {
	enc, err := hashPassword("benchmark password", DefaultHashParams)
	if err != nil {
		b.Fatal(err)
	}
	h, err := parseHash(enc)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if !h.verify("benchmark password") {
			b.Fatal("no match")
		}
	}
}

// BenchmarkLoginFull is a whole Login (password + TOTP + profile write) at
// the production cost with the file vault, whose key derivation costs a
// second argon2id run.
func BenchmarkLoginFull(b *testing.B) {
	dir := b.TempDir()
	clk := newFakeClock()
	v, err := NewFileVault(dir)
	if err != nil {
		b.Fatal(err)
	}
	svc, err := New(Config{Dir: dir, Vault: v, Auditor: &memAuditor{}}, WithClock(clk.Now), WithSleep(clk.Sleep))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const pw = "benchmark password"
	if err := svc.AddProfile(ctx, nil, "bench", RoleAdmin, pw); err != nil {
		b.Fatal(err)
	}
	enr, err := svc.BeginEnrolment(ctx, "bench", pw)
	if err != nil {
		b.Fatal(err)
	}
	code := func() string {
		c, _ := totpCodeAt(enr.Secret, totpStep(clk.Now()), totpDefault)
		return c
	}
	if _, err := svc.CompleteEnrolment(ctx, "bench", pw, code()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		clk.Advance(totpPeriod * time.Second)
		if _, err := svc.Login(ctx, "bench", pw, code()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDefaultCostInBudget guards the cost choice from below: a verification
// at the production parameters must not be cheap against offline guessing.
// How long a login takes is BenchmarkLogin's figure, not a timed test (a
// loaded machine would make an upper bound flaky). Skipped in -short mode.
func TestDefaultCostInBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test skipped in -short mode")
	}
	enc, err := hashPassword("x", DefaultHashParams)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := parseHash(enc)
	best := time.Hour
	for range 3 {
		start := time.Now()
		h.verify("x")
		best = min(best, time.Since(start))
	}
	t.Logf("argon2id t=%d m=%d KiB p=%d: %s per verification", DefaultHashParams.Time, DefaultHashParams.MemoryKiB, DefaultHashParams.Threads, best)
	if best < 50*time.Millisecond {
		t.Errorf("verification takes %s: too cheap against offline guessing, raise DefaultHashParams", best)
	}
}
