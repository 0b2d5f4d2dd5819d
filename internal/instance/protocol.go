package instance

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxLinkLen is the longest link handed between instances (browsers cap URLs
// far higher, but no sip: or tel: link to dial is longer).
const MaxLinkLen = 2048

// maxMessage bounds one request line on the wire.
const maxMessage = 4096

const protocolVersion = 1

// Request operations.
const (
	opOpen = "open" // deliver a link (or "" to bring the window forward)
	opPing = "ping" // is the primary alive? (used by Acquire)
)

// request is one JSON line from a secondary.
type request struct {
	V     int    `json:"v"`
	Op    string `json:"op"`
	Token string `json:"token,omitempty"`
	Link  string `json:"link,omitempty"`
}

// reply is the primary's one JSON line answer.
type reply struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"` // "busy" | "refused"
}

var errBadRequest = errors.New("bad request")

// parseRequest decodes and checks one request line (network input).
func parseRequest(line []byte) (request, error) {
	if len(line) > maxMessage {
		return request{}, fmt.Errorf("%w: too long", errBadRequest)
	}
	var r request
	if err := json.Unmarshal(line, &r); err != nil {
		return request{}, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	if r.V != protocolVersion {
		return request{}, fmt.Errorf("%w: version %d", errBadRequest, r.V)
	}
	switch r.Op {
	case opPing:
		if r.Link != "" {
			return request{}, fmt.Errorf("%w: ping with link", errBadRequest)
		}
	case opOpen:
		if err := checkLink(r.Link); err != nil {
			return request{}, fmt.Errorf("%w: %v", errBadRequest, err)
		}
	default:
		return request{}, fmt.Errorf("%w: op %q", errBadRequest, r.Op)
	}
	return r, nil
}

// checkLink is the transport-level check: bounded, UTF-8, no control
// characters (which could smuggle lines into logs or SIP headers). Scheme
// syntax is checked by urlhandler.Parse on both sides.
func checkLink(link string) error {
	if len(link) > MaxLinkLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidLink, MaxLinkLen)
	}
	if !utf8.ValidString(link) {
		return fmt.Errorf("%w: not UTF-8", ErrInvalidLink)
	}
	for _, r := range link {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%w: control character", ErrInvalidLink)
		}
	}
	return nil
}
