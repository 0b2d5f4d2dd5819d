package phone

import (
	"errors"
	"strings"
	"testing"
)

func TestCleanNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"+49 (201) 809-000", "+49201809000", nil},
		{"+49 (0)201 809000", "+49201809000", nil},
		{"0201 / 80 90 00", "0201809000", nil},
		{"0201.809.000", "0201809000", nil},
		{"\u200b+49\u00a0201\u2009809000\n", "+49201809000", nil}, // zero-width, no-break and thin spaces
		{"＋４９ ２０１ ８０９０００", "+49201809000", nil},                   // full-width digits
		{"+49 201 809000\u2013", "+49201809000", nil},             // en dash
		{"tel:+49-201-809000;phone-context=example.com", "+49201809000", nil},
		{"sip:1002@pbx.example.com", "sip:1002@pbx.example.com", nil},
		{"SIPS:alice@pbx.example.com;transport=tls", "SIPS:alice@pbx.example.com;transport=tls", nil},
		{"alice@pbx.example.com", "alice@pbx.example.com", nil},
		{"echo", "echo", nil},
		{"support.desk-2", "support.desk-2", nil},
		{"*43", "*43", nil},
		{"#31#0201809000", "#31#0201809000", nil},
		{"1002", "1002", nil},
		{"", "", ErrEmptyNumber},
		{"  \t ", "", ErrEmptyNumber},
		{"()-", "", ErrInvalidNumber},
		{"+", "", ErrInvalidNumber},
		{"49+201", "", ErrInvalidNumber},
		{"++49201", "", ErrInvalidNumber},
		{"call me", "", ErrInvalidNumber},
		{"0201 809000 ext. 12", "", ErrInvalidNumber},
		{"sip:", "", ErrInvalidNumber},
		{"sip:a b@c", "", ErrInvalidNumber},
		{"a b@c", "", ErrInvalidNumber},
		{strings.Repeat("1", 33), "", ErrNumberTooLong},
		{strings.Repeat("1", 32), strings.Repeat("1", 32), nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CleanNumber(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CleanNumber(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("CleanNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
