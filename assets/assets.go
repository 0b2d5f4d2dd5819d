// Package assets holds the files the desktop ships with: translations,
// icons and the ringtone. Everything is embedded so the binary is
// self-contained.
package assets

import (
	"embed"

	"fyne.io/fyne/v2"
)

// Translations holds translations/en.json and translations/de.json for
// lang.AddTranslationsFS(Translations, TranslationsDir).
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the directory inside Translations.
const TranslationsDir = "translations"

//go:embed icon.png
var iconPNG []byte

//go:embed icons/*.svg
var icons embed.FS

// AppIcon is the application icon (256x256 PNG).
var AppIcon = fyne.NewStaticResource("softphone.png", iconPNG)

// Icon names the SVG icons in icons/ (Material Design, Apache-2.0).
type Icon string

// Icons shipped in icons/.
const (
	IconLock     Icon = "lock"
	IconLockOpen Icon = "lock_open"
	IconCall     Icon = "call"
	IconCallEnd  Icon = "call_end"
	IconMic      Icon = "mic"
	IconMicOff   Icon = "mic_off"
	IconDialpad  Icon = "dialpad"
)

// Resource returns the icon as a Fyne resource (plain, single-colour SVG:
// wrap it in theme.NewThemedResource or a coloured variant). An unknown name
// returns nil.
func (i Icon) Resource() fyne.Resource {
	b, err := icons.ReadFile("icons/" + string(i) + ".svg")
	if err != nil {
		return nil
	}
	return fyne.NewStaticResource(string(i)+".svg", b)
}
