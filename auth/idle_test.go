package auth

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIdleLockPolicy(t *testing.T) {
	type step struct {
		do      string // "wait", "activity", "call-start", "call-end", "lock"
		d       time.Duration
		want    IdleState
		comment string
	}
	tests := []struct {
		name    string
		timeout time.Duration
		steps   []step
	}{
		{"locks after the timeout", 10 * time.Minute, []step{
			{do: "wait", d: 9*time.Minute + 59*time.Second, want: IdleActive},
			{do: "wait", d: time.Second, want: IdleLocked},
		}},
		{"activity restarts the period", 10 * time.Minute, []step{
			{do: "wait", d: 9 * time.Minute, want: IdleActive},
			{do: "activity", want: IdleActive},
			{do: "wait", d: 9 * time.Minute, want: IdleActive},
			{do: "wait", d: time.Minute, want: IdleLocked},
		}},
		{"never during a call", 10 * time.Minute, []step{
			{do: "call-start", want: IdleActive},
			{do: "wait", d: time.Hour, want: IdleActive},
			{do: "call-end", want: IdleActive, comment: "the period starts again at the call's end"},
			{do: "wait", d: 9 * time.Minute, want: IdleActive},
			{do: "wait", d: time.Minute, want: IdleLocked},
		}},
		{"activity does not unlock", 10 * time.Minute, []step{
			{do: "wait", d: 10 * time.Minute, want: IdleLocked},
			{do: "activity", want: IdleLocked},
			{do: "call-start", want: IdleLocked, comment: "a call arriving does not unlock"},
		}},
		{"manual lock", 10 * time.Minute, []step{
			{do: "lock", want: IdleLocked},
		}},
		{"zero timeout means the default", 0, []step{
			{do: "wait", d: DefaultIdleTimeout - time.Second, want: IdleActive},
			{do: "wait", d: time.Second, want: IdleLocked},
		}},
		{"configured short timeout", time.Minute, []step{
			{do: "wait", d: time.Minute, want: IdleLocked},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			l := NewIdleLock(tt.timeout, clk.Now)
			for i, s := range tt.steps {
				switch s.do {
				case "wait":
					clk.Advance(s.d)
				case "activity":
					l.Activity()
				case "call-start":
					l.SetInCall(true)
				case "call-end":
					l.SetInCall(false)
				case "lock":
					l.Lock()
				}
				assert.Equal(t, s.want, l.Check(), "step %d %s %s", i, s.do, s.comment)
			}
		})
	}
}

func TestIdleLockDeadline(t *testing.T) {
	clk := newFakeClock()
	l := NewIdleLock(5*time.Minute, clk.Now)
	d, ok := l.Deadline()
	require.True(t, ok)
	assert.Equal(t, clk.Now().Add(5*time.Minute), d)
	l.SetInCall(true)
	_, ok = l.Deadline()
	assert.False(t, ok, "no deadline during a call")
	l.SetInCall(false)
	l.Lock()
	_, ok = l.Deadline()
	assert.False(t, ok, "no deadline while locked")
	assert.Equal(t, "locked", l.State().String())
}

func TestUnlockIdleNeedsPasswordAndFreshCode(t *testing.T) {
	e, _, secret, codes := setup(t)
	ctx := context.Background()
	sess, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	used := e.code(secret, 0)
	l := NewIdleLock(10*time.Minute, e.clock.Now)
	l.Lock()

	assert.Same(t, ErrLoginRefused, e.svc.UnlockIdle(ctx, l, sess, alicePW, used), "the code used to log in is not fresh")
	assert.Same(t, ErrLoginRefused, e.svc.UnlockIdle(ctx, l, sess, alicePW, codes[0]), "no recovery codes here")
	e.clock.Advance(totpPeriod * time.Second)
	assert.Same(t, ErrLoginRefused, e.svc.UnlockIdle(ctx, l, sess, "wrong password!", e.code(secret, 0)))
	assert.Equal(t, IdleLocked, l.State())

	require.NoError(t, e.svc.UnlockIdle(ctx, l, sess, alicePW, e.code(secret, 0)))
	assert.Equal(t, IdleActive, l.State())
	assert.True(t, sess.Open())
	assert.Equal(t, 1, e.audit.count(ActionReauthenticated))
}

func TestUnlockIdleLockoutEndsSession(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	sess, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	l := NewIdleLock(time.Minute, e.clock.Now)
	l.Lock()
	for range 9 {
		require.ErrorIs(t, e.svc.UnlockIdle(ctx, l, sess, "wrong password!", "000000"), ErrLoginRefused)
	}
	require.ErrorIs(t, e.svc.UnlockIdle(ctx, l, sess, "wrong password!", "000000"), ErrLocked)
	assert.False(t, sess.Open(), "a lockout ends the session")
	_, err = sess.Secret(SecretSIPPassword)
	assert.ErrorIs(t, err, ErrSessionClosed)
	assert.ErrorIs(t, e.svc.UnlockIdle(ctx, l, sess, alicePW, e.code(secret, 1)), ErrSessionClosed)
}
