// Package config reads and writes the softphone's TOML configuration.
//
// The file never holds a secret: passwords, TOTP secrets, tokens and keys
// live in the OS keyring (see package auth). Each section has its own file.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"

	"softphone/internal/safefile"
)

// Config is the whole configuration file.
type Config struct {
	Account   Account   `toml:"account"`
	Media     Media     `toml:"media"`
	Audio     Audio     `toml:"audio"`
	UI        UI        `toml:"ui"`
	Auth      Auth      `toml:"auth"`
	CRM       CRM       `toml:"crm"`
	Recording Recording `toml:"recording"`
	Workday   Workday   `toml:"workday"`
	// Supervisors are the keys of supervisors' signed commands.
	Supervisors Supervisors `toml:"supervisors"`
	// Network (STUN/TURN for ICE) comes from policy only; see network.go.
	Network Network `toml:"-"`
}

// Account is the SIP account.
type Account struct {
	// Server is the registrar / outbound proxy, "host:port" (port defaults to 5061 for TLS).
	Server string `toml:"server"`
	// Servers are further registrars tried in order when Server fails (RFC 3263 failover).
	Servers []string `toml:"servers"`
	// SRV looks the servers up by DNS SRV under Domain (_sips._tcp for TLS) before Server and
	// Servers; implied when neither is set.
	SRV bool `toml:"srv"`
	// Transport is "tls" (default). "tcp" and "udp" exist for lab use only and
	// forbid SRTP SDES keys (they would travel in clear text), so with them
	// calls need media.allow_plain_rtp.
	Transport   string        `toml:"transport"`
	User        string        `toml:"user"`
	AuthUser    string        `toml:"auth_user"`
	Domain      string        `toml:"domain"`
	DisplayName string        `toml:"display_name"`
	CAFile      string        `toml:"ca_file"`
	Expires     time.Duration `toml:"expires"`
	// BusyOnSecondCall answers a call that arrives during another with 486 Busy Here.
	BusyOnSecondCall bool `toml:"busy_on_second_call"`
}

// Media is the media security and codec policy.
type Media struct {
	// AllowPlainRTP lets calls run without SRTP. Only an admin may set it;
	// the UI warns loudly on every such call.
	AllowPlainRTP bool `toml:"allow_plain_rtp"`
	// Suites lists SDES crypto suites in order of preference.
	Suites []string `toml:"suites"`
	// Codecs lists audio codecs in order of preference.
	Codecs []string `toml:"codecs"`
	// LocalIP is the address advertised in SDP; empty picks the address used to reach the server.
	LocalIP string `toml:"local_ip"`
	// KeyExchange is how SRTP keys are agreed: "sdes" (a=crypto over SIP-TLS), "dtls" (DTLS-SRTP,
	// RFC 5763/5764) or "both" (offer both, prefer DTLS-SRTP when the far end can; default).
	KeyExchange string `toml:"key_exchange"`
}

// Audio selects sound devices.
type Audio struct {
	// Input, Output and Ring are the preferred device of each role ("" = system default); they
	// are the head of the priority lists below (see Priority).
	Input  string `toml:"input"`
	Output string `toml:"output"`
	Ring   string `toml:"ring"`
	// Microphones, Speakers and Ringers are priority lists per role, most preferred first:
	// when a device goes away mid-call the next one present takes over (then the system
	// default), and the call moves back when a preferred one returns.
	Microphones []string `toml:"microphones"`
	Speakers    []string `toml:"speakers"`
	Ringers     []string `toml:"ringers"`
	// Backend forces a device backend: "" (system default) or "null".
	Backend string `toml:"backend"`
	// EchoCancel is "auto" (the default: echo cancellation and noise suppression unless the
	// speaker is a headset), "on" or "off".
	EchoCancel string `toml:"echo_cancel"`
	// PeriodMS is the sound card's period in milliseconds each way: 0 (the default, 5 ms), 5,
	// 10 or 20. Longer periods add delay but ride out a busy machine's sound server.
	PeriodMS int `toml:"period_ms"`
}

// UI holds display preferences.
type UI struct {
	// Language is "de", "en" or "" to follow the OS.
	Language string `toml:"language"`
}

// Default returns the configuration used when no file exists.
func Default() Config {
	return Config{
		Account: Account{Transport: "tls", Expires: 10 * time.Minute},
		Media: Media{
			Suites:      []string{"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"},
			Codecs:      []string{"opus", "G722", "PCMA", "PCMU"}, // wideband first, G.711 as the fallback
			KeyExchange: KeyExchangeBoth,
		},
		Auth:      defaultAuth(),
		CRM:       defaultCRM(),
		Recording: defaultRecording(),
		Workday:   defaultWorkday(),
	}
}

// DefaultPath is the configuration file in the user's config directory.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(dir, "softphone", "config.toml"), nil
}

// Load reads path over the defaults. A missing file yields the defaults and
// an error wrapping os.ErrNotExist, so callers can offer first-run setup.
func Load(path string) (Config, error) {
	cfg := Default()
	md, err := toml.DecodeFile(path, &cfg)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return cfg, fmt.Errorf("config %s: unknown setting %q", path, und[0].String())
	}
	return cfg, cfg.Validate()
}

// Save writes cfg to path atomically (temp file + rename), mode 0600.
func Save(path string, cfg Config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.toml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := toml.NewEncoder(tmp).Encode(cfg); err != nil {
		tmp.Close()
		return fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return safefile.Rename(tmp.Name(), path)
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	switch c.Account.Transport {
	case "", "tls", "tcp", "udp":
	default:
		return fmt.Errorf("account.transport %q: want tls, tcp or udp", c.Account.Transport)
	}
	if err := c.Account.Validate(); err != nil {
		return err
	}
	if err := c.Auth.Validate(); err != nil {
		return err
	}
	if err := c.Recording.Validate(); err != nil {
		return err
	}
	if err := c.Supervisors.Validate(); err != nil {
		return err
	}
	if err := c.Workday.Validate(); err != nil {
		return err
	}
	if err := c.CRM.Validate(); err != nil {
		return err
	}
	if err := c.Network.Validate(); err != nil {
		return err
	}
	switch c.Audio.EchoCancel {
	case "", "auto", "on", "off":
	default:
		return fmt.Errorf("audio.echo_cancel %q: want auto, on or off", c.Audio.EchoCancel)
	}
	switch c.Audio.PeriodMS {
	case 0, 5, 10, 20:
	default:
		return fmt.Errorf("audio.period_ms %d: want 5, 10 or 20", c.Audio.PeriodMS)
	}
	switch c.Media.KeyExchange {
	case "", KeyExchangeSDES, KeyExchangeDTLS, KeyExchangeBoth:
	default:
		return fmt.Errorf("media.key_exchange %q: want sdes, dtls or both", c.Media.KeyExchange)
	}
	if c.Account.Transport != "" && c.Account.Transport != "tls" && !c.Media.AllowPlainRTP {
		return fmt.Errorf("account.transport %q would send SRTP keys in clear text: use tls, or set media.allow_plain_rtp", c.Account.Transport)
	}
	return nil
}

// Values of media.key_exchange.
const (
	KeyExchangeSDES = "sdes"
	KeyExchangeDTLS = "dtls"
	KeyExchangeBoth = "both"
)
