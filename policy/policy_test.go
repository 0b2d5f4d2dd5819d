package policy

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/auth"
	"softphone/config"
)

func writePolicy(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "softphone")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.Chmod(dir, 0o755))
	p := filepath.Join(dir, "policy.toml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	require.NoError(t, os.Chmod(p, mode))
	return p
}

// The user's config may only tighten; the attack (card = "show",
// reveal = ["card"], plain RTP on, a longer idle lock) gets nowhere.
func TestUserMayOnlyTighten(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	path := writePolicy(t, `
[account]
transport = "tls"
[media]
allow_plain_rtp = false
suites = ["AEAD_AES_128_GCM"]
[crm.mask]
iban = "mask"
reveal = ["iban", "email"]
[auth]
idle_lock = "5m"
max_failures = 5
lockout = "1h"
[recording]
policy = "on"
recipients = ["`+id.Recipient().String()+`"]
[roles]
grant = ["admin:playback"]
revoke = ["agent:reveal"]
`, 0o644)
	user := config.Default()
	user.Media.AllowPlainRTP = true
	user.Account.Transport = "udp"
	user.CRM.Mask.Card = "show"
	user.CRM.Mask.IBAN = "show"
	user.CRM.Mask.Email = "hide" // tighter: stands
	user.CRM.Mask.Reveal = []string{"card", "iban", "email", "address"}
	user.Auth.IdleLock = 30 * time.Minute
	user.Auth.MaxFailures = 3 // tighter: stands
	user.Auth.Lockout = 45 * time.Minute
	user.Recording.Policy = "off"
	eff, err := Load(context.Background(), user, Options{Machine: FileStore{Path: path}})
	require.NoError(t, err)
	c := eff.Config
	require.False(t, c.Media.AllowPlainRTP)
	require.Equal(t, "mask", c.CRM.Mask.Card, "never show a card")
	require.Equal(t, "mask", c.CRM.Mask.IBAN)
	require.Equal(t, "hide", c.CRM.Mask.Email)
	require.ElementsMatch(t, []string{"iban", "email"}, c.CRM.Mask.Reveal)
	require.Equal(t, 5*time.Minute, c.Auth.IdleLock)
	require.Equal(t, 3, c.Auth.MaxFailures)
	require.Equal(t, time.Hour, c.Auth.Lockout)
	require.Equal(t, "on", c.Recording.Policy)
	require.Equal(t, "tls", c.Account.Transport)
	require.Equal(t, []string{"AEAD_AES_128_GCM"}, c.Media.Suites, "the user's extra suite is dropped")
	require.True(t, eff.Table.Can(auth.RoleAdmin, auth.PermPlayback))
	require.False(t, eff.Table.Can(auth.RoleAgent, auth.PermReveal))

	v, _ := eff.Get("crm.mask.iban")
	require.Equal(t, SourceMachine, v.Source)
	require.Equal(t, "show", v.Ignored)
	require.True(t, v.Locked())
	v, _ = eff.Get("auth.max_failures")
	require.Equal(t, SourceUser, v.Source)
	require.True(t, v.Locked(), "bounded by policy")
	v, _ = eff.Get("crm.mask.card")
	require.Equal(t, SourceFixed, v.Source)
	v, _ = eff.Get("crm.mask.address")
	require.Equal(t, SourceDefault, v.Source)
	require.False(t, v.Locked())
	require.Contains(t, eff.String(), "machine policy ("+path+")")
	require.Contains(t, eff.LockedKeys(), "recording.policy")
}

// Even without any machine policy the card rule holds.
func TestCardFixedWithoutPolicy(t *testing.T) {
	user := config.Default()
	user.CRM.Mask.Card = "show"
	user.CRM.Mask.Reveal = []string{"card"}
	eff, err := Load(context.Background(), user, Options{Machine: FileStore{Path: filepath.Join(t.TempDir(), "none.toml")}})
	require.NoError(t, err)
	require.Equal(t, "mask", eff.Config.CRM.Mask.Card)
	require.Empty(t, eff.Config.CRM.Mask.Reveal)
}

func TestMachineFileRefused(t *testing.T) {
	tests := []struct {
		name string
		mode os.FileMode
		body string
		want string
	}{
		{"group writable", 0o664, "[media]\nallow_plain_rtp = false\n", "writable by group or others"},
		{"world writable", 0o646, "[media]\nallow_plain_rtp = false\n", "writable by group or others"},
		{"unknown key", 0o644, "[media]\nallow_plain_rpt = true\n", "unknown key"},
		{"bad value", 0o644, "[auth]\nmax_failures = 50\n", "auth.max_failures"},
		{"bad grant", 0o644, "[roles]\ngrant = [\"root:everything\"]\n", "roles.grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writePolicy(t, tc.body, tc.mode)
			_, err := Load(context.Background(), config.Default(), Options{Machine: FileStore{Path: path}})
			require.ErrorContains(t, err, tc.want)
		})
	}
	t.Run("not owned by root", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give the file away")
		}
		path := writePolicy(t, "[media]\nallow_plain_rtp = false\n", 0o644)
		require.NoError(t, os.Chown(path, 65534, 65534))
		_, err := Load(context.Background(), config.Default(), Options{Machine: FileStore{Path: path, RequireRoot: true}})
		require.ErrorContains(t, err, "not owned by root")
	})
}

type bundleServer struct {
	srv  *httptest.Server
	body atomic.Value
}

func newBundleServer(t *testing.T) *bundleServer {
	bs := &bundleServer{}
	bs.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := bs.body.Load().([]byte)
		if b == nil {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(bs.srv.Close)
	return bs
}

// The signed bundle over HTTPS: applied, checked against the pinned key,
// and its version may not go down; offline starts use the last good copy.
func TestSignedBundle(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	bs := newBundleServer(t)
	machine := writePolicy(t, "[bundle]\nurl = \""+bs.srv.URL+"/policy\"\npublic_key = \""+
		base64.StdEncoding.EncodeToString(pub)+"\"\n[auth]\nidle_lock = \"4m\"\n", 0o644)
	state := t.TempDir()
	opts := Options{Machine: FileStore{Path: machine}, Client: bs.srv.Client(), StateDir: state, StateKey: []byte("0123456789abcdef0123456789abcdef")}
	load := func() (*Effective, error) { return Load(context.Background(), config.Default(), opts) }

	b2, err := SignBundle(priv, 2, "[auth]\nidle_lock = \"2m\"\n[crm.mask]\nemail = \"hide\"\n")
	require.NoError(t, err)
	bs.body.Store(b2)
	eff, err := load()
	require.NoError(t, err)
	require.Equal(t, uint64(2), eff.Bundle)
	require.Equal(t, "hide", eff.Config.CRM.Mask.Email)
	v, _ := eff.Get("crm.mask.email")
	require.Equal(t, SourceBundle, v.Source)
	require.Equal(t, 4*time.Minute, eff.Config.Auth.IdleLock, "the machine has the last word")

	// Offline: the kept copy.
	bs.body.Store([]byte(nil))
	eff, err = load()
	require.NoError(t, err)
	require.Equal(t, uint64(2), eff.Bundle)

	// Rollback to v1, although validly signed: refused.
	b1, err := SignBundle(priv, 1, "[crm.mask]\nemail = \"show\"\n")
	require.NoError(t, err)
	bs.body.Store(b1)
	_, err = load()
	require.ErrorIs(t, err, ErrRollback)

	// Signed by someone else: refused.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	b3, err := SignBundle(other, 3, "[crm.mask]\nemail = \"show\"\n")
	require.NoError(t, err)
	bs.body.Store(b3)
	_, err = load()
	require.ErrorContains(t, err, "signature invalid")

	// The version state edited by hand: refused.
	vf := filepath.Join(state, "bundle-version.json")
	b, err := os.ReadFile(vf)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(vf, []byte(strings.Replace(string(b), `"version":2`, `"version":0`, 1)), 0o600))
	bs.body.Store(b1)
	_, err = load()
	require.ErrorContains(t, err, "changed outside")
}

func TestBundleNeedsHTTPS(t *testing.T) {
	src := BundleSource{URL: "http://example.test/p", StateDir: t.TempDir(), Key: []byte("k")}
	_, _, err := src.Fetch(context.Background())
	require.ErrorContains(t, err, "https")
}

// macOS managed preferences: the same keys in a property list.
func TestParsePlist(t *testing.T) {
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>media.allow_plain_rtp</key><false/>
  <key>auth.max_failures</key><integer>4</integer>
  <key>crm</key><dict><key>mask</key><dict><key>reveal</key><array><string>iban</string></array></dict></dict>
</dict></plist>`
	d, err := ParsePlist([]byte(xml), "com.softphone.policy.plist")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"media.allow_plain_rtp": "false", "auth.max_failures": "4", "crm.mask.reveal": "iban"}, d.Values)
	eff, err := Merge(config.Default(), SourcedDoc{Doc: d, Source: SourceMachine})
	require.NoError(t, err)
	require.Equal(t, 4, eff.Config.Auth.MaxFailures)
	_, err = ParsePlist([]byte(`<plist version="1.0"><dict><key>media.allow_plan</key><true/></dict></plist>`), "x")
	require.ErrorContains(t, err, "unknown key")
}
