package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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
}

// Option adjusts a Service.
type Option func(*Service) error

// WithClock replaces the system clock (tests).
func WithClock(c Clock) Option {
	return func(s *Service) error {
		if c == nil {
			return errors.New("auth: nil clock")
		}
		s.clock = c
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
	clock  Clock
	log    *slog.Logger

	mu sync.Mutex // serialises read-modify-write of profile files

	dummyOnce sync.Once
	dummy     passwordHash // verified against for unknown profiles (equal timing)
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
		store:  profileStore{Dir: cfg.Dir},
		vault:  cfg.Vault,
		audit:  cfg.Auditor,
		policy: pol,
		clock:  SystemClock{},
		log:    slog.Default().With("component", "auth"),
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
		profile: p.Name, role: p.Role, at: s.clock.Now(), method: method,
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
	sess := &Session{profile: p.Name, role: p.Role, at: s.clock.Now(), method: MethodTOTP,
		backend: s.vault.Backend(), secrets: fresh}
	attrs := map[string]string{"method": "password_change", "role": string(p.Role), "vault": sess.backend}
	if err := s.audit.Record(ActionLogin, p.Name, attrs); err != nil {
		sess.Close()
		return nil, fmt.Errorf("password changed, but login not completed, the audit log is unavailable: %w", err)
	}
	return sess, nil
}

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

	p, err := s.store.load(name)
	if errors.Is(err, ErrNoSuchProfile) || errors.Is(err, ErrInvalidProfileName) {
		s.dummyVerify(password)
		s.spendVaultTime(password)
		s.record(ActionLoginFailed, ActorUnknown, map[string]string{"operation": op})
		return nil, ErrLoginRefused
	}
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
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
		now := s.clock.Now()
		if p.LockedUntil.After(now) || p.Failures == 0 {
			return nil
		}
		wait := p.LastFailure.Add(s.policy.delay(p.Failures)).Sub(now)
		if wait <= 0 {
			return nil
		}
		if err := s.clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
	return nil
}

// dummyVerify spends the time of a password check, so unknown profiles
// cannot be told apart from wrong passwords.
func (s *Service) dummyVerify(password string) {
	s.dummyOnce.Do(func() {
		enc, err := hashPassword("dummy password for timing", s.policy.Hash)
		if err == nil {
			s.dummy, _ = parseHash(enc)
		}
	})
	if s.dummy.key != nil {
		s.dummy.verify(password)
	}
}

// spendVaultTime stands in for the file vault's key derivation on paths
// that do not open the vault, so an unknown or not enrolled profile takes
// as long to refuse as a wrong password on an enrolled one.
func (s *Service) spendVaultTime(password string) {
	if s.vault.Backend() == VaultFile {
		s.dummyVerify(password)
	}
}

// record writes an audit event; a failure to record a refusal is logged,
// the refusal stands.
func (s *Service) record(action, actor string, attrs map[string]string) {
	if err := s.audit.Record(action, actor, attrs); err != nil {
		s.log.Error("audit failed", "action", action, "err", err)
	}
}

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
	sess := &Session{profile: p.Name, role: p.Role, at: s.clock.Now(), method: MethodTOTP,
		backend: s.vault.Backend(), secrets: secrets}
	return codes, sess, nil
}

// requireAdmin checks that admin is an open session with PermAdmin.
func requireAdmin(admin *Session) error {
	if admin == nil || !admin.Open() {
		return fmt.Errorf("%w: an admin login is required", ErrPermission)
	}
	if !admin.Can(PermAdmin) {
		return fmt.Errorf("%w: role %s is not admin", ErrPermission, admin.role)
	}
	return nil
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
		if err := requireAdmin(admin); err != nil {
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
		Vault: s.vault.Backend(), Created: s.clock.Now(),
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
	if err := requireAdmin(admin); err != nil {
		return err
	}
	unlock, err := s.lockAll()
	if err != nil {
		return err
	}
	defer unlock()
	p, err := s.store.load(name)
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
	if err := requireAdmin(admin); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names, err := s.store.names()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := make([]ProfileInfo, 0, len(names))
	for _, n := range names {
		p, err := s.store.load(n)
		if err != nil {
			return nil, err
		}
		out = append(out, p.info(now))
	}
	return out, nil
}
