package ui

import (
	"fyne.io/fyne/v2/lang"

	"softphone/phone"
)

// regCauseText says why the registration failed, in the agent's language,
// from the typed cause; the phone's English reason is the fallback.
func regCauseText(r phone.Registration) string {
	switch r.Cause {
	case phone.RegCauseCertUntrusted:
		return lang.L("The server's certificate is not from a trusted authority")
	case phone.RegCauseCertExpired:
		return lang.L("The server's certificate has expired")
	case phone.RegCauseCertHostname:
		return lang.L("The server's certificate is for another host name")
	case phone.RegCauseCertInvalid:
		return lang.L("The server's certificate is not valid")
	case phone.RegCauseAuth:
		return lang.L("Wrong SIP user name or password")
	case phone.RegCauseUnreachable:
		return lang.L("The SIP server cannot be reached")
	case phone.RegCauseConnectionLost:
		return lang.L("Connection to the SIP server lost")
	case phone.RegCauseRejected:
		return lang.L("The SIP server refused the registration")
	}
	if r.Reason == "" {
		return lang.L("registration failed")
	}
	// Reasons from the phone are English; known ones are translated.
	return capitalize(lang.L(r.Reason))
}
