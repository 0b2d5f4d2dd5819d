package ui

import (
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"softphone/assets"
)

// Languages the desktop is translated into. LangSystem follows the OS.
const (
	LangSystem  = ""
	LangEnglish = "en"
	LangGerman  = "de"
)

// Languages lists the selectable languages in display order.
var Languages = []string{LangSystem, LangEnglish, LangGerman}

var i18nMu sync.Mutex // serialises changes of the process-wide lang bundle

// loadTranslations registers assets/translations with Fyne's lang package.
func loadTranslations() error {
	i18nMu.Lock()
	defer i18nMu.Unlock()
	return lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir)
}

// setLanguage makes lang.L translate into code (LangEnglish, LangGerman) or,
// for LangSystem, into the OS language.
//
// Fyne's lang package has no API to override the OS language: its
// localizer always picks the translation closest to the OS locale. So to
// force a language we register that language's messages under every tag
// the localizer may pick (en as fallback, de, and the OS language);
// LangSystem restores each file under its own tag.
func setLanguage(code string) error {
	i18nMu.Lock()
	defer i18nMu.Unlock()
	sys := baseLanguage(lang.SystemLocale())
	tags := []string{LangEnglish, LangGerman}
	if sys != LangEnglish && sys != LangGerman {
		tags = append(tags, sys)
	}
	switch code {
	case LangSystem:
		if err := lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir); err != nil {
			return err
		}
		if len(tags) == 2 {
			return nil
		}
		// An OS language we have no file for falls back to English, also
		// after it was overridden by a forced language.
		tags, code = tags[2:], LangEnglish
	case LangEnglish, LangGerman:
	default:
		return fmt.Errorf("language %q: want %q, %q or empty", code, LangEnglish, LangGerman)
	}
	data, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + code + ".json")
	if err != nil {
		return err
	}
	for _, t := range tags {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(t)); err != nil {
			return err
		}
	}
	return nil
}

// baseLanguage returns "de" for "de-AT" and similar.
func baseLanguage(l fyne.Locale) string {
	s := strings.ToLower(l.LanguageString())
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	return s
}

// languageName is how a language is offered in the language selector.
func languageName(code string) string {
	switch code {
	case LangEnglish:
		return "English"
	case LangGerman:
		return "Deutsch"
	}
	return lang.L("System language")
}
