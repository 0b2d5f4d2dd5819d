package ui

import (
	"testing"

	"softphone/phone"
)

func TestSecurityLabel(t *testing.T) {
	tests := []struct {
		name string
		c    phone.CallInfo
		want string
	}{
		{"sdes", phone.CallInfo{SRTP: "AES_CM_128_HMAC_SHA1_80", KeyExchange: phone.KeyExchangeSDES}, "AES_CM_128_HMAC_SHA1_80 (SDES)"},
		{"dtls", phone.CallInfo{SRTP: "AEAD_AES_128_GCM", KeyExchange: phone.KeyExchangeDTLS}, "AEAD_AES_128_GCM (DTLS)"},
		{"securing", phone.CallInfo{Securing: true}, "Securing media (DTLS)…"},
		{"plain", phone.CallInfo{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := securityLabel(tt.c); got != tt.want {
				t.Fatalf("securityLabel = %q, want %q", got, tt.want)
			}
		})
	}
}
