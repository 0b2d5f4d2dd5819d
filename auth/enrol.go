package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// BeginEnrolment starts the two-factor enrolment of a profile that has
// none: it makes a fresh 160-bit TOTP secret (kept in the vault as pending)
// and returns it as URI, text and QR code. Show it once. Calling it again
// replaces the pending secret. The password is checked (and failures count)
// as for Login.
func (s *Service) BeginEnrolment(ctx context.Context, name, password string) (*Enrolment, error) {
	var enr *Enrolment
	_, err := s.attempt(ctx, name, password, "enrol", func(p *profile, _ time.Time, pwOK bool) (bool, func(*profile), error) {
		sec, verr := s.vault.Open(p.vaultRef(), password)
		if !pwOK {
			return false, nil, nil
		}
		if p.Enrolled {
			return false, nil, ErrAlreadyEnrolled
		}
		if p.Vault != s.vault.Backend() {
			return false, nil, fmt.Errorf("%w (%s)", ErrVaultMismatch, p.Vault)
		}
		if verr != nil {
			return false, nil, fmt.Errorf("open vault: %w", verr)
		}
		key, e, err := newTOTPKey(s.policy.Issuer, p.Name, rand.Reader)
		if err != nil {
			return false, nil, err
		}
		if err := sec.Set(secretTOTPPending, key.Secret()); err != nil {
			return false, nil, err
		}
		enr = e
		return true, func(*profile) {}, nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ActionEnrolmentStarted, name, nil)
	return enr, nil
}

// CompleteEnrolment confirms the pending secret with a valid code, turns
// on two-factor login and returns RecoveryCodeCount single-use recovery
// codes. Show them once; only their hashes are kept. The code is used up:
// a Login afterwards needs the next one (see CompleteEnrolmentSession).
func (s *Service) CompleteEnrolment(ctx context.Context, name, password, code string) ([]string, error) {
	codes, sess, err := s.completeEnrolment(ctx, name, password, code)
	if sess != nil {
		sess.Close()
	}
	return codes, err
}

// CompleteEnrolmentSession is CompleteEnrolment that also logs the profile
// in: password and a valid code were just checked, so the first login does
// not have to wait for the next code.
func (s *Service) CompleteEnrolmentSession(ctx context.Context, name, password, code string) ([]string, *Session, error) {
	codes, sess, err := s.completeEnrolment(ctx, name, password, code)
	if err != nil {
		return nil, nil, err
	}
	attrs := map[string]string{"method": "enrolment", "role": string(sess.role), "vault": sess.backend}
	if err := s.audit.Record(ActionLogin, name, attrs); err != nil {
		sess.Close()
		return codes, nil, fmt.Errorf("enrolled, but login not completed, the audit log is unavailable: %w", err)
	}
	return codes, sess, nil
}

func (s *Service) completeEnrolment(ctx context.Context, name, password, code string) ([]string, *Session, error) {
	var (
		codes   []string
		secrets Secrets
	)
	p, err := s.attempt(ctx, name, password, "enrol", func(p *profile, now time.Time, pwOK bool) (bool, func(*profile), error) {
		sec, verr := s.vault.Open(p.vaultRef(), password)
		var pending string
		if verr == nil {
			pending, verr = sec.Get(secretTOTPPending)
		}
		step, codeOK := int64(0), false
		if verr == nil {
			step, codeOK = checkTOTP(pending, code, now, p.LastStep, totpDefault)
		}
		if !pwOK {
			return false, nil, nil
		}
		if p.Enrolled {
			return false, nil, ErrAlreadyEnrolled
		}
		if errors.Is(verr, ErrSecretNotFound) {
			return false, nil, ErrNoPendingEnrolment
		}
		if verr != nil {
			return false, nil, fmt.Errorf("open vault: %w", verr)
		}
		if !codeOK {
			return false, nil, nil
		}
		salt, err := randomBytes(16)
		if err != nil {
			return false, nil, err
		}
		c, hashes, err := newRecoveryCodes(RecoveryCodeCount, salt, rand.Reader)
		if err != nil {
			return false, nil, err
		}
		if err := sec.Set(SecretTOTP, pending); err != nil {
			return false, nil, err
		}
		if err := sec.Delete(secretTOTPPending); err != nil {
			return false, nil, err
		}
		codes, secrets = c, sec
		return true, func(p *profile) {
			p.Enrolled, p.LastStep = true, step
			p.RecoverySalt, p.RecoveryHashes = salt, hashes
		}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	s.record(ActionEnrolled, name, map[string]string{"recovery_codes": strconv.Itoa(len(codes))})
	sess := &Session{profile: p.Name, role: p.Role, perms: s.perms, at: s.now(), method: MethodTOTP,
		backend: s.vault.Backend(), secrets: secrets}
	return codes, sess, nil
}
