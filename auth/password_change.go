package auth

import (
	"context"
	"fmt"
	"time"
)

// ChangePassword replaces a profile's login password. It needs the
// current password and a fresh TOTP code (not a recovery code; failures
// count towards the lockout) and returns a new Session, as a login does.
// The file vault is re-encrypted under the new password into a new
// generation; the profile file, saved last, is the single commit point, so a
// crash leaves either the old or the new password working. Other open
// sessions of the profile can still read their secrets but can no longer
// change them (ErrVaultStale): close them.
func (s *Service) ChangePassword(ctx context.Context, name, oldPassword, code, newPassword string) (*Session, error) {
	if len([]rune(newPassword)) < MinPasswordLen {
		return nil, fmt.Errorf("%w: use at least %d characters", ErrWeakPassword, MinPasswordLen)
	}
	if newPassword == oldPassword {
		return nil, fmt.Errorf("%w: the new password must differ from the old one", ErrWeakPassword)
	}
	var fresh Secrets
	p, err := s.attempt(ctx, name, oldPassword, "change_password", func(p *profile, now time.Time, pwOK bool) (bool, func(*profile), error) {
		ok, apply, _, _, err := s.checkCode(p, now, pwOK, oldPassword, code, false)
		if err != nil || !ok {
			return ok, apply, err
		}
		enc, err := hashPassword(newPassword, s.policy.Hash)
		if err != nil {
			return false, nil, err
		}
		to := VaultRef{Profile: p.Name, Gen: p.VaultGen + 1}
		if fresh, err = s.vault.Rekey(p.vaultRef(), to, oldPassword, newPassword); err != nil {
			return false, nil, fmt.Errorf("re-encrypt vault: %w", err)
		}
		return true, func(p *profile) {
			apply(p)
			p.Password, p.VaultGen = enc, to.Gen
		}, nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.vault.Prune(p.vaultRef()); err != nil {
		s.log.Warn("old vault generation not removed", "err", err)
	}
	s.record(ActionPasswordChanged, p.Name, nil)
	sess := &Session{profile: p.Name, role: p.Role, perms: s.perms, at: s.now(), method: MethodTOTP,
		backend: s.vault.Backend(), secrets: fresh}
	attrs := map[string]string{"method": "password_change", "role": string(p.Role), "vault": sess.backend}
	if err := s.audit.Record(ActionLogin, p.Name, attrs); err != nil {
		sess.Close()
		return nil, fmt.Errorf("password changed, but login not completed, the audit log is unavailable: %w", err)
	}
	return sess, nil
}
