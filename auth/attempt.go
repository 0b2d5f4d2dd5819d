package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// secondFactor checks what follows the password. It runs whether or not the
// password was right (pwOK) and must not change anything unless it returns
// ok with pwOK; the returned apply func then updates the profile before it
// is saved. A non-nil error (only with pwOK) ends the attempt without
// counting it as a failure.
type secondFactor func(p *profile, now time.Time, pwOK bool) (ok bool, apply func(*profile), err error)

// attempt is the common path of every password check: throttle, lock,
// count the attempt before checking (so killing the process mid-check does
// not give a free attempt), verify, then reset or lock.
func (s *Service) attempt(ctx context.Context, name, password, op string, second secondFactor) (*profile, error) {
	if err := s.throttle(ctx, name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	unlock, err := s.lockAll()
	if err != nil {
		return nil, err
	}
	defer unlock()

	p, err := s.load(name)
	if errors.Is(err, ErrNoSuchProfile) || errors.Is(err, ErrInvalidProfileName) {
		s.dummyVerify(password)
		s.spendVaultTime(password)
		s.record(ActionLoginFailed, ActorUnknown, map[string]string{"operation": op})
		return nil, ErrLoginRefused
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if p.LockedUntil.After(now) {
		s.record(ActionLoginFailed, name, map[string]string{"operation": op, "reason": "locked"})
		return nil, &LockedError{Until: p.LockedUntil}
	}
	if !p.LockedUntil.IsZero() {
		// The lock has run out: a fresh series of attempts.
		p.LockedUntil, p.Failures = time.Time{}, 0
	}
	prevFailures, prevLast := p.Failures, p.LastFailure
	p.Failures++
	p.LastFailure = now
	if err := s.store.save(p); err != nil {
		return nil, err
	}

	h, err := parseHash(p.Password)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	pwOK := h.verify(password)
	ok, apply, err := second(p, now, pwOK)
	if err != nil {
		if !pwOK {
			return nil, fmt.Errorf("auth: second factor returned an error after a wrong password: %w", err)
		}
		// Right password, but the attempt cannot go on (enrolment needed,
		// vault problem): not a failure.
		p.Failures, p.LastFailure = prevFailures, prevLast
		if serr := s.store.save(p); serr != nil {
			return nil, errors.Join(err, serr)
		}
		return nil, err
	}
	if !pwOK || !ok {
		return nil, s.failLocked(p, now, op)
	}
	apply(p)
	p.Failures, p.LastFailure, p.LockedUntil = 0, time.Time{}, time.Time{}
	p.LastLogin = now
	if h.outdated(s.policy.Hash) {
		if nh, err := hashPassword(password, s.policy.Hash); err == nil {
			p.Password = nh
		}
	}
	if err := s.store.save(p); err != nil {
		return nil, err
	}
	return p, nil
}

// failLocked finishes a failed attempt (already counted and saved) and
// locks the profile when the limit is reached. s.mu is held.
func (s *Service) failLocked(p *profile, now time.Time, op string) error {
	s.record(ActionLoginFailed, p.Name, map[string]string{"operation": op, "failures": strconv.Itoa(p.Failures)})
	if p.Failures < s.policy.MaxFailures {
		return ErrLoginRefused
	}
	p.LockedUntil = now.Add(s.policy.Lockout)
	if err := s.store.save(p); err != nil {
		return errors.Join(ErrLoginRefused, err)
	}
	s.record(ActionLockout, p.Name, map[string]string{"until": p.LockedUntil.UTC().Format(time.RFC3339)})
	s.log.Warn("profile locked after too many failed logins", "failures", p.Failures)
	return &LockedError{Until: p.LockedUntil}
}

// lockAll takes the in-process mutex and the cross-process store lock.
func (s *Service) lockAll() (func(), error) {
	s.mu.Lock()
	release, err := s.store.lock()
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return func() {
		release()
		s.mu.Unlock()
	}, nil
}

// throttle waits until the growing delay after the last failure has
// passed. It is computed from the stored counter, so restarting the
// program does not skip it.
func (s *Service) throttle(ctx context.Context, name string) error {
	for range 8 {
		s.mu.Lock()
		p, err := s.store.load(name)
		s.mu.Unlock()
		if err != nil {
			return nil // unknown/corrupt profiles are handled by the caller
		}
		now := s.now()
		if p.LockedUntil.After(now) || p.Failures == 0 {
			return nil
		}
		wait := p.LastFailure.Add(s.policy.delay(p.Failures)).Sub(now)
		if wait <= 0 {
			return nil
		}
		if err := s.sleep(ctx, wait); err != nil {
			return err
		}
	}
	return nil
}

// dummyVerify spends the time of a password check, so unknown profiles
// cannot be told apart from wrong passwords.
func (s *Service) dummyVerify(password string) {
	s.dummy.verify(password)
}

// dummyHash is what unknown profiles are checked against. It only has to
// cost what a real check costs: verify runs argon2id with p and compares
// the result with an all-zero key, which no password derives. It used to
// be a real hash of a dummy password, made in New: one more full
// derivation (96 MiB, 150-400 ms) at the start of every command that
// logs in, which bought nothing.
func dummyHash(p HashParams) passwordHash {
	return passwordHash{params: p, salt: make([]byte, p.SaltLen), key: make([]byte, p.KeyLen)}
}

// spendVaultTime stands in for the file vault's key derivation on paths
// that do not open the vault, so an unknown or not enrolled profile takes
// as long to refuse as a wrong password on an enrolled one.
func (s *Service) spendVaultTime(password string) {
	if s.vault.Backend() == VaultFile {
		s.dummyVerify(password)
	}
}
