package phone

import (
	"time"

	"softphone/audio"
)

// RegState is the registration state of the agent's SIP account.
type RegState int

// Registration states.
const (
	RegOff         RegState = iota // not registered, not trying (logged out or closed)
	RegRegistering                 // REGISTER sent, waiting for the registrar
	RegRegistered                  // 200 OK received and refreshed before expiry
	RegFailed                      // last attempt failed; Reason says why; retrying with back-off
)

func (s RegState) String() string {
	switch s {
	case RegOff:
		return "off"
	case RegRegistering:
		return "registering"
	case RegRegistered:
		return "registered"
	case RegFailed:
		return "failed"
	}
	return "unknown"
}

// CallState is where a call is in its life.
type CallState int

// Call states. A call moves forward only: Dialing|Incoming → (Ringing) →
// Active ⇄ Held → Ended.
const (
	CallDialing  CallState = iota // outgoing INVITE sent, no answer yet
	CallRinging                   // outgoing: far end is ringing (180/183)
	CallIncoming                  // incoming: we are ringing, agent has not answered
	CallActive                    // media flows
	CallHeld                      // on hold (local or remote); media paused
	CallEnded                     // over; EndReason says why
)

// CanBecome reports whether a call may move from s to next. Calls only move
// forward: Dialing → Ringing → Active, Incoming → Active, Active ⇄ Held,
// and anything → Ended, which is final. Staying in a state (a change of
// hold flags, mute or crypto) is allowed except for Ended.
func (s CallState) CanBecome(next CallState) bool {
	if s == CallEnded {
		return false
	}
	if next == CallEnded || next == s {
		return true
	}
	switch s {
	case CallDialing:
		return next == CallRinging || next == CallActive
	case CallRinging:
		return next == CallActive
	case CallIncoming:
		return next == CallActive
	case CallActive:
		return next == CallHeld
	case CallHeld:
		return next == CallActive
	}
	return false
}

func (s CallState) String() string {
	switch s {
	case CallDialing:
		return "dialing"
	case CallRinging:
		return "ringing"
	case CallIncoming:
		return "incoming"
	case CallActive:
		return "active"
	case CallHeld:
		return "held"
	case CallEnded:
		return "ended"
	}
	return "unknown"
}

// Direction tells who placed a call.
type Direction int

// Directions.
const (
	Outgoing Direction = iota
	Incoming
)

func (d Direction) String() string {
	if d == Incoming {
		return "incoming"
	}
	return "outgoing"
}

// Registration describes the account's registration.
type Registration struct {
	State  RegState
	AOR    string   // address of record, e.g. sip:1001@pbx.example.com
	Reason string   // why it failed, written for the agent ("certificate not trusted")
	Cause  RegCause // Reason, typed
	Err    error    // the underlying error when State == RegFailed
}

// CallInfo is a copy of a call's state, safe to keep and read anywhere.
type CallInfo struct {
	ID         string
	Direction  Direction
	State      CallState
	Remote     string // the far end's URI (personal data: mask before logging)
	RemoteName string // display name, if any
	Number     string // the far end's user part / number as received
	LocalHold  bool   // we put the call on hold
	RemoteHold bool   // the far end put the call on hold
	Muted      bool
	SRTP       string // negotiated SRTP suite; "" means the call is NOT encrypted
	Codec      string // e.g. "PCMA", "G722", "opus"
	SampleRate int    // the codec's audio rate in Hz: 8000 narrowband, 16000 wideband; 0 before media
	Created    time.Time
	Answered   time.Time // zero until the call is active
	Ended      time.Time
	EndReason  string // why the call ended, for the agent
	// Feature marks a feature-code call the phone made itself (queue
	// pause/unpause); views do not list it.
	Feature bool
	// ConsultFor is the customer's call ID when this call is a
	// consultation for an attended transfer.
	ConsultFor string
	// Link is whether the call's network path is up or being moved to a
	// new local address (network.go).
	Link LinkState
	// The recorder's state travels as RecordingChanged (replayed by Watch).
}

// Encrypted reports whether the call's media is protected by SRTP.
func (c CallInfo) Encrypted() bool { return c.SRTP != "" }

// CallStats are the media statistics of a call.
type CallStats struct {
	PacketsSent     uint64
	PacketsReceived uint64
	PacketsLost     uint64  // as seen by us (sequence gaps)
	RemoteLost      uint64  // as reported by the far end in RTCP
	JitterMs        float64 // interarrival jitter (RFC 3550 6.4.1)
	RTTMs           float64 // from RTCP SR/RR; 0 until known
	MOS             float64 // E-model estimate 1..4.5; 0 until known
	SRTPFailures    uint64  // received packets that failed SRTP/SRTCP authentication or replay
	Dropped         uint64  // received datagrams that were not usable RTP (runts, unknown payload)
	// Candidate is the type of the ICE candidate media leaves from: "host", "srflx", "prflx"
	// or "relay" ("" without ICE); Path is the whole selected pair, for the call details.
	Candidate, Path string
	Latency         audio.Latency
}

// Snapshot is the agent's whole state at one instant.
type Snapshot struct {
	Login        Login
	Registration Registration
	Calls        []CallInfo // live calls, oldest first
}
