// Package netcheck is the pre-shift network check (the "test call" button
// of Teams and Zoom): round-trip time to the PBX, loss, jitter and
// round-trip time of a train of STUN binding requests, the NAT type, and
// whether the TURN servers allocate a relay over UDP, TCP and TLS. It
// knows nothing of calls or of the UI: it takes a Config and returns a
// typed Result with a Verdict and Findings whose text is an English
// message key (assets/translations has the German).
package netcheck

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"time"
)

// Config says what to measure. Servers come from the policy
// (network.stun_servers, network.turn_servers, network.turn_username,
// network.turn_password) and the SIP account.
type Config struct {
	// PBX is host:port of the SIP server (TLS); empty skips the PBX check.
	PBX string
	// ServerName and RootCAs verify the PBX certificate (defaults: PBX's
	// host, the system roots).
	ServerName string
	RootCAs    *x509.CertPool
	// STUNServers are host:port ("stun:" prefix allowed). The first one
	// gets the train; the NAT type compares its answer with the second
	// one's or with the first's RFC 5780 OTHER-ADDRESS.
	STUNServers []string
	// TURNServers are RFC 7065 URIs (turn:host:port?transport=udp|tcp,
	// turns:host:port) tried with TURNUsername and TURNPassword. TURN
	// servers answer STUN too: without STUN servers the first UDP TURN
	// server gets the train.
	TURNServers                []string
	TURNUsername, TURNPassword string
	// TURNRootCAs verify turns: servers (default: the system roots).
	TURNRootCAs *x509.CertPool
	// Probes and Interval shape the train (default 50 at 20 ms, one
	// second of audio's worth of packets); Timeout bounds each step
	// (default 3 s).
	Probes   int
	Interval time.Duration
	Timeout  time.Duration
	Logger   *slog.Logger
}

// Result is what the check found.
type Result struct {
	PBX   PBXResult    `json:"pbx"`
	Media ProbeResult  `json:"media"`
	NAT   NATResult    `json:"nat"`
	TURN  []TURNResult `json:"turn"`
	// Verdict sums it up; Findings say why, worst first.
	Verdict  Verdict   `json:"verdict"`
	Findings []Finding `json:"findings"`
	Took     Duration  `json:"took_ms"`
}

// ErrNothingToCheck is returned when Config names no server at all.
var ErrNothingToCheck = errors.New("netcheck: no PBX, STUN or TURN server configured")

func (c Config) withDefaults() Config {
	if c.Probes <= 0 {
		c.Probes = 50
	}
	if c.Interval <= 0 {
		c.Interval = 20 * time.Millisecond
	}
	if c.Timeout <= 0 {
		c.Timeout = 3 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("component", "netcheck")
	return c
}

// Run measures everything Config names, in sequence (the train must not
// compete with the TURN allocations), and returns the result with its
// verdict. Failures of single checks are part of the result; an error is
// returned only for a bad Config or a cancelled ctx.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	stunServers := stunTargets(cfg)
	if cfg.PBX == "" && len(stunServers) == 0 && len(cfg.TURNServers) == 0 {
		return Result{}, ErrNothingToCheck
	}
	turns, err := parseTURNURIs(cfg.TURNServers)
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	var r Result
	if cfg.PBX != "" {
		r.PBX = checkPBX(ctx, cfg)
	}
	if len(stunServers) > 0 {
		r.Media, r.NAT = checkUDP(ctx, cfg, stunServers)
	}
	for _, u := range turns {
		r.TURN = append(r.TURN, checkTURN(ctx, cfg, u))
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	r.Took = Duration(time.Since(start))
	r.Verdict, r.Findings = judge(r)
	cfg.Logger.Info("network check", "verdict", r.Verdict.String(), "rtt_ms", r.Media.RTT.Millis(),
		"loss_pct", r.Media.LossPercent, "jitter_ms", r.Media.Jitter.Millis(), "nat", r.NAT.Type.String())
	return r, nil
}

// Duration is a time.Duration that marshals to JSON as milliseconds.
type Duration time.Duration

// Millis returns d in milliseconds.
func (d Duration) Millis() float64 { return float64(time.Duration(d)) / float64(time.Millisecond) }

// MarshalJSON writes milliseconds with 0.1 ms resolution.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(formatFloat(d.Millis())), nil
}

// UnmarshalJSON reads milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	f, err := parseFloat(string(b))
	if err != nil {
		return err
	}
	*d = Duration(f * float64(time.Millisecond))
	return nil
}
