package sdp

// Direction is the media direction attribute of RFC 3264 section 5.1.
type Direction int

// Directions. The zero value is SendRecv, the default when no attribute is present.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

// String returns the attribute name ("sendrecv", …).
func (d Direction) String() string {
	switch d {
	case SendRecv:
		return "sendrecv"
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	}
	return "unknown"
}

// parseDirection maps an attribute name to a Direction.
func parseDirection(s string) (Direction, bool) {
	switch s {
	case "sendrecv":
		return SendRecv, true
	case "sendonly":
		return SendOnly, true
	case "recvonly":
		return RecvOnly, true
	case "inactive":
		return Inactive, true
	}
	return SendRecv, false
}

// CanSend reports whether the side holding this direction may send media.
func (d Direction) CanSend() bool { return d == SendRecv || d == SendOnly }

// CanRecv reports whether the side holding this direction accepts media.
func (d Direction) CanRecv() bool { return d == SendRecv || d == RecvOnly }

// Reverse is the direction seen from the other side: sendonly ↔ recvonly.
func (d Direction) Reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	}
	return d
}

// fromFlags builds a Direction from send/receive permissions.
func fromFlags(send, recv bool) Direction {
	switch {
	case send && recv:
		return SendRecv
	case send:
		return SendOnly
	case recv:
		return RecvOnly
	}
	return Inactive
}

// AnswerDirection is the direction an answerer that wants local uses in its answer to an offer
// with direction offered (RFC 3264 section 6.1): it may only send where the offerer receives and
// only receive where the offerer sends.
func AnswerDirection(offered, local Direction) Direction {
	return fromFlags(offered.CanRecv() && local.CanSend(), offered.CanSend() && local.CanRecv())
}
