package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"softphone/auth"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const crmTestCSV = `customer_id,name,phone,phone2,email,birth_date,iban,card,address,city,consent,payment_in_progress,notes
C1001,Jürgen Groß,0201 80900,+49 170 1234567,juergen.gross@example.com,1984-03-07,DE89 3704 0044 0532 0130 00,4111 1111 1111 1111,Hauptstr. 5,Essen,no,yes,VIP
C1002,Bad Phone,abc,,,,,,,,,,
C1003,Second Person,004920180900,,,,,,,,yes,no,
`

// loggedIn are deps whose login always succeeds, as an agent whose machine
// keys are keys (the login itself is tested in cmd_profile_test.go).
func loggedIn(keys map[string][]byte) deps {
	d := defaultDeps()
	d.login = func(context.Context, *cli, authFlags) (*account, int) {
		return &account{profile: "tester", role: auth.RoleAgent, keys: keys}, exitOK
	}
	return d
}

// crmRun runs one softphone command, logged in without a field key, and
// returns the exit code and events.
func crmRun(t *testing.T, args ...string) (int, []map[string]any, string) {
	t.Helper()
	return crmRunWith(t, loggedIn(nil), args...)
}

func crmRunWith(t *testing.T, d deps, args ...string) (int, []map[string]any, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runWith(d, args, strings.NewReader(""), &out, &errb)
	var evs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "stdout line %q", line)
		evs = append(evs, m)
	}
	return code, evs, out.String() + errb.String()
}

func crmTestEnv(t *testing.T) (cfg, db, csv string) {
	dir := t.TempDir()
	cfg = filepath.Join(dir, "config.toml")
	require.NoError(t, os.WriteFile(cfg, []byte("[crm]\ndefault_region = \"DE\"\n"), 0o600))
	csv = filepath.Join(dir, "contacts.csv")
	require.NoError(t, os.WriteFile(csv, []byte(crmTestCSV), 0o600))
	return cfg, filepath.Join(dir, "data", "crm.db"), csv
}

func TestCRMImportAndLookup(t *testing.T) {
	cfg, db, csv := crmTestEnv(t)

	code, evs, all := crmRun(t, "crm", "import", csv, "--db", db, "--config", cfg)
	require.Equal(t, exitOK, code, all)
	require.Len(t, evs, 2)
	assert.Equal(t, "crm_import_bad_row", evs[0]["event"])
	assert.Equal(t, float64(3), evs[0]["line"])
	assert.Equal(t, "crm_import", evs[1]["event"])
	assert.Equal(t, float64(2), evs[1]["imported"])
	assert.Equal(t, float64(1), evs[1]["bad"])
	fi, err := os.Stat(db)
	require.NoError(t, err)
	if runtime.GOOS != "windows" { // no Unix modes there: the per-user directory protects it
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the store is private to the user")
	}

	// Unquoted, flags after the number, and the other two spellings.
	for _, args := range [][]string{
		{"crm", "lookup", "0201", "80900", "--db", db, "--config", cfg},
		{"crm", "lookup", "--db", db, "--config", cfg, "+49 201 80900"},
		{"crm", "lookup", "004920180900", "--db", db, "--config", cfg},
	} {
		code, evs, all = crmRun(t, args...)
		require.Equal(t, exitOK, code, all)
		require.Len(t, evs, 3, all)
		assert.Equal(t, "crm_contact", evs[0]["event"])
		assert.Equal(t, "C1001", evs[0]["customer_id"])
		assert.Equal(t, "Jürgen Groß", evs[0]["name"])
		assert.Equal(t, "no", evs[0]["consent"])
		assert.Equal(t, true, evs[0]["payment_in_progress"])
		assert.Equal(t, "C1003", evs[1]["customer_id"])
		assert.Equal(t, map[string]any{"event": "crm_lookup", "number": "…900", "matches": float64(2)}, evs[2])
		for _, secret := range []string{"80900", "1234567", "juergen.gross", "03-07", "3704", "4111 1111", "Hauptstr", "VIP"} {
			assert.NotContains(t, all, secret, "masked output only")
		}
		assert.Contains(t, all, "•••• 1111")
		assert.Contains(t, all, "DE•• •••• 3000")
	}

	code, evs, _ = crmRun(t, "crm", "lookup", "030 1234567", "--db", db, "--config", cfg)
	require.Equal(t, exitOK, code)
	assert.Equal(t, float64(0), evs[len(evs)-1]["matches"])
}

func TestCRMCommandErrors(t *testing.T) {
	cfg, db, csv := crmTestEnv(t)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no subcommand", []string{"crm"}, exitUsage},
		{"unknown subcommand", []string{"crm", "delete"}, exitUsage},
		{"lookup without number", []string{"crm", "lookup", "--db", db, "--config", cfg}, exitUsage},
		{"not a number", []string{"crm", "lookup", "anonymous", "--db", db, "--config", cfg}, exitUsage},
		{"no store yet", []string{"crm", "lookup", "0201 80900", "--db", db, "--config", cfg}, exitConfig},
		{"missing import file", []string{"crm", "import", csv + ".missing", "--db", db, "--config", cfg}, exitUsage},
		{"bad flag", []string{"crm", "import", "--nope", csv}, exitUsage},
		{"missing explicit config", []string{"crm", "lookup", "0201 80900", "--config", cfg + ".missing"}, exitConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, all := crmRun(t, tt.args...)
			assert.Equal(t, tt.want, code, all)
		})
	}
}

func TestCRMDefaultDBInjectable(t *testing.T) {
	cfg, db, csv := crmTestEnv(t)
	d := loggedIn(nil)
	d.crmDefaultDB = func() (string, error) { return db, nil }
	code, _, all := crmRunWith(t, d, "crm", "import", csv, "--config", cfg)
	require.Equal(t, exitOK, code, all)
	_, err := os.Stat(db)
	assert.NoError(t, err)
}

func TestCRMFieldKey(t *testing.T) {
	cfg, db, csv := crmTestEnv(t)
	withKey := loggedIn(map[string][]byte{auth.MachineCRMKey: bytes.Repeat([]byte{1}, 32)})
	code, _, all := crmRunWith(t, withKey, "crm", "import", csv, "--db", db, "--config", cfg)
	require.Equal(t, exitOK, code, all)
	raw, err := os.ReadFile(db)
	require.NoError(t, err)
	assert.False(t, bytes.Contains(raw, []byte("0532013000")), "IBAN encrypted at rest")
	code, evs, all := crmRunWith(t, withKey, "crm", "lookup", "0201 80900", "--db", db, "--config", cfg)
	require.Equal(t, exitOK, code, all)
	assert.Equal(t, "Jürgen Groß", evs[0]["name"])

	// without the key the store cannot be read
	code, _, _ = crmRun(t, "crm", "lookup", "0201 80900", "--db", db, "--config", cfg)
	assert.Equal(t, exitFailure, code)
}
