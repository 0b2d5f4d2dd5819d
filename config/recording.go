package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Recording configures call recording. The organisation's private key never
// appears here: supervisors supply it as an identity file for playback.
type Recording struct {
	// Policy is "off", "on" or "ask" (record after the customer consents).
	// Supervisors may change it at run time; that choice is kept in the
	// recording index and wins over this default.
	Policy string `toml:"policy"`
	// Recipients are the organisation's age public keys ("age1…"); every
	// recording is readable with any one of the matching private keys.
	Recipients []string `toml:"recipients"`
	// RetentionDays is how long recordings are kept before the sweeper deletes them.
	RetentionDays int `toml:"retention_days"`
	// Dir is where encrypted recordings and their index live; "" means the
	// user's data directory (see RecordingDir).
	Dir string `toml:"dir"`
	// AutoPausePayment pauses while the CRM reports a payment in progress.
	AutoPausePayment bool `toml:"auto_pause_payment"`
	// AutoPauseDTMF pauses while the customer keys digits after the configured prompt.
	AutoPauseDTMF bool `toml:"auto_pause_dtmf"`
	// DTMFIdle ends a DTMF pause after this long without a digit.
	DTMFIdle time.Duration `toml:"dtmf_idle"`
	// Store is central storage ([recording.store]); empty endpoint: recordings stay local.
	Store RecordingStore `toml:"store"`
}

func defaultRecording() Recording {
	return Recording{
		Policy:           "off",
		RetentionDays:    90,
		AutoPausePayment: true,
		AutoPauseDTMF:    true,
		DTMFIdle:         8 * time.Second,
	}
}

// Validate reports the first recording setting that cannot work.
func (r Recording) Validate() error {
	switch r.Policy {
	case "", "off", "on", "ask":
	default:
		return fmt.Errorf("recording.policy %q: want off, on or ask", r.Policy)
	}
	for i, k := range r.Recipients {
		k = strings.TrimSpace(k)
		switch {
		case strings.HasPrefix(strings.ToUpper(k), "AGE-SECRET-KEY"):
			return fmt.Errorf("recording.recipients[%d] is a private key: put only public keys (age1…) in the configuration and remove this one from the file", i)
		case !strings.HasPrefix(k, "age1"):
			return fmt.Errorf("recording.recipients[%d]: want an age public key starting with age1", i)
		}
	}
	if r.Policy != "" && r.Policy != "off" && len(r.Recipients) == 0 {
		return errors.New("recording.policy records calls but recording.recipients is empty")
	}
	if r.RetentionDays < 1 || r.RetentionDays > 3650 {
		return fmt.Errorf("recording.retention_days %d: want 1 to 3650", r.RetentionDays)
	}
	if r.DTMFIdle < 0 {
		return fmt.Errorf("recording.dtmf_idle %s: must not be negative", r.DTMFIdle)
	}
	return r.Store.Validate()
}

// RecordingDir returns Dir, or the default location in the user's data directory.
func (r Recording) RecordingDir() (string, error) {
	if r.Dir != "" {
		return r.Dir, nil
	}
	var base string
	switch runtime.GOOS {
	case "windows":
		base = os.Getenv("LocalAppData")
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, "Library", "Application Support")
	default:
		base = os.Getenv("XDG_DATA_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			base = filepath.Join(home, ".local", "share")
		}
	}
	if base == "" {
		return "", errors.New("no data directory: set recording.dir")
	}
	return filepath.Join(base, "softphone", "recordings"), nil
}
