package crm

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// fakeDir is a Directory with canned answers and an optional delay.
type fakeDir struct {
	mu       sync.Mutex
	byNumber map[string][]Contact
	byID     map[string]Contact
	err      error
	delay    time.Duration
	calls    int
	wrapups  []WrapUp
}

func (d *fakeDir) LookupNumber(ctx context.Context, e164 string) ([]Contact, error) {
	d.mu.Lock()
	d.calls++
	delay, err, cs := d.delay, d.err, d.byNumber[e164]
	d.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return cs, err
}

func (d *fakeDir) LookupCustomer(ctx context.Context, id string) (Contact, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.byID[id]
	if !ok {
		return Contact{}, ErrNotFound
	}
	return c, nil
}

func (d *fakeDir) WriteWrapUp(ctx context.Context, w WrapUp) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err
	}
	d.wrapups = append(d.wrapups, w)
	return nil
}

// fakeAuditor records entries.
type fakeAuditor struct {
	mu      sync.Mutex
	entries []auditEntry
	err     error
}

type auditEntry struct {
	action, actor string
	attrs         map[string]string
}

func (a *fakeAuditor) Record(action, actor string, attrs map[string]string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	a.entries = append(a.entries, auditEntry{action, actor, attrs})
	return nil
}

// fakeClock fires timers only when the test says so.
type fakeClock struct {
	mu     sync.Mutex
	timers []*fakeTimer
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { was := !t.stopped; t.stopped = true; return was }

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{d: d, f: f}
	c.timers = append(c.timers, t)
	return t
}

// fire runs every timer that was not stopped.
func (c *fakeClock) fire() {
	c.mu.Lock()
	ts := c.timers
	c.timers = nil
	c.mu.Unlock()
	for _, t := range ts {
		if !t.stopped {
			t.f()
		}
	}
}

// recorder collects events.
type recorder struct {
	mu  sync.Mutex
	evs []Event
	ch  chan Event
}

func newRecorder() *recorder { return &recorder{ch: make(chan Event, 100)} }

func (r *recorder) on(ev Event) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
	r.ch <- ev
}

// waitFor returns the next event matching pred.
func (r *recorder) waitFor(t *testing.T, pred func(Event) bool) Event {
	t.Helper()
	timeout := time.After(3 * time.Second)
	for {
		select {
		case ev := <-r.ch:
			if pred(ev) {
				return ev
			}
		case <-timeout:
			t.Fatal("timed out waiting for event")
		}
	}
}

func isState(s State) func(Event) bool {
	return func(ev Event) bool { return ev.Kind == EventState && ev.State == s }
}

func isKind(k EventKind) func(Event) bool { return func(ev Event) bool { return ev.Kind == k } }

type fixture struct {
	dir   *fakeDir
	aud   *fakeAuditor
	clock *fakeClock
	rec   *recorder
	l     *Lookup
}

func newFixture(t *testing.T, mod func(*LookupConfig)) *fixture {
	t.Helper()
	a := sampleContact()
	b := Contact{CustomerID: "C2", Name: "Second", Phones: []string{"+4920180900"}, Consent: ConsentGiven}
	fx := &fixture{
		dir: &fakeDir{
			byNumber: map[string][]Contact{"+4920180900": {a, b}, "+491701234567": {a}},
			byID:     map[string]Contact{"C1001": a, "C2": b},
		},
		aud:   &fakeAuditor{},
		clock: &fakeClock{},
		rec:   newRecorder(),
	}
	cfg := LookupConfig{
		Directory: fx.dir, Policy: DefaultPolicy(), Region: "DE", Auditor: fx.aud,
		PseudonymKey: []byte("test-key"), CallID: "call-1", OnEvent: fx.rec.on,
		Timeout: 200 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	cfg.Scheduler = fx.clock
	fx.l = NewLookup(cfg)
	t.Cleanup(func() { fx.l.Close() })
	return fx
}

func TestLookupSingleMatch(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := newFixture(t, nil)
	fx.l.Start(context.Background(), "0170 1234567")
	ev := fx.rec.waitFor(t, isState(StateFound))
	require.NotNil(t, ev.Card)
	assert.Equal(t, "C1001", ev.Card.CustomerID)
	ev = fx.rec.waitFor(t, isKind(EventConsent))
	assert.Equal(t, ConsentRefused, ev.Consent)
	ev = fx.rec.waitFor(t, isKind(EventPayment))
	assert.True(t, ev.PaymentInProgress)

	// Cached for the call: the same number (another spelling) does not ask again.
	fx.l.Start(context.Background(), "+49 170 1234567")
	fx.rec.waitFor(t, isState(StateFound))
	assert.Equal(t, 1, fx.dir.calls)

	require.NoError(t, fx.l.Close())
	fx.rec.waitFor(t, isState(StateClosed))
	require.NoError(t, fx.l.Close(), "idempotent")
}

func TestLookupSeveralMatchesAgentPicks(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := newFixture(t, nil)
	fx.l.Start(context.Background(), "0201 80900")
	ev := fx.rec.waitFor(t, isState(StateChoosing))
	require.Len(t, ev.Matches, 2)
	assert.Equal(t, "C1001", ev.Matches[0].CustomerID)
	assert.Equal(t, "C2", ev.Matches[1].CustomerID)
	_, err := fx.l.Reveal("email", "verify", "agent7", true)
	assert.ErrorIs(t, err, ErrNoCard, "nothing to reveal before the agent picks")

	card, err := fx.l.Select("C2")
	require.NoError(t, err)
	assert.Equal(t, "Second", card.Name)
	ev = fx.rec.waitFor(t, isKind(EventConsent))
	assert.Equal(t, ConsentGiven, ev.Consent)
	_, err = fx.l.Select("nope")
	assert.ErrorIs(t, err, ErrNoCard)
	st, c, _, _ := fx.l.Snapshot()
	assert.Equal(t, StateFound, st)
	assert.Equal(t, "C2", c.CustomerID)
	fx.l.Close()
}

func TestLookupSlowCRMNeverBlocks(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := newFixture(t, nil)
	fx.dir.delay = 10 * time.Second
	t0 := time.Now()
	fx.l.Start(context.Background(), "0201 80900")
	assert.Less(t, time.Since(t0), 100*time.Millisecond, "Start returns at once")
	ev := fx.rec.waitFor(t, isState(StateUnavailable))
	took := time.Since(t0)
	assert.ErrorIs(t, ev.Err, ErrUnavailable)
	assert.Equal(t, "CRM unavailable: no answer in time", ev.Err.Error())
	assert.Less(t, took, 2*time.Second, "times out at the configured 200 ms, not after the 10 s the CRM takes")
	assert.GreaterOrEqual(t, took, 150*time.Millisecond)
	fx.l.Close()
}

func TestLookupCRMDown(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, tt := range []struct {
		err  error
		want error
	}{
		{errors.New("connection refused"), ErrUnavailable},
		{ErrUnauthorized, ErrUnauthorized},
	} {
		fx := newFixture(t, nil)
		fx.dir.err = tt.err
		fx.l.Start(context.Background(), "0201 80900")
		ev := fx.rec.waitFor(t, isState(StateUnavailable))
		assert.ErrorIs(t, ev.Err, tt.want)
		fx.l.Close()
	}
}

func TestLookupBadOrUnknownNumber(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := newFixture(t, nil)
	fx.l.Start(context.Background(), "anonymous")
	fx.rec.waitFor(t, isState(StateNotFound))
	assert.Equal(t, 0, fx.dir.calls)
	fx.l.Start(context.Background(), "+49 30 1234567")
	fx.rec.waitFor(t, isState(StateNotFound))
	fx.l.Close()
}

func TestLookupCloseDuringLookup(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := newFixture(t, func(c *LookupConfig) { c.Timeout = 10 * time.Second })
	fx.dir.delay = 10 * time.Second
	fx.l.Start(context.Background(), "0201 80900")
	fx.rec.waitFor(t, isState(StateSearching))
	t0 := time.Now()
	require.NoError(t, fx.l.Close())
	assert.Less(t, time.Since(t0), time.Second, "Close cancels the running lookup")
	assert.Equal(t, StateClosed, fx.l.State())
}

func foundFixture(t *testing.T) *fixture {
	fx := newFixture(t, nil)
	fx.l.Start(context.Background(), "0170 1234567")
	fx.rec.waitFor(t, isState(StateFound))
	return fx
}

func TestRevealRules(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name      string
		field     string
		reason    string
		canReveal bool
		auditErr  error
		want      error
		action    string // audit action expected, "" for none
	}{
		{"role without permission", "iban", "customer asked", false, nil, ErrNotPermitted, AuditRevealDenied},
		{"no reason", "iban", "   ", true, nil, ErrReasonRequired, ""},
		{"card never revealable (PCI)", "card", "customer asked", true, nil, ErrNotRevealable, ""},
		{"notes not revealable", "notes", "customer asked", true, nil, ErrNotRevealable, ""},
		{"unknown field", "ssn", "customer asked", true, nil, ErrNotRevealable, ""},
		{"audit log down: no reveal", "iban", "customer asked", true, errors.New("disk full"), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := foundFixture(t)
			fx.aud.err = tt.auditErr
			plain, err := fx.l.Reveal(tt.field, tt.reason, "agent7", tt.canReveal)
			require.Error(t, err)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
			}
			assert.Empty(t, plain)
			assert.False(t, fx.l.Revealed(tt.field))
			if tt.action == "" {
				assert.Empty(t, fx.aud.entries)
			} else {
				require.Len(t, fx.aud.entries, 1)
				assert.Equal(t, tt.action, fx.aud.entries[0].action)
			}
			fx.l.Close()
		})
	}
}

func TestRevealAuditsAndRemasksAfterTimeout(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := foundFixture(t)
	plain, err := fx.l.Reveal("iban", " customer verifies direct debit ", "agent7", true)
	require.NoError(t, err)
	assert.Equal(t, "DE89 3704 0044 0532 0130 00", plain)
	assert.True(t, fx.l.Revealed("iban"))
	fx.rec.waitFor(t, func(ev Event) bool { return ev.Kind == EventRevealed && ev.Field == "iban" })

	require.Len(t, fx.aud.entries, 1)
	e := fx.aud.entries[0]
	assert.Equal(t, AuditReveal, e.action)
	assert.Equal(t, "agent7", e.actor)
	assert.Equal(t, map[string]string{
		"field": "iban", "kind": "iban", "customer": Pseudonym([]byte("test-key"), "C1001"),
		"call_id": "call-1", "reason": "customer verifies direct debit",
	}, e.attrs)
	for _, v := range e.attrs {
		assert.NotContains(t, v, "3704", "no value in the audit entry")
		assert.NotEqual(t, "C1001", v, "customer id only as pseudonym")
	}
	require.Len(t, fx.clock.timers, 1)
	assert.Equal(t, DefaultRevealFor, fx.clock.timers[0].d)

	// Copy gives the masked form even while revealed.
	cp, err := fx.l.Copy("iban")
	require.NoError(t, err)
	assert.Equal(t, "DE•• •••• 3000", cp)

	fx.clock.fire()
	ev := fx.rec.waitFor(t, isKind(EventRemasked))
	assert.Equal(t, "iban", ev.Field)
	assert.False(t, fx.l.Revealed("iban"))
	fx.l.Close()
}

func TestRevealAgainRestartsTimer(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := foundFixture(t)
	_, err := fx.l.Reveal("email", "check", "agent7", true)
	require.NoError(t, err)
	first := fx.clock.timers[0]
	_, err = fx.l.Reveal("email", "check again", "agent7", true)
	require.NoError(t, err)
	assert.True(t, first.stopped, "the first re-mask timer is replaced")
	first.f() // a stale callback that raced Stop must not re-mask
	assert.True(t, fx.l.Revealed("email"))
	assert.Len(t, fx.aud.entries, 2, "every reveal is audited")
	fx.l.Close()
}

func TestCloseRemasksAndDropsCache(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := foundFixture(t)
	_, err := fx.l.Reveal("birth_date", "age check", "agent7", true)
	require.NoError(t, err)
	require.NoError(t, fx.l.Close())
	fx.rec.waitFor(t, func(ev Event) bool { return ev.Kind == EventRemasked && ev.Field == "birth_date" })
	fx.rec.waitFor(t, isState(StateClosed))
	assert.False(t, fx.l.Revealed("birth_date"))
	assert.True(t, fx.clock.timers[0].stopped)
	_, err = fx.l.Reveal("birth_date", "again", "agent7", true)
	assert.ErrorIs(t, err, ErrClosed)
	_, err = fx.l.Copy("email")
	assert.ErrorIs(t, err, ErrClosed)
	st, card, matches, _ := fx.l.Snapshot()
	assert.Equal(t, StateClosed, st)
	assert.Nil(t, card)
	assert.Nil(t, matches)
	assert.Nil(t, fx.l.contacts, "cache dropped")

	// Notes are written after the call.
	require.NoError(t, fx.l.WrapUp(context.Background(), "agent7", "RESOLVED", "all good"))
	require.Len(t, fx.dir.wrapups, 1)
	w := fx.dir.wrapups[0]
	assert.Equal(t, "C1001", w.CustomerID)
	assert.Equal(t, "call-1", w.CallID)
	assert.Equal(t, "RESOLVED", w.Code)
}

func TestWrapUpErrors(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := newFixture(t, nil)
	assert.ErrorIs(t, fx.l.WrapUp(context.Background(), "a", "X", ""), ErrNoCard)
	fx.l.Start(context.Background(), "0170 1234567")
	fx.rec.waitFor(t, isState(StateFound))
	fx.dir.err = errors.New("connection reset")
	err := fx.l.WrapUp(context.Background(), "a", "X", "")
	assert.ErrorIs(t, err, ErrUnavailable)
	fx.l.Close()
}

func TestRefreshReportsPaymentChange(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := newFixture(t, nil)
	fx.l.Start(context.Background(), "0201 80900")
	fx.rec.waitFor(t, isState(StateChoosing))
	_, err := fx.l.Select("C2")
	require.NoError(t, err)
	fx.rec.waitFor(t, func(ev Event) bool { return ev.Kind == EventPayment && !ev.PaymentInProgress })

	fx.dir.mu.Lock()
	c := fx.dir.byID["C2"]
	c.PaymentInProgress = true
	fx.dir.byID["C2"] = c
	fx.dir.mu.Unlock()
	fx.l.Refresh(context.Background())
	ev := fx.rec.waitFor(t, isKind(EventPayment))
	assert.True(t, ev.PaymentInProgress)
	fx.l.Close()
}

func TestEventsCarryNoPlainValues(t *testing.T) {
	defer goleak.VerifyNone(t)
	fx := foundFixture(t)
	_, err := fx.l.Reveal("email", "check", "agent7", true)
	require.NoError(t, err)
	fx.clock.fire()
	fx.l.Close()
	fx.rec.mu.Lock()
	defer fx.rec.mu.Unlock()
	for _, ev := range fx.rec.evs {
		s := strings.Join([]string{ev.Field, errString(ev.Err)}, " ")
		if ev.Card != nil {
			for _, f := range ev.Card.Fields {
				s += " " + f.Value
			}
		}
		for _, v := range plainValues {
			assert.NotContains(t, s, v)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestPseudonymStable(t *testing.T) {
	a := Pseudonym([]byte("k"), "C1001")
	assert.Equal(t, a, Pseudonym([]byte("k"), "C1001"))
	assert.NotEqual(t, a, Pseudonym([]byte("other"), "C1001"))
	assert.NotEqual(t, a, Pseudonym([]byte("k"), "C1002"))
	assert.True(t, strings.HasPrefix(a, "cust-"))
	assert.Len(t, a, 5+24)
}

func TestStateStrings(t *testing.T) {
	for s := StateIdle; s <= StateClosed; s++ {
		assert.NotContains(t, s.String(), "State(")
	}
	assert.Equal(t, "State(99)", State(99).String())
	for k := EventState; k <= EventPayment; k++ {
		assert.NotContains(t, k.String(), "EventKind(")
	}
}

func TestLookupOverRESTDownOrSlow(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, tt := range []struct {
		mode, token string
		want        error
	}{
		{"slow", testToken, ErrUnavailable},
		{"500", testToken, ErrUnavailable},
		{"", "expired", ErrUnauthorized},
	} {
		f := newFakeCRM(t)
		f.mode.Store(tt.mode)
		cfg := restConfig(f, tt.token)
		cfg.Timeout = 5 * time.Second // the Lookup's own timeout must win
		r := newREST(t, cfg)
		rec := newRecorder()
		l := NewLookup(LookupConfig{Directory: r, Policy: DefaultPolicy(), Region: "DE", Timeout: 300 * time.Millisecond, OnEvent: rec.on})
		t0 := time.Now()
		l.Start(context.Background(), "0201 80900")
		ev := rec.waitFor(t, isState(StateUnavailable))
		assert.ErrorIs(t, ev.Err, tt.want, tt.mode)
		assert.Less(t, time.Since(t0), 2*time.Second)
		require.NoError(t, l.Close())
		r.Close()
		f.srv.Close()
	}
}

func TestNothingUnmaskedIsLogged(t *testing.T) {
	defer goleak.VerifyNone(t)
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fx := newFixture(t, func(c *LookupConfig) { c.Logger = log })
	fx.l.Start(context.Background(), "0170 1234567")
	fx.rec.waitFor(t, isState(StateFound))
	_, err := fx.l.Reveal("iban", "check", "agent7", true)
	require.NoError(t, err)
	_, _ = fx.l.Reveal("email", "check", "agent7", false)
	fx.dir.err = errors.New("boom")
	fx.l.Start(context.Background(), "+49 201 80900")
	fx.rec.waitFor(t, isState(StateUnavailable))
	fx.l.Close()
	out := buf.String()
	assert.Contains(t, out, "…900", "the failure was logged, redacted")
	for _, v := range append(plainValues, "+4920180900", "C1001", "Jürgen") {
		assert.NotContains(t, out, v)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
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

func TestLookupWithoutDirectory(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := newRecorder()
	l := NewLookup(LookupConfig{Region: "DE", OnEvent: rec.on})
	l.Start(context.Background(), "0201 80900")
	ev := rec.waitFor(t, isState(StateUnavailable))
	assert.ErrorIs(t, ev.Err, ErrUnavailable)
	require.NoError(t, l.Close())
	l.Start(context.Background(), "0201 80900") // after Close: ignored, no panic
	assert.Equal(t, StateClosed, l.State())
}
