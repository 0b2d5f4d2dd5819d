package ui

import (
	"context"
	"errors"
	"softphone/assets"
	"softphone/phone"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// What the login, enrolment and lock screens share.

// errorKind names an authentication error for the log without its text:
// error texts from lower layers may carry the profile name.
func errorKind(err error) string {
	switch {
	case err == nil:
		return "none"
	case errors.Is(err, phone.ErrLoginRefused):
		return "refused"
	case errors.Is(err, phone.ErrLocked):
		return "locked"
	case errors.Is(err, phone.ErrEnrolmentRequired):
		return "enrolment required"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timeout"
	}
	return "other"
}

// authHeader is the title block of the login-type screens.
func authHeader(title, subtitle string) fyne.CanvasObject {
	sub := widget.NewLabel(subtitle)
	sub.Wrapping = fyne.TextWrapWord
	return container.NewVBox(heading(title, 1.6), sub)
}

// authScreen centres a fixed-width card on a calm background, with the
// product name above and an optional language selector in the corner.
func authScreen(body fyne.CanvasObject, sel *widget.Select) fyne.CanvasObject {
	icon := widget.NewIcon(assets.AppIcon)
	brand := container.NewHBox(container.New(fixedWidth{40}, icon), heading("Softphone", 1.3))
	card := widget.NewCard("", "", container.NewPadded(body))
	centre := container.NewCenter(container.New(fixedWidth{authCardWidth},
		container.NewVBox(container.NewCenter(brand), card)))
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	var top fyne.CanvasObject
	if sel != nil {
		top = container.NewHBox(layout.NewSpacer(), container.New(fixedWidth{optionsWidth(sel)}, sel))
	}
	return container.NewStack(bg, container.NewBorder(top, nil, nil, nil, container.NewVScroll(centre)))
}

// optionsWidth is how wide sel must be to show its longest option in full
// (a Select's own minimum fits its placeholder only: "Systemsprache" was
// cut off).
func optionsWidth(sel *widget.Select) float32 {
	w := float32(0)
	for _, o := range sel.Options {
		w = max(w, fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	// The text's inner padding on both sides, the drop-down icon and its padding.
	return w + 4*theme.Padding() + theme.IconInlineSize() + 2*theme.InnerPadding()
}

// languageSelect switches the language at once.
func languageSelect(d *Desktop) *widget.Select {
	names := make([]string, len(Languages))
	for i, c := range Languages {
		names[i] = languageName(c)
	}
	s := widget.NewSelect(names, nil)
	s.SetSelected(languageName(d.language))
	s.OnChanged = func(name string) {
		for _, c := range Languages {
			if languageName(c) == name && c != d.language {
				// This replaces the content the select is part of; the
				// detached select only refreshes itself afterwards.
				d.chooseLanguage(c)
				return
			}
		}
	}
	return s
}

// chooseLanguage switches language and stores the choice when possible.
func (d *Desktop) chooseLanguage(code string) {
	if err := d.SetLanguage(code); err != nil {
		d.log.Warn("set language", "err", err)
		return
	}
	if d.settings == nil {
		return
	}
	cfg := d.settings.Settings()
	cfg.UI.Language = code
	d.do(func(ctx context.Context) error { return d.settings.SaveSettings(ctx, cfg) }, func(err error) {
		if err != nil {
			d.log.Warn("save language", "err", err)
		}
	})
}

// confirm asks a yes/no question.
func (d *Desktop) confirm(title, msg string, done func(bool)) {
	dialog.ShowConfirm(title, msg, done, d.win)
}

// assetIcon returns a themed (foreground-coloured) asset icon.
func assetIcon(i assets.Icon) fyne.Resource {
	return theme.NewThemedResource(i.Resource())
}
