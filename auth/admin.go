package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// requireAdmin checks that admin is an open session with PermAdmin; a
// refusal is audited (Permit).
func (s *Service) requireAdmin(admin *Session) error {
	return s.Permit(admin, PermAdmin, nil)
}

// AddProfile creates a profile. admin must be a logged-in admin, except for
// the very first profile on the machine (bootstrap), which may be added with
// admin == nil and must have RoleAdmin. The new profile must enrol at its
// first login.
func (s *Service) AddProfile(ctx context.Context, admin *Session, name string, role Role, password string) error {
	if err := ValidProfileName(name); err != nil {
		return err
	}
	if !role.Valid() {
		return fmt.Errorf("%w: %q", ErrInvalidRole, role)
	}
	if len([]rune(password)) < MinPasswordLen {
		return fmt.Errorf("%w: use at least %d characters", ErrWeakPassword, MinPasswordLen)
	}
	unlock, err := s.lockAll()
	if err != nil {
		return err
	}
	defer unlock()
	names, err := s.store.names()
	if err != nil {
		return err
	}
	actor := ActorBootstrap
	if len(names) == 0 && admin == nil {
		if role != RoleAdmin {
			return ErrBootstrapAdmin
		}
	} else {
		if err := s.requireAdmin(admin); err != nil {
			return err
		}
		actor = admin.profile
	}
	if _, err := s.store.load(name); !errors.Is(err, ErrNoSuchProfile) {
		if err == nil {
			return ErrProfileExists
		}
		return err
	}
	enc, err := hashPassword(password, s.policy.Hash)
	if err != nil {
		return err
	}
	if err := s.vault.Create(VaultRef{Profile: name}, password); err != nil {
		return fmt.Errorf("create vault: %w", err)
	}
	p := &profile{
		Version: profileVersion, Name: name, Role: role, Password: enc,
		Vault: s.vault.Backend(), Created: s.now(),
	}
	if err := s.store.save(p); err != nil {
		return err
	}
	s.record(ActionProfileAdded, actor, map[string]string{"profile": name, "role": string(role)})
	return nil
}

// Unlock clears a profile's lockout and failure counter (admin only).
func (s *Service) Unlock(ctx context.Context, admin *Session, name string) error {
	return s.adminUpdate(admin, name, ActionUnlock, func(p *profile) {
		p.Failures, p.LastFailure, p.LockedUntil = 0, time.Time{}, time.Time{}
	})
}

// ResetEnrolment turns off a profile's second factor (admin only), e.g.
// after the agent lost the phone: the recovery codes are dropped and the
// next login with the password starts a new enrolment. The TOTP step
// history is kept, so old codes stay refused.
func (s *Service) ResetEnrolment(ctx context.Context, admin *Session, name string) error {
	return s.adminUpdate(admin, name, ActionEnrolmentReset, func(p *profile) {
		p.Enrolled, p.RecoverySalt, p.RecoveryHashes = false, nil, nil
	})
}

// adminUpdate changes a profile on an admin's behalf: under the store-wide
// lock (no lost update against a concurrent login), then audited.
func (s *Service) adminUpdate(admin *Session, name, action string, change func(*profile)) error {
	if err := s.requireAdmin(admin); err != nil {
		return err
	}
	unlock, err := s.lockAll()
	if err != nil {
		return err
	}
	defer unlock()
	p, err := s.load(name)
	if err != nil {
		return err
	}
	change(p)
	if err := s.store.save(p); err != nil {
		return err
	}
	s.record(action, admin.profile, map[string]string{"profile": name})
	return nil
}

// Profiles lists all profiles (admin only).
func (s *Service) Profiles(admin *Session) ([]ProfileInfo, error) {
	if err := s.requireAdmin(admin); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names, err := s.store.names()
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]ProfileInfo, 0, len(names))
	for _, n := range names {
		p, err := s.load(n)
		if err != nil {
			return nil, err
		}
		out = append(out, p.info(now))
	}
	return out, nil
}
