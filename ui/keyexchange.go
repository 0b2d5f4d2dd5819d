package ui

import (
	"fyne.io/fyne/v2/lang"

	"softphone/phone"
)

// securityLabel is the call panel's encryption text: the SRTP suite with how its keys were agreed,
// e.g. "AEAD_AES_128_GCM (DTLS)", or a note while the DTLS-SRTP handshake runs.
func securityLabel(c phone.CallInfo) string {
	switch {
	case c.Securing:
		return lang.L("Securing media (DTLS)…")
	case c.SRTP != "" && c.KeyExchange != phone.KeyExchangeNone:
		return c.SRTP + " (" + c.KeyExchange.String() + ")"
	}
	return c.SRTP
}
