// Package auth is the agent's login: profiles with roles, argon2id
// passwords, TOTP second factor (RFC 6238) with replay protection, recovery
// codes, throttling and lockout, the idle lock policy, and the secret vault
// (OS keyring through go-keyring, or an encrypted file where no keyring
// exists).
//
// # Storage
//
// Profiles live one JSON file each in a directory (DefaultDir:
// os.UserConfigDir()/softphone/profiles/NAME.json, mode 0600, written
// atomically, guarded by a cross-process lock file). A profile holds the
// role, the argon2id hash with its parameters, the failure counter, the lock
// time, the last accepted TOTP step and the hashed recovery codes — never a
// secret. Secrets (SIP password, TOTP secret, CRM token, recording key) live
// in a Vault: the OS keyring (service "softphone", user "PROFILE/SECRET"),
// or, where none is reachable, NAME.vault next to the profile, sealed with
// XChaCha20-Poly1305 under argon2id(login password). OpenVault picks one.
//
// # Flow
//
//	svc, _ := auth.New(auth.Config{Dir: dir, Vault: vault, Auditor: auditLog})
//	sess, err := svc.Login(ctx, "alice", password, code)
//	switch {
//	case errors.Is(err, auth.ErrEnrolmentRequired): // first login
//		enr, _ := svc.BeginEnrolment(ctx, "alice", password) // show enr.QRPNG, enr.Secret
//		codes, sess, err := svc.CompleteEnrolmentSession(ctx, "alice", password, code)
//	case errors.Is(err, auth.ErrLocked): // *LockedError{Until}
//	case errors.Is(err, auth.ErrLoginRefused): // never says which factor
//	}
//	sip, _ := sess.Secret(auth.SecretSIPPassword) // only through a Session
//
// The desktop keeps an IdleLock (Activity, SetInCall, Check on a ticker) and
// unlocks it only through Service.UnlockIdle (password and a fresh code).
//
// # Policy
//
// At most 10 failed attempts (Policy.MaxFailures), then the profile is
// locked for at least 30 minutes or until an admin unlocks it; before each
// attempt after a failure the service waits 1 s, 2 s, 4 s … up to 30 s. The
// counter and the waits are computed from the profile file, so restarting
// the program changes nothing. Every refusal is the same ErrLoginRefused,
// and a wrong password, a wrong code and an unknown profile take the same
// time. A TOTP code is accepted once: its time step and every earlier one
// are refused afterwards.
//
// Nothing in this package logs or audits a password, a code or a secret.
package auth
