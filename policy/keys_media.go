package policy

import (
	"fmt"

	"softphone/config"
)

// media.key_exchange: which SRTP key exchanges a call may use. "both" allows SDES and DTLS-SRTP,
// "sdes" and "dtls" one each; a value is tighter when it allows a subset of the other's, so a
// machine policy of "dtls" binds the user to DTLS-SRTP and a user may narrow "both" to either.

// keyExchangeSet is what each value allows, as a list for subsetTighter.
var keyExchangeSet = map[string]string{
	config.KeyExchangeSDES: "sdes",
	config.KeyExchangeDTLS: "dtls",
	config.KeyExchangeBoth: "sdes,dtls",
	"":                     "sdes,dtls", // unset: the default, both
}

// keyExchangeTighter orders key exchanges by the set they allow.
func keyExchangeTighter(a, b string) int {
	return subsetTighter(keyExchangeSet[a], keyExchangeSet[b])
}

func mediaKeySettings() []setting {
	return []setting{
		{key: "media.key_exchange", tight: keyExchangeTighter,
			get: func(c *config.Config) string { return c.Media.KeyExchange },
			set: func(c *config.Config, v string) error {
				if _, ok := keyExchangeSet[v]; !ok || v == "" {
					return fmt.Errorf("%q: want sdes, dtls or both", v)
				}
				c.Media.KeyExchange = v
				return nil
			}},
	}
}
