package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// QualityBanner is the call panel's live warning that the line is bad: a warning icon, a bold
// headline that names the cause with its figure, and what the agent can do. It is text and an
// icon, not only a colour. Hidden while the call's quality is fine.
type QualityBanner struct {
	// Root is the banner's content.
	Root *fyne.Container
	// Headline names the cause ("Poor call quality: 9.3 % of the audio lost").
	Headline *canvas.Text
	// Hint says what the agent can do.
	Hint *widget.Label
	// Cause is the cause shown; 0 while hidden.
	Cause phone.QualityCause
}

func newQualityBanner() *QualityBanner {
	b := &QualityBanner{}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameWarning))
	bg.CornerRadius = theme.InputRadiusSize()
	b.Headline = canvas.NewText("", theme.Color(theme.ColorNameForegroundOnWarning))
	b.Headline.TextStyle.Bold = true
	b.Hint = widget.NewLabel(lang.L("The caller may hear you badly. Check your network: Wi-Fi signal, VPN, other downloads."))
	b.Hint.Wrapping = fyne.TextWrapWord
	b.Hint.SizeName = theme.SizeNameCaptionText
	icon := widget.NewIcon(theme.NewColoredResource(theme.WarningIcon(), theme.ColorNameForegroundOnWarning))
	b.Root = container.NewStack(bg, container.NewPadded(container.NewBorder(nil, nil,
		container.NewCenter(icon), nil, container.NewVBox(b.Headline, b.Hint))))
	b.Root.Hide()
	return b
}

// show puts up the warning for w.
func (b *QualityBanner) show(w phone.QualityWarning) {
	b.Cause = w.Cause
	b.Headline.Text = qualityHeadline(w)
	b.Headline.Refresh()
	b.Root.Show()
}

// clear hides the banner.
func (b *QualityBanner) clear() {
	b.Cause = 0
	b.Root.Hide()
}

// qualityHeadline says what is wrong, in the agent's language.
func qualityHeadline(w phone.QualityWarning) string {
	switch w.Cause {
	case phone.QualityLoss:
		return lang.L("Poor call quality: {{.Loss}} % of the audio lost", map[string]any{"Loss": fmt.Sprintf("%.1f", w.Value)})
	case phone.QualityJitter:
		return lang.L("Poor call quality: unsteady connection ({{.Jitter}} ms jitter)", map[string]any{"Jitter": fmt.Sprintf("%.0f", w.Value)})
	}
	return lang.L("Poor call quality (MOS {{.MOS}})", map[string]any{"MOS": fmt.Sprintf("%.1f", w.Value)})
}

// applyQuality routes a quality warning or its end to the call's panel. Fyne thread.
func (d *Desktop) applyQuality(ev phone.Event) {
	if d.Main == nil {
		return
	}
	switch e := ev.(type) {
	case phone.QualityWarning:
		if p, ok := d.Main.Calls.Panels[e.CallID]; ok {
			p.QualityBanner.show(e)
		}
	case phone.QualityCleared:
		if p, ok := d.Main.Calls.Panels[e.CallID]; ok {
			p.QualityBanner.clear()
		}
	}
}
