package crm

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidLuhn(t *testing.T) {
	// Known-answer vectors: the card networks' published test numbers.
	good := []string{"4111111111111111", "4111 1111 1111 1111", "5500-0000-0000-0004", "340000000000009",
		"6011000000000004", "4012888888881881", "4242424242424242"}
	bad := []string{"4111111111111112", "1234567890123456", "79927398713" /* valid Luhn, too short for a PAN */, "", "abcd"}
	for _, s := range good {
		assert.True(t, ValidLuhn(s), s)
	}
	for _, s := range bad {
		assert.False(t, ValidLuhn(s), s)
	}
}

func TestValidIBAN(t *testing.T) {
	// Known-answer vectors from the ISO 13616 registry examples.
	good := []string{"DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
		"gb82 west 1234 5698 7654 32", "NO9386011117947", "FR1420041010050500013M02606"}
	bad := []string{"DE89370400440532013001", "DE00123456789012345678", "GB82WEST1234569876543", "DE89", "", "XX89370400440532013000"}
	for _, s := range good {
		assert.True(t, ValidIBAN(s), s)
	}
	for _, s := range bad {
		assert.False(t, ValidIBAN(s), s)
	}
}

func TestValidDate(t *testing.T) {
	for _, s := range []string{"1984-03-07", "19840307", "07.03.1984", "7.3.1984", "--0307"} {
		assert.True(t, validDate(s), s)
	}
	for _, s := range []string{"1984-13-07", "31.02.1984", "--1399", "yesterday", "84"} {
		assert.False(t, validDate(s), s)
	}
}
