package crm

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeSameContact(t *testing.T) {
	// The three spellings from the issue find the same contact.
	for _, in := range []string{"0201 80900", "+49 201 80900", "004920180900", "+49 (0) 201 80900", "(0201) 809-00", "tel:+49-201-80900", "+49\u00a0201\u00a080900"} {
		t.Run(in, func(t *testing.T) {
			got, err := Normalize(in, "DE")
			require.NoError(t, err)
			assert.Equal(t, "+4920180900", got)
		})
	}
}

func TestNormalizeRegions(t *testing.T) {
	got, err := Normalize("020 7946 0018", "GB")
	require.NoError(t, err)
	assert.Equal(t, "+442079460018", got)
	got, err = Normalize("+49 201 80900", "US")
	require.NoError(t, err, "an international number does not depend on the region")
	assert.Equal(t, "+4920180900", got)
	got, err = Normalize("0201 80900", "de")
	require.NoError(t, err, "region is case-insensitive")
	assert.Equal(t, "+4920180900", got)
}

func TestNormalizeBad(t *testing.T) {
	for _, in := range []string{"", "   ", "anonymous", "12", "0800-FLOWERS", "+", "49+20180900", "+49 201 80900 x", "123456789012345678901", "sip:alice@example.com"} {
		t.Run(in, func(t *testing.T) {
			_, err := Normalize(in, "DE")
			assert.ErrorIs(t, err, ErrBadNumber)
		})
	}
}

func TestNumberRedactsInLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("call", "number", Number("+4920180900"), "other", RedactNumber("+49 170 1234567"))
	out := buf.String()
	assert.Contains(t, out, `"number":"…900"`)
	assert.Contains(t, out, `"other":"…567"`)
	assert.NotContains(t, out, "80900")
	assert.NotContains(t, out, "1234567")
	assert.Equal(t, "…900", fmt.Sprint(Number("+4920180900")), "fmt must not leak it either")

	for _, tt := range []struct{ in, want string }{
		{"+4920180900", "…900"}, {"12345678", "…78"}, {"123", "…3"}, {"12", "…"}, {"", "…"},
	} {
		assert.Equal(t, tt.want, redactNumber(tt.in), tt.in)
	}
}
