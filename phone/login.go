package phone

import (
	"context"
	"errors"
	"fmt"
	"time"

	"softphone/auth"
)

// LoginChanged is sent when the agent logs in or out, or the desktop locks
// or unlocks.
type LoginChanged struct{ Login Login }

func (LoginChanged) isEvent() {}

// Login checks the agent's password and TOTP code, then registers the SIP
// account with the SIP password released from the vault. Registration runs
// in the background: its progress arrives as RegistrationChanged events and
// a registration failure does not undo the login. Errors: ErrLoginRefused
// (never saying which factor was wrong), ErrLocked, ErrEnrolmentRequired.
func (a *Agent) Login(ctx context.Context, profile, password, code string) error {
	if a.cfg.Auth == nil {
		return errors.New("no login service configured")
	}
	sess, err := a.cfg.Auth.Login(ctx, profile, password, code)
	if err != nil {
		return loginError(err)
	}
	return a.UseSession(sess, "")
}

// loginError maps auth's errors onto the phone's, keeping detail such as
// the lock's end time in the message.
func loginError(err error) error {
	switch {
	case errors.Is(err, auth.ErrLocked):
		return fmt.Errorf("%w (%v)", ErrLocked, err)
	case errors.Is(err, auth.ErrEnrolmentRequired):
		return ErrEnrolmentRequired
	case errors.Is(err, auth.ErrLoginRefused):
		return ErrLoginRefused
	}
	return err
}

// UseSession makes a login that was checked elsewhere (headless commands
// check it themselves to report failures their own way) the agent's
// session, and starts registration in the background. sipPassword, when not
// empty, overrides the one in the profile's vault (automation).
func (a *Agent) UseSession(sess *auth.Session, sipPassword string) error {
	if sipPassword == "" {
		var err error
		if sipPassword, err = sess.Secret(auth.SecretSIPPassword); err != nil {
			sess.Close()
			return fmt.Errorf("no SIP password stored for profile %s: %w", sess.Profile(), err)
		}
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		sess.Close()
		return errAgentClosed
	}
	if a.session != nil {
		a.session.Close()
	}
	a.session = sess
	a.login = Login{Profile: sess.Profile(), Role: Role(sess.Role()), LoggedIn: true}
	a.emitLocked(LoginChanged{a.login})
	a.mu.Unlock()

	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		if err := a.Register(ctx, sipPassword); err != nil {
			a.log.Warn("registration after login failed", "err", err)
		}
	}()
	return nil
}

// Session returns the logged-in auth session, or nil. Other components
// (CRM reveal, recording control) check permissions on it.
func (a *Agent) Session() *auth.Session {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.session
}

// BeginEnrolment starts the first-login TOTP enrolment of profile; the
// password must be right.
func (a *Agent) BeginEnrolment(ctx context.Context, profile, password string) (Enrolment, error) {
	if a.cfg.Auth == nil {
		return Enrolment{}, errors.New("no login service configured")
	}
	e, err := a.cfg.Auth.BeginEnrolment(ctx, profile, password)
	if err != nil {
		return Enrolment{}, loginError(err)
	}
	return Enrolment{URI: e.URI, Secret: e.Secret, QRPNG: e.QRPNG}, nil
}

// CompleteEnrolment confirms the enrolment with a first code, logs the
// agent in and returns the single-use recovery codes, to be shown once.
func (a *Agent) CompleteEnrolment(ctx context.Context, profile, password, code string) ([]string, error) {
	if a.cfg.Auth == nil {
		return nil, errors.New("no login service configured")
	}
	codes, sess, err := a.cfg.Auth.CompleteEnrolmentSession(ctx, profile, password, code)
	if err != nil {
		return nil, loginError(err)
	}
	if err := a.UseSession(sess, ""); err != nil {
		return nil, err
	}
	return codes, nil
}

// Lock locks the desktop (idle lock or on request). It never locks during
// a call: an agent must always be able to hang up.
func (a *Agent) Lock() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.login.LoggedIn || a.login.Locked || len(a.calls) > 0 {
		return
	}
	a.login.Locked = true
	a.emitLocked(LoginChanged{a.login})
}

// Unlock needs the password and a fresh code (a code used before is refused).
func (a *Agent) Unlock(ctx context.Context, password, code string) error {
	a.mu.Lock()
	sess := a.session
	a.mu.Unlock()
	if sess == nil || a.cfg.Auth == nil {
		return ErrNotLoggedIn
	}
	if err := a.cfg.Auth.Reauthenticate(ctx, sess, password, code); err != nil {
		return loginError(err)
	}
	a.mu.Lock()
	a.login.Locked = false
	a.emitLocked(LoginChanged{a.login})
	a.mu.Unlock()
	return nil
}

// Logout hangs up every call, un-registers and closes the auth session.
func (a *Agent) Logout(ctx context.Context) error {
	a.mu.Lock()
	ids := append([]string(nil), a.order...)
	a.mu.Unlock()
	for _, id := range ids {
		a.Hangup(id)
	}
	a.waitCallsGone(ctx)

	a.mu.Lock()
	ua, sess := a.ua, a.session
	a.ua, a.session = nil, nil
	a.login = Login{}
	a.reg = Registration{State: RegOff}
	a.emitLocked(LoginChanged{a.login})
	a.emitLocked(RegistrationChanged{a.reg})
	// The next agent on this desktop does not see this one's callers.
	a.missed.calls = nil
	a.emitLocked(MissedCallsChanged{})
	a.presence = presenceState{} // the next login publishes and watches afresh

	a.mu.Unlock()

	var errs []error
	if ua != nil {
		errs = append(errs, ua.Close())
	}
	if sess != nil && a.cfg.Auth != nil {
		errs = append(errs, a.cfg.Auth.Logout(sess))
	}
	return errors.Join(errs...)
}

// waitCallsGone waits until every call has ended or ctx ends.
func (a *Agent) waitCallsGone(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		a.mu.Lock()
		n := len(a.calls)
		a.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// WaitRegistered waits until the first registration attempt has an answer:
// nil once registered, the reason when it failed, or ctx's error.
func (a *Agent) WaitRegistered(ctx context.Context) error {
	var result error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sawAttempt := false
	a.Watch(ctx, func(e Event) bool {
		r, ok := e.(RegistrationChanged)
		if !ok {
			return true
		}
		switch r.Registration.State {
		case RegRegistering:
			sawAttempt = true
		case RegRegistered:
			result = nil
			return false
		case RegFailed:
			if r.Registration.Err != nil {
				result = r.Registration.Err
			} else {
				result = errors.New(r.Registration.Reason)
			}
			return false
		case RegOff:
			if sawAttempt {
				result = r.Registration.Err
				if result == nil {
					result = errors.New("registration stopped")
				}
				return false
			}
		}
		return true
	})
	if result == nil && ctx.Err() != nil && a.Snapshot().Registration.State != RegRegistered {
		return ctx.Err()
	}
	return result
}
