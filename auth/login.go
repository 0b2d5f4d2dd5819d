package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Login checks password and code (a TOTP code, or a recovery code) and
// returns a Session. Refusals are ErrLoginRefused whatever was wrong,
// *LockedError (errors.Is ErrLocked) when locked, ErrEnrolmentRequired when
// the password is right but no second factor is set up yet.
func (s *Service) Login(ctx context.Context, name, password, code string) (*Session, error) {
	sess, err := s.login(ctx, name, password, code, true, "login")
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{"method": sess.method, "role": string(sess.role), "vault": sess.backend}
	if err := s.audit.Record(ActionLogin, name, attrs); err != nil {
		sess.Close()
		return nil, fmt.Errorf("login not completed, the audit log is unavailable: %w", err)
	}
	return sess, nil
}

// Logout records the logout and closes the session. Logging out a closed
// session does nothing.
func (s *Service) Logout(sess *Session) error {
	if sess == nil || !sess.Open() {
		return nil
	}
	err := s.audit.Record(ActionLogout, sess.profile, nil)
	return errors.Join(err, sess.Close())
}

// Reauthenticate unlocks an idle-locked session: the password and a fresh
// TOTP code (not a recovery code) are required; failures count towards the
// lockout as for Login.
func (s *Service) Reauthenticate(ctx context.Context, sess *Session, password, code string) error {
	if sess == nil || !sess.Open() {
		return ErrSessionClosed
	}
	fresh, err := s.login(ctx, sess.profile, password, code, false, "reauthenticate")
	if errors.Is(err, ErrLocked) {
		sess.Close() // locked out: the session ends, a full login is needed later
	}
	if err != nil {
		return err
	}
	fresh.Close()
	if err := s.audit.Record(ActionReauthenticated, sess.profile, nil); err != nil {
		return fmt.Errorf("unlock not completed, the audit log is unavailable: %w", err)
	}
	return nil
}

func (s *Service) login(ctx context.Context, name, password, code string, allowRecovery bool, op string) (*Session, error) {
	var (
		secrets Secrets
		method  string
	)
	p, err := s.attempt(ctx, name, password, op, func(p *profile, now time.Time, pwOK bool) (bool, func(*profile), error) {
		ok, apply, sec, m, err := s.checkCode(p, now, pwOK, password, code, allowRecovery)
		secrets, method = sec, m
		return ok, apply, err
	})
	if err != nil {
		return nil, err
	}
	if method == MethodRecovery {
		s.recordRecoveryUse(p)
	}
	return &Session{
		profile: p.Name, role: p.Role, perms: s.perms, at: s.now(), method: method,
		backend: s.vault.Backend(), secrets: secrets,
	}, nil
}

func (s *Service) recordRecoveryUse(p *profile) {
	left := strconv.Itoa(len(p.RecoveryHashes))
	if err := s.audit.Record(ActionRecoveryCodeUsed, p.Name, map[string]string{"remaining": left}); err != nil {
		s.log.Error("audit failed", "action", ActionRecoveryCodeUsed, "err", err)
	}
}

// checkCode is the second factor of a login: a TOTP code newer than the
// last accepted one, or (if allowed) an unused recovery code. It follows the
// secondFactor contract and, on success, also returns the opened vault and
// the method used.
func (s *Service) checkCode(p *profile, now time.Time, pwOK bool, password, code string, allowRecovery bool) (
	ok bool, apply func(*profile), sec Secrets, method string, err error) {
	if !p.Enrolled {
		if pwOK {
			return false, nil, nil, "", ErrEnrolmentRequired
		}
		s.spendVaultTime(password)
		return false, nil, nil, "", nil
	}
	if p.Vault != s.vault.Backend() {
		if pwOK {
			return false, nil, nil, "", fmt.Errorf("%w (%s)", ErrVaultMismatch, p.Vault)
		}
		s.spendVaultTime(password)
		return false, nil, nil, "", nil
	}
	// The vault is opened and the code checked even when the password was
	// wrong, so the time taken does not tell which factor failed.
	sec, err = s.vault.Open(p.vaultRef(), password)
	if err != nil {
		if pwOK {
			return false, nil, nil, "", fmt.Errorf("open vault: %w", err)
		}
		return false, nil, nil, "", nil
	}
	secret, err := sec.Get(SecretTOTP)
	if err != nil {
		if pwOK {
			return false, nil, nil, "", fmt.Errorf("read TOTP secret: %w", err)
		}
		return false, nil, nil, "", nil
	}
	if isTOTPCode(code) {
		step, ok := checkTOTP(secret, code, now, p.LastStep, totpDefault)
		if !ok || !pwOK {
			return false, nil, nil, "", nil
		}
		return true, func(p *profile) { p.LastStep = step }, sec, MethodTOTP, nil
	}
	if !allowRecovery {
		return false, nil, nil, "", nil
	}
	idx, ok := matchRecoveryCode(p.RecoverySalt, p.RecoveryHashes, code)
	if !ok || !pwOK {
		return false, nil, nil, "", nil
	}
	return true, func(p *profile) {
		p.RecoveryHashes = append(p.RecoveryHashes[:idx:idx], p.RecoveryHashes[idx+1:]...)
	}, sec, MethodRecovery, nil
}
