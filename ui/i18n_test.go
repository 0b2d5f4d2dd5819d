package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"softphone/assets"
)

func readTranslations(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + code + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

// TestTranslationsCoverSource checks that every lang.L key in the package
// is translated into both languages and that no stale keys linger.
func TestTranslationsCoverSource(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`lang\.L\("((?:[^"\\]|\\.)*)"`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			var key string
			if err := json.Unmarshal([]byte(`"`+m[1]+`"`), &key); err != nil {
				t.Fatalf("%s: key %q: %v", f, m[1], err)
			}
			used[key] = true
		}
	}
	en, de := readTranslations(t, "en"), readTranslations(t, "de")
	var missing []string
	for k := range used {
		if _, ok := en[k]; !ok {
			missing = append(missing, "en: "+k)
		}
		if v, ok := de[k]; !ok || v == "" {
			missing = append(missing, "de: "+k)
		}
	}
	for k := range en {
		if _, ok := de[k]; !ok {
			missing = append(missing, "de lacks en key: "+k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("untranslated:\n%s", strings.Join(missing, "\n"))
	}
	// Template fields must survive translation.
	field := regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)
	for k, v := range de {
		a, b := field.FindAllString(k, -1), field.FindAllString(v, -1)
		sort.Strings(a)
		sort.Strings(b)
		if strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("de %q: template fields %v, want %v", k, b, a)
		}
	}
}

func TestSetLanguage(t *testing.T) {
	t.Cleanup(func() { _ = setLanguage(LangEnglish) })
	if err := loadTranslations(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ code, want string }{
		{LangGerman, "Annehmen"},
		{LangEnglish, "Answer"},
		{LangGerman, "Annehmen"},
	} {
		if err := setLanguage(tt.code); err != nil {
			t.Fatal(err)
		}
		if got := lang.L("Answer"); got != tt.want {
			t.Errorf("after %q: %q, want %q", tt.code, got, tt.want)
		}
	}
	if err := setLanguage("xx"); err == nil {
		t.Error("unknown language accepted")
	}
}
