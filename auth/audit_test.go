package auth

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A whole life of a profile through the auditor: nothing secret in it.
func TestAuditLogHoldsNoSecrets(t *testing.T) {
	e := newTestEnv(t)
	fa := &memAuditor{}
	svc, err := New(Config{Dir: e.dir, Vault: e.vault, Auditor: fa, Policy: Policy{Hash: testHash}}, WithClock(e.clock.Now), WithSleep(e.clock.Sleep))
	require.NoError(t, err)
	e.svc = svc
	ctx := context.Background()
	secret, codes := e.addEnrolled(nil, "root", RoleAdmin, adminPW)
	wrong := e.code(secret, 5)
	_, _ = svc.Login(ctx, "root", "wrong password!", wrong)
	_, _ = svc.Login(ctx, "typo-"+adminPW[:5], adminPW, wrong)
	_, err = svc.Login(ctx, "root", adminPW, codes[0])
	require.NoError(t, err)

	b, err := json.Marshal(fa.events)
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

// auditLine is one event as memAuditor keeps it.
type auditLine struct {
	Action string            `json:"action"`
	Actor  string            `json:"actor"`
	Attrs  map[string]string `json:"attrs,omitempty"`
}
