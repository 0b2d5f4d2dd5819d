package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Config is what a Service needs.
type Config struct {
	// Dir is the profile directory (see DefaultDir).
	Dir string
	// Vault keeps the secrets (see OpenVault).
	Vault Vault
	// Auditor records logins, failures, lockouts, enrolments and recovery
	// code use. Nil discards them (tests only).
	Auditor Auditor
	// Policy is the lockout/throttle/hash policy; zero fields take defaults.
	Policy Policy
	// Integrity authenticates profile records; nil picks the keyring (with
	// a keyring vault) or user-only key files beside Dir (file vault).
	Integrity Integrity
	// Permissions is the effective permission table (nil: DefaultTable).
	Permissions *Table
}

// Option adjusts a Service.
type Option func(*Service) error

// WithClock replaces time.Now as the source of the current time (tests:
// TOTP steps, throttling and lockouts become deterministic).
func WithClock(now func() time.Time) Option {
	return func(s *Service) error {
		if now == nil {
			return errors.New("auth: nil clock")
		}
		s.now = now
		return nil
	}
}

// WithSleep replaces how the login throttle waits. sleep must wait d or
// until ctx ends, whichever is first, and return ctx.Err() in the latter
// case. A test clock passes one that advances its time instead.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(s *Service) error {
		if sleep == nil {
			return errors.New("auth: nil sleep")
		}
		s.sleep = sleep
		return nil
	}
}

// WithLogger sets the logger; the service adds component=auth.
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) error {
		if l == nil {
			return errors.New("auth: nil logger")
		}
		s.log = l.With("component", "auth")
		return nil
	}
}

// Service checks logins and administers profiles. All methods are safe for
// concurrent use; profile changes are serialised within the process.
type Service struct {
	store  profileStore
	vault  Vault
	audit  Auditor
	policy Policy
	perms  *Table
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	log    *slog.Logger

	mu sync.Mutex // serialises read-modify-write of profile files

	// dummy is verified against for unknown profiles. It is ready from New,
	// so the first unknown name costs no extra derivation (equal timing).
	dummy passwordHash
}

// New returns a Service over the profiles in cfg.Dir.
func New(cfg Config, opts ...Option) (*Service, error) {
	if cfg.Dir == "" {
		return nil, errors.New("auth: no profile directory")
	}
	if cfg.Vault == nil {
		return nil, errors.New("auth: no vault")
	}
	pol, err := cfg.Policy.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Service{
		store:  profileStore{Dir: cfg.Dir, in: cfg.Integrity},
		vault:  cfg.Vault,
		audit:  cfg.Auditor,
		policy: pol,
		perms:  cfg.Permissions,
		now:    time.Now,
		sleep:  sleepCtx,
		log:    slog.Default().With("component", "auth"),
	}
	if err := pol.Hash.validate(); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	s.dummy = dummyHash(pol.Hash)
	if s.store.in == nil {
		s.store.in = integrityFor(cfg.Vault, cfg.Dir)
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.audit == nil {
		s.log.Warn("no auditor configured: security events are not recorded")
		s.audit = discardAuditor{}
	}
	return s, nil
}

// VaultBackend names the vault in use.
func (s *Service) VaultBackend() string { return s.vault.Backend() }

// NeedsBootstrap reports whether no profile exists yet. Then the first
// profile may be added without an admin login, and it must be an admin.
func (s *Service) NeedsBootstrap() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names, err := s.store.names()
	return len(names) == 0, err
}

// load reads a profile; a record that fails its integrity check is
// audited as tampered (the caller holds s.mu).
func (s *Service) load(name string) (*profile, error) {
	p, err := s.store.load(name)
	if errors.Is(err, ErrProfileTampered) {
		s.record(ActionProfileTampered, name, map[string]string{"finding": err.Error()})
		s.log.Error("profile record refused", "err", err)
	}
	return p, err
}

// record writes an audit event; a failure to record a refusal is logged,
// the refusal stands.
func (s *Service) record(action, actor string, attrs map[string]string) {
	if err := s.audit.Record(action, actor, attrs); err != nil {
		s.log.Error("audit failed", "action", action, "err", err)
	}
}

// Dir is the profile directory.
func (s *Service) Dir() string { return s.store.Dir }
