package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
	"github.com/pquerna/otp/totp"

	"softphone/audit"
	"softphone/auth"
	"softphone/config"
	"softphone/crm"
	"softphone/demo"
	"softphone/phone"
	"softphone/recording"
)

// Demo profile. The password is shown on the login screen: the demo holds
// only synthetic data.
const (
	demoProfile  = "demo"
	demoPassword = "demo-agent-2026"
	demoAdmin    = "demo-admin"
)

// demoEnv is everything --demo runs on: the embedded PBX, a throwaway
// profile directory with a file vault, and the demo profile's TOTP secret
// (kept so the login screen can show the current code).
type demoEnv struct {
	pbx        *demo.PBX
	dir        string
	auth       *auth.Service
	totpSecret string
	usedStep   int64 // the TOTP step the enrolment spent
	settings   config.Config
	audit      *audit.Log
	crm        *crm.Store
	crmConfig  *phone.CRMConfig
	recordings *recording.Store
}

// startDemo starts the demo PBX and makes a supervisor profile "demo" that
// can log in to it. Everything lives in a temporary directory removed by close.
func startDemo(ctx context.Context, log *slog.Logger) (*demoEnv, error) {
	pbx, err := demo.Start(ctx, demo.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("start demo PBX: %w", err)
	}
	env := &demoEnv{pbx: pbx}
	if err := env.setup(ctx, log); err != nil {
		env.close()
		return nil, err
	}
	return env, nil
}

func (e *demoEnv) setup(ctx context.Context, log *slog.Logger) error {
	dir, err := os.MkdirTemp("", "softphone-demo-")
	if err != nil {
		return err
	}
	e.dir = dir
	// The demo's profiles are made by code in a temporary directory and hold
	// only synthetic data: a cheap argon2id keeps the start fast.
	cheap := auth.HashParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}
	vault, err := auth.NewFileVaultCost(filepath.Join(dir, "vault"), cheap)
	if err != nil {
		return err
	}
	if e.audit, err = audit.Open(filepath.Join(dir, "audit.log")); err != nil {
		return err
	}
	svc, err := auth.New(auth.Config{
		Dir:     filepath.Join(dir, "profiles"),
		Vault:   vault,
		Auditor: e.audit,
		Policy:  auth.Policy{Hash: cheap},
	}, auth.WithLogger(log))
	if err != nil {
		return err
	}
	e.auth = svc

	// The first profile on a machine must be an admin; it then adds the
	// demo supervisor. Each enrolment spends the current time step of its
	// own profile only (a code is accepted once).
	admin, _, err := enrolProfile(ctx, svc, nil, demoAdmin, auth.RoleAdmin, demoPassword+"-admin")
	if err != nil {
		return err
	}
	defer svc.Logout(admin)
	sess, secret, err := enrolProfile(ctx, svc, admin, demoProfile, auth.RoleSupervisor, demoPassword)
	if err != nil {
		return err
	}
	defer svc.Logout(sess)
	e.totpSecret, e.usedStep = secret, time.Now().Unix()/30
	if err := sess.SetSecret(auth.SecretSIPPassword, e.pbx.Agent().Password); err != nil {
		return err
	}

	if err := e.setupData(ctx); err != nil {
		return err
	}

	cfg := config.Default()
	cfg.Account.Server = e.pbx.Addr()
	cfg.Account.Domain = e.pbx.Domain()
	cfg.Account.User = e.pbx.Agent().User
	cfg.Account.DisplayName = "Demo Agent"
	cfg.Media.LocalIP = "127.0.0.1"
	e.settings = cfg
	return nil
}

// setupData loads the synthetic demo customers into an encrypted CRM store
// and prepares encrypted recording to a key made for this run only (it
// never leaves memory: the demo's recordings cannot be played back, which
// is the point of encryption at capture).
func (e *demoEnv) setupData(ctx context.Context) error {
	key := make([]byte, 32)
	rand.Read(key)
	st, err := crm.Open(crm.StoreConfig{Path: filepath.Join(e.dir, "crm.db"), FieldKey: key})
	if err != nil {
		return err
	}
	e.crm = st
	if _, err := st.Import(ctx, bytes.NewReader(demo.ContactsCSV()), crm.FormatCSV, "DE"); err != nil {
		return fmt.Errorf("demo contacts: %w", err)
	}
	e.crmConfig = &phone.CRMConfig{Directory: st, Policy: crm.DefaultPolicy(), Region: "DE", Auditor: e.audit, PseudonymKey: key}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	e.recordings, err = recording.NewStore(recording.Config{
		Dir: filepath.Join(e.dir, "recordings"), Recipients: []age.Recipient{id.Recipient()}, RetentionDays: 1,
		Policy: recording.PolicyOn, Auditor: e.audit, PseudonymKey: key,
		AutoPausePayment: true, AutoPauseDTMF: true, DTMFIdle: 8 * time.Second,
	})
	return err
}

// enrolProfile adds a profile (admin nil: the bootstrap admin), enrols its
// TOTP and returns the logged-in session and the secret.
func enrolProfile(ctx context.Context, svc *auth.Service, admin *auth.Session, name string, role auth.Role, password string) (*auth.Session, string, error) {
	if err := svc.AddProfile(ctx, admin, name, role, password); err != nil {
		return nil, "", fmt.Errorf("demo profile %s: %w", name, err)
	}
	en, err := svc.BeginEnrolment(ctx, name, password)
	if err != nil {
		return nil, "", err
	}
	code, err := totp.GenerateCode(en.Secret, time.Now())
	if err != nil {
		return nil, "", err
	}
	_, sess, err := svc.CompleteEnrolmentSession(ctx, name, password, code)
	if err != nil {
		return nil, "", fmt.Errorf("demo enrolment %s: %w", name, err)
	}
	return sess, en.Secret, nil
}

// code is a demo profile code the login accepts now: the current step's,
// or the next one's while the current step was spent by the enrolment
// (codes of the neighbouring steps are accepted, each only once).
func (e *demoEnv) code() string {
	step := max(time.Now().Unix()/30, e.usedStep+1)
	c, err := totp.GenerateCode(e.totpSecret, time.Unix(step*30, 0))
	if err != nil {
		return "??????"
	}
	return c
}

// printCodes emits the demo profile's code whenever it changes.
func (e *demoEnv) printCodes(ctx context.Context, env *cli) {
	last := ""
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if c := e.code(); c != last {
			last = c
			env.emit("demo_code", map[string]any{"profile": demoProfile, "password": demoPassword, "code": c})
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// world is what the demo's agent is built from; settings stay in memory.
func (e *demoEnv) world() world {
	return world{settings: e.settings, roots: e.pbx.CAPool(), auth: e.auth, recordings: e.recordings, crm: e.crmConfig}
}

func (e *demoEnv) close() {
	if e.pbx != nil {
		e.pbx.Close()
	}
	if e.recordings != nil {
		e.recordings.Close()
	}
	if e.crm != nil {
		e.crm.Close()
	}
	if e.audit != nil {
		e.audit.Close()
	}
	if e.dir != "" {
		os.RemoveAll(e.dir)
	}
}
