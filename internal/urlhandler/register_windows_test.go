//go:build windows

package urlhandler

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows/registry"
)

// scratchRegistry points the package at HKCU\Software\SoftphoneTest so a
// test on a real Windows machine never touches the user's associations.
func scratchRegistry(t *testing.T) {
	const root = `Software\SoftphoneTest`
	oldC, oldS, oldR, oldU := classesKey, softwareKey, registeredApps, userChoiceKey
	classesKey = root + `\Classes`
	softwareKey = root + `\Software`
	registeredApps = root + `\RegisteredApplications`
	userChoiceKey = root + `\UrlAssociations`
	t.Cleanup(func() {
		require.NoError(t, deleteTree(root))
		classesKey, softwareKey, registeredApps, userChoiceKey = oldC, oldS, oldR, oldU
	})
}

var winCfg = Config{AppID: "org.example.softphone-test", Name: "Softphone Test", Exe: `C:\Program Files\Softphone\softphone.exe`}

func TestRegisterWindows(t *testing.T) {
	scratchRegistry(t)
	ok, err := IsDefault(winCfg)
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = Available(winCfg)
	require.NoError(t, err)
	assert.True(t, ok, "nothing registered yet")

	require.NoError(t, Register(winCfg))
	cmd := `"C:\Program Files\Softphone\softphone.exe" open --start "%1"`
	for _, s := range []string{"sip", "tel"} {
		v, err := readString(classesKey+`\`+s+`\shell\open\command`, "")
		require.NoError(t, err)
		assert.Equal(t, cmd, v)
		v, err = readString(classesKey+`\`+s, "URL Protocol")
		require.NoError(t, err, "URL Protocol marks the key as a URL scheme")
		assert.Equal(t, "", v)
		v, err = readString(softwareKey+`\org.example.softphone-test\Capabilities\URLAssociations`, s)
		require.NoError(t, err)
		assert.Equal(t, "org.example.softphone-test.url", v)
	}
	v, err := readString(registeredApps, "Softphone Test")
	require.NoError(t, err)
	assert.Equal(t, softwareKey+`\org.example.softphone-test\Capabilities`, v)
	ok, err = IsDefault(winCfg)
	require.NoError(t, err)
	assert.True(t, ok)

	// A user choice for another program wins over our keys.
	require.NoError(t, setStrings(userChoiceKey+`\tel\UserChoice`, map[string]string{"ProgId": "Other.App"}))
	ok, err = IsDefault(winCfg)
	require.NoError(t, err)
	assert.False(t, ok)

	require.NoError(t, Register(winCfg), "Register again overwrites cleanly")
	require.NoError(t, Unregister(winCfg))
	for _, s := range []string{"sip", "tel"} {
		_, err := readString(classesKey+`\`+s+`\shell\open\command`, "")
		assert.True(t, errors.Is(err, registry.ErrNotExist), "%s removed: %v", s, err)
	}
	_, err = readString(registeredApps, "Softphone Test")
	assert.True(t, errors.Is(err, registry.ErrNotExist))
}

func TestUnregisterLeavesOtherApps(t *testing.T) {
	scratchRegistry(t)
	require.NoError(t, Register(winCfg))
	other := `"C:\Other\other.exe" "%1"`
	require.NoError(t, setStrings(classesKey+`\sip\shell\open\command`, map[string]string{"": other}))
	ok, err := Available(winCfg)
	require.NoError(t, err)
	assert.False(t, ok, "another application handles sip:")
	require.NoError(t, Unregister(winCfg))
	v, err := readString(classesKey+`\sip\shell\open\command`, "")
	require.NoError(t, err, "another application's sip: handler stays")
	assert.Equal(t, other, v)
	_, err = readString(classesKey+`\tel\shell\open\command`, "")
	assert.True(t, errors.Is(err, registry.ErrNotExist), "our tel: handler is gone")
}
