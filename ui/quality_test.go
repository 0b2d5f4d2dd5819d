package ui

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/phone"
)

// The call panel shows a warning banner with the cause and its figure while the phone reports
// poor quality, and hides it when the warning clears; another call's warning does not touch it.
func TestQualityBannerFollowsWarnings(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})
	p.emit(phone.CallChanged{Call: activeCall("c2", "AEAD_AES_128_GCM", clk.t)})
	b1, b2 := d.Main.Calls.Panels["c1"].QualityBanner, d.Main.Calls.Panels["c2"].QualityBanner
	require.False(t, b1.Root.Visible(), "no banner on a fine call")

	for _, tt := range []struct {
		w    phone.QualityWarning
		want string
	}{
		{phone.QualityWarning{CallID: "c1", Cause: phone.QualityLoss, Value: 9.33}, "Poor call quality: 9.3 % of the audio lost"},
		{phone.QualityWarning{CallID: "c1", Cause: phone.QualityMOS, Value: 3.17}, "Poor call quality (MOS 3.2)"},
		{phone.QualityWarning{CallID: "c1", Cause: phone.QualityJitter, Value: 61}, "Poor call quality: unsteady connection (61 ms jitter)"},
	} {
		p.emit(tt.w)
		assert.True(t, b1.Root.Visible(), "%v: banner shown", tt.w.Cause)
		assert.Equal(t, tt.want, b1.Headline.Text)
		assert.Equal(t, tt.w.Cause, b1.Cause)
		assert.True(t, strings.Contains(b1.Hint.Text, "network"), "the banner says what to do, not only a colour")
		assert.False(t, b2.Root.Visible(), "the other call's panel stays clear")
	}
	p.emit(phone.QualityCleared{CallID: "c1"})
	assert.False(t, b1.Root.Visible(), "banner hidden when quality recovers")
	assert.Zero(t, b1.Cause)
	p.emit(phone.QualityWarning{CallID: "gone", Cause: phone.QualityLoss, Value: 5}) // no panel: ignored
}

func TestQualityBannerGerman(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p, WithLanguage(LangGerman))
	p.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})
	p.emit(phone.QualityWarning{CallID: "c1", Cause: phone.QualityLoss, Value: 4})
	b := d.Main.Calls.Panels["c1"].QualityBanner
	assert.Equal(t, "Schlechte Gesprächsqualität: 4.0 % der Sprache gehen verloren", b.Headline.Text)
	assert.Contains(t, b.Hint.Text, "WLAN")
}
