package netcheck

import (
	"bytes"
	"strconv"
	"text/template"
)

// Verdict sums up the check for the agent.
type Verdict int

// Verdicts, best first.
const (
	VerdictGood Verdict = iota // calls will sound fine
	VerdictFair                // calls work, quality may suffer
	VerdictPoor                // calls will fail or sound bad
)

// String returns "good", "fair" or "poor".
func (v Verdict) String() string {
	switch v {
	case VerdictFair:
		return "fair"
	case VerdictPoor:
		return "poor"
	}
	return "good"
}

// MarshalText writes String().
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// NATType is what kind of address translation lies between us and the
// STUN server (RFC 4787 terms).
type NATType int

// NAT types.
const (
	NATUnknown             NATType = iota // not measured, or one server only
	NATNone                               // the mapped address is our own
	NATEndpointIndependent                // the same mapping towards every server: direct media works
	NATSymmetric                          // a new mapping per destination: media needs TURN or a relay
	NATBlocked                            // no answer over UDP at all
)

// String returns the type's name.
func (n NATType) String() string {
	switch n {
	case NATNone:
		return "none"
	case NATEndpointIndependent:
		return "endpoint-independent"
	case NATSymmetric:
		return "symmetric"
	case NATBlocked:
		return "udp-blocked"
	}
	return "unknown"
}

// MarshalText writes String().
func (n NATType) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// BehindNAT reports whether our address is translated.
func (n NATType) BehindNAT() bool { return n == NATEndpointIndependent || n == NATSymmetric }

// Finding is one reason for the verdict. Key is an English text/template
// (the message key of assets/translations) filled from Args.
type Finding struct {
	Verdict Verdict        `json:"verdict"`
	Key     string         `json:"key"`
	Args    map[string]any `json:"args,omitempty"`
}

// Text is the English message.
func (f Finding) Text() string {
	t, err := template.New("").Parse(f.Key)
	if err != nil {
		return f.Key
	}
	var b bytes.Buffer
	if t.Execute(&b, f.Args) != nil {
		return f.Key
	}
	return b.String()
}

// Message keys (also in assets/translations/{en,de}.json).
const (
	MsgPBXUnreachable = "The phone system cannot be reached: {{.Error}}"
	MsgPBXSlow        = "The phone system answers slowly ({{.RTT}} ms round trip)."
	MsgUDPBlocked     = "This network blocks UDP: calls must go through a TURN relay."
	MsgNoRelay        = "No TURN relay could be reached: calls from this network will have no audio."
	MsgTURNFailed     = "TURN over {{.Transport}} failed: {{.Error}}"
	MsgLossHigh       = "Packet loss is high ({{.Loss}} %): voices will break up."
	MsgLossSome       = "Some packets are lost ({{.Loss}} %)."
	MsgJitterHigh     = "The delay varies a lot ({{.Jitter}} ms jitter)."
	MsgRTTHigh        = "The round trip is long ({{.RTT}} ms): expect talking over each other."
	MsgSymmetricNAT   = "The router maps every destination to a new port (symmetric NAT): calls need a TURN relay."
	MsgAllGood        = "The network is fine for calls."
)

// Thresholds of the verdict (ITU-T G.114 for delay; loss and jitter as the
// usual VoIP planning figures).
const (
	lossFair, lossPoor     = 1.0, 3.0     // percent
	jitterFair, jitterPoor = 20.0, 50.0   // ms
	rttFair, rttPoor       = 150.0, 300.0 // ms (one way ≈ half)
)

// judge derives the verdict and findings from a result.
func judge(r Result) (Verdict, []Finding) {
	var fs []Finding
	add := func(v Verdict, key string, args map[string]any) { fs = append(fs, Finding{v, key, args}) }
	if r.PBX.Addr != "" && !r.PBX.OK {
		add(VerdictPoor, MsgPBXUnreachable, map[string]any{"Error": r.PBX.Error})
	} else if ms := r.PBX.RTT.Millis(); ms > rttFair {
		add(VerdictFair, MsgPBXSlow, map[string]any{"RTT": round1(ms)})
	}
	relay := false
	for _, t := range r.TURN {
		if t.OK {
			relay = true
		} else {
			add(VerdictFair, MsgTURNFailed, map[string]any{"Transport": t.Transport.String(), "Error": t.Error})
		}
	}
	if r.NAT.Type == NATBlocked {
		if relay {
			add(VerdictFair, MsgUDPBlocked, nil)
		} else {
			add(VerdictPoor, MsgNoRelay, nil)
		}
	}
	if r.NAT.Type == NATSymmetric {
		v := VerdictFair
		if !relay {
			v = VerdictPoor
		}
		add(v, MsgSymmetricNAT, nil)
	}
	if m := r.Media; m.Received > 0 {
		switch loss := round1(m.LossPercent); {
		case loss >= lossPoor:
			add(VerdictPoor, MsgLossHigh, map[string]any{"Loss": loss})
		case loss >= lossFair:
			add(VerdictFair, MsgLossSome, map[string]any{"Loss": loss})
		}
		if j := round1(m.Jitter.Millis()); j >= jitterFair {
			add(worse(j >= jitterPoor), MsgJitterHigh, map[string]any{"Jitter": j})
		}
		if rtt := round1(m.RTT.Millis()); rtt >= rttFair {
			add(worse(rtt >= rttPoor), MsgRTTHigh, map[string]any{"RTT": rtt})
		}
	}
	v := VerdictGood
	for _, f := range fs {
		v = max(v, f.Verdict)
	}
	if len(fs) == 0 {
		add(VerdictGood, MsgAllGood, nil)
	}
	sortFindings(fs)
	return v, fs
}

func worse(poor bool) Verdict {
	if poor {
		return VerdictPoor
	}
	return VerdictFair
}

// sortFindings puts the worst first, keeping the order otherwise.
func sortFindings(fs []Finding) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Verdict > fs[j-1].Verdict; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func formatFloat(f float64) string { return strconv.FormatFloat(round1(f), 'f', -1, 64) }

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
