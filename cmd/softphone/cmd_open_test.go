package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/internal/instance"
)

// privateInstanceDir points the default instance directory at a temp dir so
// the test never talks to a softphone the developer is running.
func privateInstanceDir(t *testing.T) {
	dir := t.TempDir()
	switch runtime.GOOS {
	case "windows":
		t.Setenv("LocalAppData", dir)
	case "darwin":
		t.Setenv("HOME", dir)
	default:
		t.Setenv("XDG_RUNTIME_DIR", dir)
	}
}

func runOpenCmd(t *testing.T, args ...string) (int, []map[string]any) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"open"}, args...), strings.NewReader(""), &out, &errb)
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "stdout line %q", line)
		events = append(events, m)
	}
	return code, events
}

func TestOpenCommand(t *testing.T) {
	privateInstanceDir(t)

	code, ev := runOpenCmd(t, "javascript:alert(1)")
	assert.Equal(t, exitUsage, code)
	require.Len(t, ev, 1)
	assert.Equal(t, "error", ev[0]["event"])

	code, _ = runOpenCmd(t)
	assert.Equal(t, exitUsage, code, "a link is required")

	code, ev = runOpenCmd(t, "tel:+49 (201) 809000")
	assert.Equal(t, exitFailure, code)
	require.Len(t, ev, 1)
	assert.Equal(t, "not_running", ev[0]["event"])

	// With a running instance the canonical link arrives there.
	inst, primary, err := instance.Acquire(instanceName)
	require.NoError(t, err)
	require.True(t, primary)
	defer inst.Close()
	code, ev = runOpenCmd(t, "tel:+49 (201) 809000")
	assert.Equal(t, exitOK, code)
	require.Len(t, ev, 1)
	assert.Equal(t, map[string]any{"event": "link_handed_off", "scheme": "tel"}, ev[0])
	select {
	case l := <-inst.Links():
		assert.Equal(t, "tel:+49201809000", l)
	case <-time.After(5 * time.Second):
		t.Fatal("link not delivered")
	}
	for _, e := range ev {
		b, _ := json.Marshal(e)
		assert.NotContains(t, string(b), "809000", "the number is not echoed")
	}
}

func TestAcquireInstanceHandsOff(t *testing.T) {
	privateInstanceDir(t)
	env := &cli{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	first, handedOff, err := acquireInstance(t.Context(), env, "")
	require.NoError(t, err)
	require.False(t, handedOff)
	require.NotNil(t, first)
	defer first.Close()

	second, handedOff, err := acquireInstance(t.Context(), env, "sip:100@pbx.example.com")
	require.NoError(t, err)
	assert.True(t, handedOff)
	assert.Nil(t, second)
	select {
	case l := <-first.Links():
		assert.Equal(t, "sip:100@pbx.example.com", l)
	case <-time.After(5 * time.Second):
		t.Fatal("link not delivered")
	}
}
