package sip

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dtmfRelayType is the Content-Type of SIP INFO DTMF bodies.
const dtmfRelayType = "application/dtmf-relay"

// defaultDTMFDuration is the tone length announced in outgoing INFO bodies.
const defaultDTMFDuration = 160 * time.Millisecond

// maxDTMFBody bounds the body we are willing to parse.
const maxDTMFBody = 1024

// validDTMF reports whether r is a DTMF digit: 0-9 * # A-D.
func validDTMF(r rune) bool {
	switch {
	case r >= '0' && r <= '9', r == '*', r == '#', r >= 'A' && r <= 'D':
		return true
	}
	return false
}

// parseDTMFRelay parses an application/dtmf-relay body:
//
//	Signal=5
//	Duration=160
//
// Keys are case-insensitive; lines end in CRLF or LF. Some phones send the
// RFC 4733 event numbers 10-15 for * # A-D; those are accepted too. A
// missing or bad Duration yields 0.
func parseDTMFRelay(body []byte) (digit rune, dur time.Duration, err error) {
	if len(body) > maxDTMFBody {
		return 0, 0, fmt.Errorf("%w: body too long", ErrBadDTMF)
	}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	found := false
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "signal":
			d, ok := signalDigit(val)
			if !ok {
				return 0, 0, fmt.Errorf("%w: signal %q", ErrBadDTMF, val)
			}
			digit, found = d, true
		case "duration":
			if ms, err := strconv.Atoi(val); err == nil && ms > 0 && ms < 60000 {
				dur = time.Duration(ms) * time.Millisecond
			}
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, fmt.Errorf("%w: %v", ErrBadDTMF, err)
	}
	if !found {
		return 0, 0, fmt.Errorf("%w: no Signal line", ErrBadDTMF)
	}
	return digit, dur, nil
}

func signalDigit(v string) (rune, bool) {
	if len(v) == 1 {
		r := rune(v[0])
		if r >= 'a' && r <= 'd' {
			r -= 'a' - 'A'
		}
		return r, validDTMF(r)
	}
	switch v {
	case "10":
		return '*', true
	case "11":
		return '#', true
	case "12", "13", "14", "15":
		return rune('A' + (v[1] - '2')), true
	}
	return 0, false
}

// buildDTMFRelay renders an application/dtmf-relay body for digit.
func buildDTMFRelay(digit rune, dur time.Duration) ([]byte, error) {
	if !validDTMF(digit) {
		return nil, fmt.Errorf("%w: %q", ErrBadDTMF, digit)
	}
	return fmt.Appendf(nil, "Signal=%c\r\nDuration=%d\r\n", digit, dur.Milliseconds()), nil
}
