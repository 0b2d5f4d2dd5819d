package audit_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/audit"
	"softphone/auth"
)

// TestNoFalseAlarms runs 100 mixed commands, two at a time, each opening the
// log as a separate command does (file vault: the machine key file), and
// finds zero tamper entries; the log then verifies without crash tails.
func TestNoFalseAlarms(t *testing.T) {
	dir := t.TempDir()
	profiles := filepath.Join(dir, "profiles")
	path := filepath.Join(dir, "audit.log")
	actions := []string{audit.ActionLogin, audit.ActionCRMLookup, audit.ActionReveal, audit.ActionFlag,
		audit.ActionHold, audit.ActionRelease, audit.ActionDelete, audit.ActionPlayback, audit.ActionLogout, audit.ActionDenied}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				key, err := auth.AuditKey(context.Background(), auth.VaultFile, profiles)
				if err != nil {
					errs <- err
					return
				}
				l, err := audit.Open(path, audit.WithAnchorKey(key))
				if err != nil {
					errs <- err
					return
				}
				actor := fmt.Sprintf("agent%d", w)
				for j := range 1 + i%3 {
					if err := l.Record(actions[(i+j)%len(actions)], actor, map[string]string{"n": fmt.Sprint(i)}); err != nil {
						errs <- err
					}
				}
				l.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	n, tamper := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		e, err := audit.ParseEntry(sc.Bytes())
		require.NoError(t, err)
		n++
		if e.Action == audit.ActionTamper || e.Action == audit.ActionCrashTail {
			tamper++
		}
	}
	require.Equal(t, 0, tamper, "normal use raises no alarm")
	require.Equal(t, 198, n) // 2 × Σ(1 + i mod 3) for i < 50
	key, err := auth.AuditKey(context.Background(), auth.VaultFile, profiles)
	require.NoError(t, err)
	rep, err := audit.Verify(path, audit.WithAnchorKey(key))
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	require.Equal(t, "valid", rep.AnchorMAC)
}
