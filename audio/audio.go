// Package audio is the media session of one call: the RTP/SRTP and RTCP sockets, G.711 coding, the
// jitter buffer, RFC 4733 DTMF, RTCP statistics and the taps recording hooks into. It is pure Go
// and never imports audio/device: sound devices come in through the Source and Sink interfaces.
package audio

import (
	"log/slog"
	"net/netip"
	"time"
)

// Sample rate and framing of every Source, Sink and Tap frame.
const (
	SampleRate   = 8000
	FrameSamples = 160 // 20 ms at 8 kHz
	FrameTime    = 20 * time.Millisecond
)

// Crypto suite names accepted in Config.Suites.
const (
	SuiteAEADAES128GCM      = "AEAD_AES_128_GCM"
	SuiteAESCM128HMACSHA180 = "AES_CM_128_HMAC_SHA1_80"
)

// Source delivers captured audio: 20 ms mono frames at 8 kHz. Read must not block for long: a
// device source returns what it has (n < len(frame) is padded with silence); io.EOF ends the
// source and the session sends silence from then on.
type Source interface {
	Read(frame []int16) (int, error)
}

// Sink plays received audio: 20 ms mono frames at 8 kHz. Write must not block for long.
type Sink interface {
	Write(frame []int16) error
}

// Tap sees every 20 ms frame: Captured gets what we send (silence while muted or on hold),
// Played gets what goes to the Sink (silence when nothing arrives). It is where recording hooks
// in. Calls come from the media goroutines: do not block, and copy pcm if you keep it.
type Tap interface {
	Captured(pcm []int16)
	Played(pcm []int16)
}

// Config configures a Session.
type Config struct {
	LocalIP netip.Addr
	// Relocatable binds the RTP/RTCP sockets to the unspecified address of LocalIP's family
	// (LocalIP is still what SDP advertises), so that Relocate can move a running call to a new
	// local address without touching the sockets (relocate.go).
	Relocatable bool
	// RequireSRTP refuses media without SRTP. The phone sets it from its configuration, where it
	// defaults to true; the zero value here allows plain RTP (still offering SRTP, best effort).
	RequireSRTP bool
	Suites      []string // "AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"; empty = both, GCM first
	Codecs      []string // "opus", "G722", "PCMA", "PCMU" in preference order; empty = PCMA, PCMU
	Source      Source   // capture (device, WAV file, null); nil = silence
	Sink        Sink     // playback; nil = discard
	Tap         Tap      // optional: sees agent (captured) and customer (played) PCM (recording), always at 8 kHz
	// SampleRate of Source and Sink frames: RateNarrowband (zero) or RateWideband. Each codec is
	// resampled to and from it (wideband.go).
	SampleRate int
	// NAT configures ICE/STUN/TURN (ice_config.go); the zero value is plain RTP.
	NAT NATConfig
	// Processor cleans captured frames (echo cancellation, noise suppression); nil = none.
	Processor FrameProcessor
	OnDTMF    func(digit rune)
	Logger    *slog.Logger

	// PortMin and PortMax bound the RTP port (even; RTCP is RTP+1). Zero = 16384..32766.
	PortMin, PortMax int
	// DTMFPayloadType for telephone-event in our offers; zero = 101.
	DTMFPayloadType uint8
	// JitterMin and JitterMax bound the adaptive playout delay; zero = 20 ms and 200 ms.
	JitterMin, JitterMax time.Duration
	// RTCPInterval between reports; zero = 5 s.
	RTCPInterval time.Duration
}

// State is where a Session is in its life.
type State int

// Session states.
const (
	StateIdle       State = iota // ports bound, nothing negotiated
	StateOffered                 // our offer is out, waiting for the answer
	StateNegotiated              // media parameters agreed
	StateClosed
)

// String names the state.
func (s State) String() string {
	switch s {
	case StateIdle:
		return "idle"
	case StateOffered:
		return "offered"
	case StateNegotiated:
		return "negotiated"
	case StateClosed:
		return "closed"
	}
	return "unknown"
}

// Stats is a snapshot of the call's media quality.
type Stats struct {
	PacketsSent     uint64
	PacketsReceived uint64
	BytesSent       uint64 // RTP payload octets
	BytesReceived   uint64
	PacketsLost     int64   // cumulative, from sequence numbers (RFC 3550 A.3)
	LossFraction    float64 // 0..1, over the last RTCP interval (or the call so far)
	JitterMs        float64 // RFC 3550 interarrival jitter of what we receive
	RTTMs           float64 // round-trip time from RTCP LSR/DLSR; 0 until measured
	MOS             float64 // simplified E-model estimate, 1..4.5; 0 before any audio arrived
	// What the other side reports about our stream in its RTCP receiver reports.
	RemoteLossFraction float64
	RemotePacketsLost  int64
	RemoteJitterMs     float64
	// Jitter buffer.
	PlayoutDelayMs float64
	Concealed      uint64
	Late           uint64
	Duplicates     uint64
	// SRTPFailures counts packets dropped for failed authentication or replay.
	SRTPFailures uint64
	// Dropped counts received datagrams that were not usable RTP: runts, another RTP version,
	// payload types not negotiated.
	Dropped uint64
	// Latency is the client's per-stage delay account.
	Latency Latency
	// FECRecovered counts lost frames rebuilt from the next packet's in-band FEC (Opus).
	FECRecovered uint64
	// CodecChanges counts codec switches by a re-negotiation (hold, resume, a peer's re-INVITE).
	CodecChanges uint64
	// ICE is the candidate pair media flows over; zero when the call does not use ICE.
	ICE ICEPath
}
