package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/auth"
	"softphone/crm"
	"softphone/recording"
)

// crmIndexHash recomputes the embedded store's keyed index value, as an
// outsider who knows the key would, to look for it in the files.
func crmIndexHash(fieldKey []byte, kind, v string) string {
	m := hmac.New(sha256.New, fieldKey)
	m.Write([]byte("softphone-crm-index-v1"))
	h := hmac.New(sha256.New, m.Sum(nil))
	h.Write([]byte(kind + "\x00" + v))
	return "h:" + hex.EncodeToString(h.Sum(nil))
}

// TestEraseCustomer: the DPO's erasure removes the customer from the CRM
// store and shreds their recordings; a legal hold wins and is reported in
// the signed receipt; afterwards no file the softphone wrote holds the
// customer's number, name, id or anything derived from them.
func TestEraseCustomer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs argon2id at production cost")
	}
	c := newAuthCLI(t)
	root := filepath.Dir(c.dir)
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	fmt.Fprintf(f, "\n[crm]\ndb = %q\n\n[recording]\npolicy = \"on\"\nrecipients = [%q]\ndir = %q\n",
		filepath.Join(root, "crm.db"), org.Recipient().String(), filepath.Join(root, "rec"))
	require.NoError(t, f.Close())
	_, spare := enrolledAgentRecovery(t, c, "x") // "agent1" is the bootstrap admin
	admin := func(i int) map[string]string {
		return map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": spare[i]}
	}
	const number, name, custID = "+4920180900", "Erika Testperson", "CUST-ERIKA-0001"
	csv := filepath.Join(t.TempDir(), "contacts.csv")
	require.NoError(t, os.WriteFile(csv, []byte("customer_id,name,phone,email\n"+
		custID+","+name+","+number+",erika@example.com\nCUST-MAX-0002,Max Bleibt,+4930111222,\n"), 0o600))
	code, _, out := c.run(admin(0), "", "crm", "import", csv)
	require.Equal(t, exitOK, code, out)

	// What the phone would have written: a wrap-up and recordings.
	crmKey, err := auth.MachineKeyFile(root, auth.MachineCRMKey)
	require.NoError(t, err)
	st, err := crm.Open(crm.StoreConfig{Path: filepath.Join(root, "crm.db"), FieldKey: crmKey})
	require.NoError(t, err)
	require.NoError(t, st.WriteWrapUp(context.Background(), crm.WrapUp{CustomerID: custID, CallID: "c1", Agent: "ann", Code: "OK", Notes: "Erika ruft zurück", At: time.Now()}))
	require.NoError(t, st.Close())
	recKey, err := auth.MachineKeyFile(root, auth.MachineRecordingKey)
	require.NoError(t, err)
	rs, err := recording.NewStore(recording.Config{Dir: filepath.Join(root, "rec"), Recipients: []age.Recipient{org.Recipient()},
		PseudonymKey: recKey, Policy: recording.PolicyOn, SweepInterval: -1})
	require.NoError(t, err)
	calls := 0
	rec := func(n string) string {
		calls++
		r, err := rs.Start(context.Background(), recording.CallMeta{CallID: fmt.Sprintf("call-%d", calls), Direction: "incoming", Number: n}, "ann")
		require.NoError(t, err)
		r.WriteAgent(make([]int16, 160))
		r.WriteCustomer(make([]int16, 160))
		id := r.ID()
		require.NoError(t, r.Close())
		return id
	}
	rec(number)
	held := rec(number)
	keep := rec("+4930111222")
	require.NoError(t, rs.Hold("agent1", recording.RoleAdmin, held, "court case 7"))

	receipt := func(out string) erasureReceipt {
		t.Helper()
		for _, l := range strings.Split(out, "\n") {
			var r erasureReceipt
			if json.Unmarshal([]byte(l), &r) == nil && r.Type == "erasure_receipt" {
				sig, err := base64.StdEncoding.DecodeString(r.Sig)
				require.NoError(t, err)
				pub, err := base64.StdEncoding.DecodeString(r.Signer)
				require.NoError(t, err)
				unsigned := r
				unsigned.Sig = ""
				msg, _ := json.Marshal(unsigned)
				require.True(t, ed25519.Verify(pub, msg, sig), "receipt signature")
				return r
			}
		}
		t.Fatalf("no receipt in %s", out)
		return erasureReceipt{}
	}
	code, _, out = c.run(admin(1), "", "erase", "--number", "0201 80900")
	require.Equal(t, exitOK, code, out)
	r := receipt(out)
	require.Equal(t, map[string]int{"contacts": 1, "wrapups": 1, "recordings": 1}, r.Erased)
	require.Equal(t, []keptItem{{Recording: held, Reason: r.Kept[0].Reason}}, r.Kept)
	require.Contains(t, r.Kept[0].Reason, "legal hold")

	// The hold ends; erasing again removes the rest.
	require.NoError(t, rs.Release("agent1", recording.RoleAdmin, held, "case closed"))
	require.NoError(t, rs.Close())
	code, _, out = c.run(admin(2), "", "erase", "--number", number)
	require.Equal(t, exitOK, code, out)
	require.Equal(t, 1, receipt(out).Erased["recordings"])

	needles := []string{number, strings.TrimPrefix(number, "+"), "20180900", name, "Erika", "Testperson", custID, "erika@example",
		crmIndexHash(crmKey, "customer", custID), crmIndexHash(crmKey, "e164", number),
		recording.Pseudonym(recKey, number), recording.Pseudonym(recKey, strings.TrimPrefix(number, "+"))}
	files := 0
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		for _, n := range needles {
			require.False(t, bytes.Contains(b, []byte(n)), "%s still holds %q", p, n)
		}
		return nil
	}))
	require.Greater(t, files, 5, "crm.db, audit log, recording index, profiles, keys were searched")
	// The other customer is still there.
	st, err = crm.Open(crm.StoreConfig{Path: filepath.Join(root, "crm.db"), FieldKey: crmKey})
	require.NoError(t, err)
	defer st.Close()
	_, err = st.LookupCustomer(context.Background(), "CUST-MAX-0002")
	require.NoError(t, err)
	_ = keep

	// The DPO's view: the log, exported, holds the erasure (pseudonymous) and
	// passes the standalone verifier in docs/.
	exp := filepath.Join(t.TempDir(), "audit.jsonl")
	code, _, out = c.run(admin(3), "", "audit", "export", "--out", exp)
	require.Equal(t, exitOK, code, out)
	b, err := os.ReadFile(exp)
	require.NoError(t, err)
	require.Contains(t, string(b), `"action":"crm.erase"`)
	require.Contains(t, string(b), `"action":"audit.export"`)
	if py, err := exec.LookPath("python3"); err == nil {
		res, err := exec.Command(py, filepath.Join("..", "..", "docs", "audit-verify", "verify.py"), exp).CombinedOutput()
		require.NoError(t, err, "%s", res)
	}
}

// policy show prints every governed key with its source; a user config
// that tries to show card numbers is reported as overridden by a fixed rule.
func TestPolicyShow(t *testing.T) {
	c := newAuthCLI(t)
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	fmt.Fprintf(f, "\n[crm.mask]\ncard = \"show\"\niban = \"hide\"\n")
	require.NoError(t, f.Close())
	code, evs, out := c.run(nil, "", "policy", "show")
	require.Equal(t, exitOK, code, out)
	vals := map[string]map[string]any{}
	for _, e := range eventsNamed(evs, "policy_value") {
		vals[e["key"].(string)] = e
	}
	require.Equal(t, "fixed", vals["crm.mask.card"]["source"], out)
	require.Equal(t, "mask", vals["crm.mask.card"]["value"])
	require.Equal(t, "show", vals["crm.mask.card"]["ignored_user_value"])
	require.Equal(t, "user config", vals["crm.mask.iban"]["source"])
	for _, k := range []string{"workday.not_ready_reasons", "workday.after_call_work", "workday.wrap_up_required", "workday.refuse_with", "workday.pause_code", "workday.unpause_code"} {
		require.Contains(t, vals, k, "policy show lists the workday policy")
	}
	require.Equal(t, "busy", vals["workday.refuse_with"]["value"])
	require.Len(t, eventsNamed(evs, "policy_role"), 4)
}
