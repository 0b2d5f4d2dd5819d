package sip

import (
	"errors"
	"testing"
	"time"
)

func TestParseDTMFRelay(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		digit rune
		dur   time.Duration
		err   bool
	}{
		{"crlf", "Signal=5\r\nDuration=160\r\n", '5', 160 * time.Millisecond, false},
		{"lf only", "Signal=#\nDuration=250\n", '#', 250 * time.Millisecond, false},
		{"spaces and case", "signal = *\r\n duration= 100 \r\n", '*', 100 * time.Millisecond, false},
		{"no duration", "Signal=9", '9', 0, false},
		{"lower-case letter", "Signal=d\r\n", 'D', 0, false},
		{"event number 10 is star", "Signal=10\r\nDuration=100\r\n", '*', 100 * time.Millisecond, false},
		{"event number 11 is hash", "Signal=11\r\n", '#', 0, false},
		{"event number 12 is A", "Signal=12\r\n", 'A', 0, false},
		{"event number 15 is D", "Signal=15\r\n", 'D', 0, false},
		{"bad duration ignored", "Signal=1\r\nDuration=-5\r\n", '1', 0, false},
		{"empty", "", 0, 0, true},
		{"no signal", "Duration=160\r\n", 0, 0, true},
		{"bad signal", "Signal=X\r\n", 0, 0, true},
		{"event 16", "Signal=16\r\n", 0, 0, true},
		{"two chars", "Signal=55\r\n", 0, 0, true},
		{"garbage", "\x00\xff==\r\n", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, dur, err := parseDTMFRelay([]byte(tt.body))
			if tt.err {
				if !errors.Is(err, ErrBadDTMF) {
					t.Fatalf("err = %v, want ErrBadDTMF", err)
				}
				return
			}
			if err != nil || d != tt.digit || dur != tt.dur {
				t.Fatalf("= %q, %v, %v; want %q, %v", d, dur, err, tt.digit, tt.dur)
			}
		})
	}
}

func TestParseDTMFRelayTooLong(t *testing.T) {
	body := make([]byte, maxDTMFBody+1)
	if _, _, err := parseDTMFRelay(body); !errors.Is(err, ErrBadDTMF) {
		t.Fatalf("err = %v", err)
	}
}

func TestBuildDTMFRelay(t *testing.T) {
	for _, r := range "0123456789*#ABCD" {
		b, err := buildDTMFRelay(r, 160*time.Millisecond)
		if err != nil {
			t.Fatalf("%q: %v", r, err)
		}
		if want := "Signal=" + string(r) + "\r\nDuration=160\r\n"; string(b) != want {
			t.Fatalf("%q: body %q, want %q", r, b, want)
		}
		got, dur, err := parseDTMFRelay(b)
		if err != nil || got != r || dur != 160*time.Millisecond {
			t.Fatalf("round trip %q: %q %v %v", r, got, dur, err)
		}
	}
	for _, r := range "xa E\x00é" {
		if _, err := buildDTMFRelay(r, 0); !errors.Is(err, ErrBadDTMF) {
			t.Errorf("%q: err = %v, want ErrBadDTMF", r, err)
		}
	}
}

// FuzzParseDTMFRelay: bodies come from the network; parsing must never
// panic, and whatever it accepts must be a valid digit that survives a
// build/parse round trip.
func FuzzParseDTMFRelay(f *testing.F) {
	for _, s := range []string{"Signal=5\r\nDuration=160\r\n", "Signal=11\n", "signal=a", "", "Duration=1", "Signal==\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, _, err := parseDTMFRelay(body)
		if err != nil {
			return
		}
		if !validDTMF(d) {
			t.Fatalf("accepted invalid digit %q from %q", d, body)
		}
		b, err := buildDTMFRelay(d, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if d2, _, err := parseDTMFRelay(b); err != nil || d2 != d {
			t.Fatalf("round trip of %q: %q, %v", d, d2, err)
		}
	})
}
