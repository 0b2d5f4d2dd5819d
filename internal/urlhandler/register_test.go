package urlhandler

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"minimal", Config{AppID: "com.example.softphone", Exe: absExe()}, true},
		{"no id", Config{Exe: absExe()}, false},
		{"id with slash", Config{AppID: "a/b", Exe: absExe()}, false},
		{"relative exe", Config{AppID: "x.y", Exe: "softphone"}, false},
		{"bad scheme", Config{AppID: "x.y", Exe: absExe(), Schemes: []string{"http"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.cfg.withDefaults()
			if !tc.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, DefaultSchemes, c.Schemes)
			assert.Equal(t, DefaultArgs, c.Args)
			assert.Equal(t, c.AppID, c.Name)
		})
	}
}

func absExe() string {
	if filepath.Separator == '\\' {
		return `C:\Program Files\Softphone\softphone.exe`
	}
	return "/opt/Soft Phone/bin/softphone"
}

func TestDesktopEntry(t *testing.T) {
	// desktopEntry is pure; DesktopEntry would reject a Unix path on Windows.
	e := desktopEntry(Config{AppID: "com.example.softphone", Name: "Softphone", Exe: "/opt/Soft Phone/bin/soft$phone",
		Icon: "softphone", Args: DefaultArgs, Schemes: DefaultSchemes})
	assert.Contains(t, e, "MimeType=x-scheme-handler/sip;x-scheme-handler/tel;\n")
	// Spec: reserved characters need quotes; $ is escaped inside quotes, and
	// the backslash itself is then escaped as a string value.
	assert.Contains(t, e, `Exec="/opt/Soft Phone/bin/soft\\$phone" open --start %u`+"\n")
	assert.Contains(t, e, "Icon=softphone\n")
	assert.True(t, strings.HasPrefix(e, "[Desktop Entry]\n"))
}

func TestDesktopQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/bin/softphone": "/usr/bin/softphone",
		"/a b/c":             `"/a b/c"`,
		"100%":               "100%%",
		`/a"b`:               `"/a\\"b"`,
		"":                   `""`,
	} {
		assert.Equal(t, want, desktopQuote(in), in)
	}
}

func TestWindowsCommand(t *testing.T) {
	c := Config{Exe: `C:\Program Files\Softphone\softphone.exe`, Args: []string{"open", "--start"}}
	assert.Equal(t, `"C:\Program Files\Softphone\softphone.exe" open --start "%1"`, windowsCommand(c))
}

// The packaged files must declare the same schemes Register installs.
func TestPackagingLinuxDesktopFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "packaging", "linux", "softphone.desktop"))
	require.NoError(t, err)
	kv := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
		}
	}
	var want []string
	for _, s := range DefaultSchemes {
		want = append(want, "x-scheme-handler/"+s)
	}
	assert.Equal(t, want, strings.Split(strings.TrimSuffix(kv["MimeType"], ";"), ";"))
	assert.Equal(t, "softphone "+strings.Join(DefaultArgs, " ")+" %u", kv["Exec"])
	assert.Equal(t, "Application", kv["Type"])
}

func TestPackagingDarwinInfoPlist(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "packaging", "darwin", "Info.plist"))
	require.NoError(t, err)
	defer f.Close()
	// Collect every <string> inside CFBundleURLSchemes arrays.
	dec := xml.NewDecoder(f)
	dec.Strict = false
	var schemes, keys []string
	var lastKey string
	inSchemes := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "key":
				var k string
				require.NoError(t, dec.DecodeElement(&k, &el))
				lastKey = k
				keys = append(keys, k)
			case "array":
				inSchemes = lastKey == "CFBundleURLSchemes"
			case "string":
				var s string
				require.NoError(t, dec.DecodeElement(&s, &el))
				if inSchemes {
					schemes = append(schemes, s)
				}
			}
		case xml.EndElement:
			if el.Name.Local == "array" {
				inSchemes = false
			}
		}
	}
	slices.Sort(schemes)
	want := slices.Clone(DefaultSchemes)
	slices.Sort(want)
	assert.Equal(t, want, schemes)
	for _, k := range []string{"CFBundleIdentifier", "CFBundleExecutable", "CFBundleShortVersionString", "CFBundleVersion", "NSMicrophoneUsageDescription"} {
		assert.Contains(t, keys, k)
	}
}
