package auth

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFileAuditorAppendsJSONLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "audit.jsonl")
	a := NewFileAuditor(path)
	require.NoError(t, a.Record(ActionLogin, "alice", map[string]string{"method": "totp"}))
	require.NoError(t, a.Record(ActionLockout, "bob", nil))

	// A new auditor appends, never truncates.
	require.NoError(t, NewFileAuditor(path).Record(ActionUnlock, "root", map[string]string{"profile": "bob"}))

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var lines []auditLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l auditLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l))
		lines = append(lines, l)
	}
	require.Len(t, lines, 3)
	assert.Equal(t, ActionLogin, lines[0].Action)
	assert.Equal(t, "alice", lines[0].Actor)
	assert.Equal(t, "totp", lines[0].Attrs["method"])
	assert.False(t, lines[0].Time.IsZero())
	assert.Equal(t, ActionUnlock, lines[2].Action)
	st, err := os.Stat(path)
	require.NoError(t, err)
	if runtime.GOOS != "windows" { // Windows has no Unix modes; the per-user profile directory protects the file
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	}
}

// A whole life of a profile through the FileAuditor: nothing secret in it.
func TestAuditLogHoldsNoSecrets(t *testing.T) {
	e := newTestEnv(t)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	fa := NewFileAuditor(path)
	svc, err := New(Config{Dir: e.dir, Vault: e.vault, Auditor: fa, Policy: Policy{Hash: testHash}}, WithClock(e.clock))
	require.NoError(t, err)
	e.svc = svc
	ctx := context.Background()
	secret, codes := e.addEnrolled(nil, "root", RoleAdmin, adminPW)
	wrong := e.code(secret, 5)
	_, _ = svc.Login(ctx, "root", "wrong password!", wrong)
	_, _ = svc.Login(ctx, "typo-"+adminPW[:5], adminPW, wrong)
	_, err = svc.Login(ctx, "root", adminPW, codes[0])
	require.NoError(t, err)

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	log := string(b)
	for _, a := range []string{ActionProfileAdded, ActionEnrolmentStarted, ActionEnrolled, ActionLoginFailed, ActionLogin, ActionRecoveryCodeUsed} {
		assert.Contains(t, log, `"action":"`+a+`"`)
	}
	for _, s := range append([]string{adminPW, "wrong password!", secret, wrong, "typo-"}, codes...) {
		assert.NotContains(t, log, s)
		assert.NotContains(t, log, strings.ReplaceAll(s, "-", ""))
	}
}
