package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"softphone/auth"
	"softphone/config"
	"softphone/crm"
	"softphone/phone"
	"softphone/recording"
)

// keySource unlocks the machine-wide keys (auth.Machine*): an account after
// the login, or the login service before it (keyring-held keys only).
type keySource interface {
	machineSecret(name string) ([]byte, error)
}

// serviceKeys are the machine keys available before any login.
type serviceKeys struct{ svc *auth.Service }

func (k serviceKeys) machineSecret(name string) ([]byte, error) {
	return k.svc.MachineSecret(nil, name)
}

// world is what an agent is built from, besides its audio endpoints: the
// same for the desktop, the demo and the headless commands.
type world struct {
	settings     config.Config
	settingsFile string         // where the desktop saves settings; "" keeps them in memory (demo)
	roots        *x509.CertPool // nil: the configured CA file or the system roots
	auth         *auth.Service
	recordings   *recording.Store
	crm          *phone.CRMConfig
}

// buildAgent is the one constructor of the agent, for desktop and headless.
func buildAgent(w world, ep phone.Endpoints, env *cli) (*phone.Agent, error) {
	var auditor phone.Auditor
	if env.auditLog != nil {
		auditor = env.auditLog
	}
	keys, err := phone.SupervisorKeysFromConfig(w.settings.Supervisors)
	if err != nil {
		return nil, err
	}
	return phone.New(phone.Config{
		Auditor:        auditor,
		SupervisorKeys: keys,
		Settings:       w.settings,
		SettingsFile:   w.settingsFile,
		RootCAs:        w.roots,
		Endpoints:      ep,
		Auth:           w.auth,
		Recordings:     w.recordings,
		CRM:            w.crm,
		Logger:         env.log,
	})
}

// openWorld opens the recording store and the CRM the configuration names.
// keys unlocks the machine keys; token gives the REST CRM's bearer token.
// Strict (headless) fails on any error; otherwise (desktop, before the
// login) what cannot be opened is left out with a warning.
func openWorld(ctx context.Context, env *cli, cfg config.Config, path string, svc *auth.Service, keys keySource, token crm.TokenFunc, strict bool) (world, error) {
	w := world{settings: cfg, settingsFile: path, auth: svc}
	var err error
	if w.recordings, err = openRecordingStore(cfg, keys, env); err != nil {
		if strict {
			return w, err
		}
		env.log.Warn("recording unavailable", "err", err)
	} else if w.recordings != nil {
		env.onExit(func() { w.recordings.Close() })
	}
	if w.crm, err = openCRMConfig(ctx, cfg, keys, token, env); err != nil {
		if strict {
			return w, err
		}
		env.log.Warn("CRM unavailable", "err", err)
	}
	return w, nil
}

// openRecordingStore opens the encrypted recording store when the
// configuration names the organisation's recipients; without them calls
// cannot be recorded (nil store, the call shows no recording strip).
func openRecordingStore(cfg config.Config, keys keySource, env *cli) (*recording.Store, error) {
	if len(cfg.Recording.Recipients) == 0 {
		return nil, nil
	}
	rcpts, err := recording.ParseRecipients(cfg.Recording.Recipients)
	if err != nil {
		return nil, err
	}
	dir, err := cfg.Recording.RecordingDir()
	if err != nil {
		return nil, err
	}
	policy, err := recording.ParsePolicy(cfg.Recording.Policy)
	if err != nil {
		return nil, err
	}
	key, err := keys.machineSecret(auth.MachineRecordingKey)
	if err != nil {
		return nil, err
	}
	var auditor recording.Auditor
	if env.auditLog != nil {
		auditor = env.auditLog
	}
	return recording.NewStore(recording.Config{
		Dir: dir, Recipients: rcpts, RetentionDays: cfg.Recording.RetentionDays, Policy: policy,
		Auditor: auditor, PseudonymKey: key, AutoPausePayment: cfg.Recording.AutoPausePayment,
		AutoPauseDTMF: cfg.Recording.AutoPauseDTMF, DTMFIdle: cfg.Recording.DTMFIdle, Logger: env.log,
		// The one permission table and whether the policy fixes the default.
		Permissions: env.permissions(), PolicyLocked: env.locked("recording.policy"),
	})
}

// openCRMConfig connects calls to the configured CRM. Without one (no
// contacts imported on this machine) calls have no CRM card; an
// unreachable CRM later only shows "CRM unavailable".
func openCRMConfig(ctx context.Context, cfg config.Config, keys keySource, token crm.TokenFunc, env *cli) (*phone.CRMConfig, error) {
	policy, err := crm.PolicyFromConfig(cfg.CRM.Mask)
	if err != nil {
		return nil, err
	}
	pk, err := keys.machineSecret(auth.MachineRecordingKey)
	if err != nil {
		return nil, err
	}
	dir, err := openDirectory(ctx, env, cfg.CRM, "", keys, token)
	if _, none := err.(noContactStoreError); none {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var auditor crm.Auditor
	if env.auditLog != nil {
		auditor = env.auditLog
	}
	return &phone.CRMConfig{Directory: dir, Policy: policy, Region: cfg.CRM.DefaultRegion, Timeout: cfg.CRM.Timeout,
		Auditor: auditor, PseudonymKey: pk}, nil
}

// noContactStoreError: the embedded store has not been created yet.
type noContactStoreError struct{ path string }

func (e noContactStoreError) Error() string {
	return fmt.Sprintf("no contact store at %s: import contacts first (softphone crm import FILE)", e.path)
}

// openDirectory is the one choice between the REST adapter and the
// embedded store (db, else crm.db, else the default file; it must exist).
// The directory is closed when the command returns.
func openDirectory(ctx context.Context, env *cli, c config.CRM, db string, keys keySource, token crm.TokenFunc) (crm.Directory, error) {
	if c.Backend == "rest" {
		r, err := crm.NewREST(crm.RESTConfigFromConfig(c, token))
		if err != nil {
			return nil, err
		}
		env.onExit(func() { r.Close() })
		return r, nil
	}
	path, err := crmDBPath(env, db, c)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, noContactStoreError{path}
	}
	return openCRMStore(env, path, keys)
}

// crmDBPath picks the store file: --db, then crm.db, then the default.
func crmDBPath(env *cli, db string, c config.CRM) (string, error) {
	switch {
	case db != "":
		return db, nil
	case c.DB != "":
		return c.DB, nil
	}
	return env.deps.crmDefaultDB()
}

// openCRMStore opens (or creates) the embedded store with the machine's
// field key; it is closed when the command returns.
func openCRMStore(env *cli, path string, keys keySource) (*crm.Store, error) {
	key, err := keys.machineSecret(auth.MachineCRMKey)
	if err != nil {
		return nil, err
	}
	st, err := crm.Open(crm.StoreConfig{Path: path, FieldKey: key}, crm.WithStoreLogger(env.log))
	if err != nil {
		return nil, storeOpenError{err}
	}
	env.onExit(func() { st.Close() })
	return st, nil
}

// storeOpenError: the store file exists but cannot be opened (corrupt, or
// sealed with another field key).
type storeOpenError struct{ err error }

func (e storeOpenError) Error() string { return e.err.Error() }
func (e storeOpenError) Unwrap() error { return e.err }

// directoryExit maps an openDirectory error to an exit code.
func directoryExit(err error) int {
	var se storeOpenError
	if errors.As(err, &se) {
		return exitFailure
	}
	return exitConfig
}
