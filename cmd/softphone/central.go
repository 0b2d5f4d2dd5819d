package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"softphone/audit"
	"softphone/auth"
	"softphone/config"
	"softphone/internal/s3store"
	"softphone/recording"
	"softphone/recording/central"
)

// Vault entries of central storage (softphone secret set NAME). The org
// identity is granted to a reviewer's profile; later machine policy supplies it.
const (
	secretS3AccessKey = auth.SecretS3AccessKey
	secretS3SecretKey = auth.SecretS3SecretKey
	secretOrgIdentity = auth.SecretOrgIdentity
)

func init() {
	for _, s := range []string{secretS3AccessKey, secretS3SecretKey, secretOrgIdentity} {
		storableSecrets[s] = true
	}
}

// centralUser is a logged-in user of a central-storage command.
type centralUser struct {
	headlessUser
	AccessKey, SecretKey string
	OrgIdentity          string // age identity text from the vault; may be empty
}

// loginCentral logs in (password and TOTP as for every headless command,
// through env.deps.login) and reads the local keys and the central storage
// secrets from the vault. On failure it has printed why and returns the exit code.
func loginCentral(ctx context.Context, env *cli, configPath, profile string) (centralUser, int) {
	acct, code := env.deps.login(ctx, env, authFlags{configPath: configPath, profile: profile})
	if acct == nil {
		return centralUser{}, code
	}
	local, err := acct.machineSecret(auth.MachineRecordingKey)
	if err != nil {
		return centralUser{}, env.fail(exitLoginRefused, err)
	}
	auditKey, err := acct.machineSecret(auth.MachineAuditKey) // required, as for recordings
	if err != nil {
		return centralUser{}, env.fail(exitLoginRefused, err)
	}
	u := centralUser{headlessUser: headlessUser{Actor: acct.profile, Role: recording.Role(acct.role), LocalKey: local, AuditKey: auditKey}}
	if u.AccessKey, err = acct.secret(secretS3AccessKey); err != nil {
		return u, env.fail(exitLoginRefused, fmt.Errorf("central storage key: %w (softphone secret set %s)", err, secretS3AccessKey))
	}
	if u.SecretKey, err = acct.secret(secretS3SecretKey); err != nil {
		return u, env.fail(exitLoginRefused, fmt.Errorf("central storage secret: %w (softphone secret set %s)", err, secretS3SecretKey))
	}
	u.OrgIdentity, _ = acct.secret(secretOrgIdentity)
	return u, exitOK
}

// centralFlags are the flags every central command takes.
type centralFlags struct {
	cfgPath, profile, identity string
}

// centralCtx is what a central command has once set up.
type centralCtx struct {
	env    *cli
	cfg    config.Config
	user   centralUser
	bucket *s3store.Bucket
	log    *audit.Log
	// logFile is the audit log's path (shipped by sync).
	logFile string
}

func (c *centralCtx) close() {
	if c.log != c.env.auditLog { // the login's log closes when the command returns
		c.log.Close()
	}
}

// openCentral loads the configuration, logs in and opens the bucket and the audit log.
func openCentral(ctx context.Context, env *cli, f centralFlags) (*centralCtx, int) {
	cfg, code := recordingsConfig(env, f.cfgPath)
	if code != exitOK {
		return nil, code
	}
	st := cfg.Recording.Store
	if !st.Enabled() {
		return nil, env.fail(exitConfig, errors.New("central storage is not configured: set [recording.store] endpoint and bucket"))
	}
	u, code := loginCentral(ctx, env, f.cfgPath, f.profile)
	if code != exitOK {
		return nil, code
	}
	if env.policy != nil {
		cfg = env.policy.Config // the machine policy applied at login
	}
	b, err := openStoreBucket(st, u.AccessKey, u.SecretKey)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	// The audit log is the login's, beside the profiles: no acting command
	// points it elsewhere.
	alog, code := openAuditLogFor(env, cfg, u.AuditKey)
	if alog == nil {
		return nil, code
	}
	return &centralCtx{env: env, cfg: cfg, user: u, bucket: b, log: alog, logFile: alog.Path()}, exitOK
}

// openStoreBucket opens the [recording.store] bucket with the given S3 keys.
func openStoreBucket(st config.RecordingStore, accessKey, secretKey string) (*s3store.Bucket, error) {
	return s3store.Open(s3store.Config{Endpoint: st.Endpoint, Bucket: st.Bucket, Region: st.Region,
		Prefix: st.Prefix, AccessKey: accessKey, SecretKey: secretKey})
}

// auditLogPath is where the login and calls write the audit log: beside the
// profile directory (by default the user config dir's softphone/audit.log).
func auditLogPath(cfg config.Config) (string, error) {
	if cfg.Auth.ProfileDir != "" {
		return filepath.Join(filepath.Dir(cfg.Auth.ProfileDir), "audit.log"), nil
	}
	return audit.DefaultPath()
}

// tablePermits is central review's Permitter over the effective permission
// table: auth's one table with the machine policy's grants (the same the
// login, the local store and the CRM use).
type tablePermits struct{ t *auth.Table }

// Permit returns central.ErrPermission unless the role has the permission.
func (p tablePermits) Permit(role recording.Role, perm recording.Permission) error {
	if role == recording.RoleSystem || !p.t.Can(auth.Role(role), perm) {
		return fmt.Errorf("%w (%s needs %s)", central.ErrPermission, role, perm)
	}
	return nil
}

// orgIdentity is the reviewer's organisation identity: an identity file
// given on the command line, else the vault's org-identity entry.
type orgIdentity struct {
	file, text string
}

// OrgIdentities parses the identity; nothing of it is written anywhere.
func (o orgIdentity) OrgIdentities() ([]age.Identity, error) {
	if o.file != "" {
		f, err := os.Open(o.file)
		if err != nil {
			return nil, fmt.Errorf("identity file: %w", err)
		}
		defer f.Close()
		return recording.ParseIdentityFile(f)
	}
	if strings.TrimSpace(o.text) == "" {
		return nil, fmt.Errorf("no organisation identity: give --identity FILE or store it with softphone secret set %s", secretOrgIdentity)
	}
	return recording.ParseIdentityFile(strings.NewReader(o.text))
}

// stateDir is where upload and audit-shipping state live: beside the recordings.
func stateDir(cfg config.Config) (string, error) {
	dir, err := cfg.Recording.RecordingDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(dir), "central"), nil
}
