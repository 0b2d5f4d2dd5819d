//go:build unix && !darwin

package urlhandler

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func xdgEnv(t *testing.T) (dataHome string) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_DATA_DIRS", filepath.Join(home, "sys"))
	t.Setenv("XDG_CONFIG_DIRS", filepath.Join(home, "sysconf"))
	t.Setenv("XDG_CURRENT_DESKTOP", "")
	t.Setenv("DE", "generic")
	return filepath.Join(home, "data")
}

var testCfg = Config{AppID: "org.example.softphone-test", Name: "Softphone Test", Exe: "/opt/softphone/softphone", Icon: "softphone"}

func TestRegisterXDGWithFakeTool(t *testing.T) {
	data := xdgEnv(t)
	var calls []string
	old := runTool
	t.Cleanup(func() { runTool = old })
	runTool = func(name string, args ...string) (string, error) {
		calls = append(calls, name+" "+strings.Join(args, " "))
		if name == "xdg-mime" && len(args) > 0 && args[0] == "query" {
			return "org.example.softphone-test.desktop", nil
		}
		return "", nil
	}
	require.NoError(t, Register(testCfg))
	path := filepath.Join(data, "applications", "org.example.softphone-test.desktop")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), "Exec=/opt/softphone/softphone open --start %u\n")
	assert.Contains(t, calls, "xdg-mime default org.example.softphone-test.desktop x-scheme-handler/sip x-scheme-handler/tel")
	ok, err := IsDefault(testCfg)
	require.NoError(t, err)
	assert.True(t, ok)

	require.NoError(t, Unregister(testCfg))
	_, err = os.Stat(path)
	assert.True(t, os.IsNotExist(err))
	require.NoError(t, Unregister(testCfg), "Unregister twice is fine")
}

func TestRegisterXDGToolMissing(t *testing.T) {
	xdgEnv(t)
	t.Setenv("PATH", t.TempDir())
	err := Register(testCfg)
	assert.ErrorIs(t, err, ErrToolMissing)
}

// TestRegisterXDGReal uses the real xdg-mime (xdg-utils) in a throwaway HOME.
func TestRegisterXDGReal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs xdg-mime")
	}
	if _, err := exec.LookPath("xdg-mime"); err != nil {
		t.Skip("xdg-mime not installed (apt-get install xdg-utils)")
	}
	data := xdgEnv(t)
	ok, err := IsDefault(testCfg)
	require.NoError(t, err)
	assert.False(t, ok, "not default before Register")

	require.NoError(t, Register(testCfg))
	for _, m := range []string{"x-scheme-handler/sip", "x-scheme-handler/tel"} {
		out, err := exec.Command("xdg-mime", "query", "default", m).Output()
		require.NoError(t, err)
		assert.Equal(t, "org.example.softphone-test.desktop", strings.TrimSpace(string(out)), m)
	}
	ok, err = IsDefault(testCfg)
	require.NoError(t, err)
	assert.True(t, ok)
	if v, err := exec.LookPath("desktop-file-validate"); err == nil {
		out, err := exec.Command(v, filepath.Join(data, "applications", "org.example.softphone-test.desktop")).CombinedOutput()
		assert.NoError(t, err, "desktop-file-validate: %s", out)
	}
}

func TestPackagingDesktopFileValidates(t *testing.T) {
	v, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		t.Skip("desktop-file-validate not installed (apt-get install desktop-file-utils)")
	}
	out, err := exec.Command(v, filepath.Join("..", "..", "packaging", "linux", "softphone.desktop")).CombinedOutput()
	assert.NoError(t, err, "%s", out)
}

func TestAvailableXDG(t *testing.T) {
	xdgEnv(t)
	old := runTool
	t.Cleanup(func() { runTool = old })
	for _, tc := range []struct {
		current string
		want    bool
	}{{"", true}, {"org.example.softphone-test.desktop", true}, {"zoiper.desktop", false}} {
		runTool = func(name string, args ...string) (string, error) { return tc.current, nil }
		ok, err := Available(testCfg)
		require.NoError(t, err)
		assert.Equal(t, tc.want, ok, "current handler %q", tc.current)
	}
}

// TestXDGOpenLaunchesHandler is click-to-call on a Linux desktop: after
// Register, `xdg-open tel:…` (what browsers run) starts the registered
// command with the link. The handler here is this test binary.
func TestXDGOpenLaunchesHandler(t *testing.T) {
	if testing.Short() {
		t.Skip("runs xdg-open")
	}
	if _, err := exec.LookPath("xdg-open"); err != nil {
		t.Skip("xdg-open not installed (apt-get install xdg-utils)")
	}
	xdgEnv(t)
	exe, err := os.Executable()
	require.NoError(t, err)
	cfg := testCfg
	cfg.Exe = exe
	cfg.Args = []string{"-test.run=^$"} // "$" exercises the Exec quoting
	require.NoError(t, Register(cfg))

	for _, link := range []string{"tel:+49-201-809000", "sip:alice@example.com"} {
		out := filepath.Join(t.TempDir(), "link")
		cmd := exec.Command("xdg-open", link)
		cmd.Env = append(os.Environ(), handlerOutEnv+"="+out, "BROWSER=false", "DISPLAY=:0")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "xdg-open: %s", b)
		var got []byte
		require.Eventually(t, func() bool {
			got, err = os.ReadFile(out)
			return err == nil && len(got) > 0
		}, 10*time.Second, 50*time.Millisecond, "handler did not run")
		assert.Equal(t, link, string(got))
	}
}
