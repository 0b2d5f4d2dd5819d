package audit

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The export is checked by the standalone verifier shipped in docs/, which
// knows nothing of this package: an intact export passes, an edited one not.
func TestExportCheckedByStandaloneVerifier(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.NoError(t, l.Record(ActionLogin, "ann", map[string]string{"role": "agent", "note": "<ü & \"x\">\n"}))
	require.NoError(t, l.Record(ActionCRMLookup, "ann", map[string]string{"number": "…900", "matches": "1"}))
	require.NoError(t, l.Record(ActionLogout, "ann", nil))
	require.NoError(t, l.Close())

	var buf bytes.Buffer
	rep, err := Export(path, &buf, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	out := filepath.Join(t.TempDir(), "export.jsonl")
	require.NoError(t, os.WriteFile(out, buf.Bytes(), 0o600))
	verifier := filepath.Join("..", "docs", "audit-verify", "verify.py")
	res, err := exec.Command(py, verifier, out).CombinedOutput()
	require.NoError(t, err, "%s", res)
	require.Contains(t, string(res), "3 entries, OK")

	edited := strings.Replace(buf.String(), `"matches":"1"`, `"matches":"0"`, 1)
	require.NoError(t, os.WriteFile(out, []byte(edited), 0o600))
	res, err = exec.Command(py, verifier, out).CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(res), "does not match its hash")

	cut := strings.Join(strings.SplitAfter(buf.String(), "\n")[:2], "")
	require.NoError(t, os.WriteFile(out, []byte(cut), 0o600))
	res, err = exec.Command(py, verifier, out).CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(res), "no anchor trailer")
}
