package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"softphone/audit"
	"softphone/auth"
	"softphone/config"
	"softphone/crm"
	"softphone/recording"
)

func init() {
	register(command{
		name:    "erase",
		summary: "erase a customer (GDPR Art. 17): erase --number N | --customer ID (admin or DPO)",
		run:     runErase,
	})
}

// erasureReceipt is what `erase` prints, signed with the machine's receipt
// key. It names no customer: the request is identified by a random id that
// the audit log carries too.
type erasureReceipt struct {
	Type    string         `json:"type"` // "erasure_receipt"
	ID      string         `json:"id"`
	Time    string         `json:"time"`
	Actor   string         `json:"actor"`
	Role    string         `json:"role"`
	By      string         `json:"by"` // "number" or "customer"
	Erased  map[string]int `json:"erased"`
	Kept    []keptItem     `json:"kept"`
	Signer  string         `json:"signer"`              // base64 Ed25519 public key
	Sig     string         `json:"signature,omitempty"` // over the receipt without this field
	Warning string         `json:"warning,omitempty"`
}

type keptItem struct {
	Recording string `json:"recording"`
	Reason    string `json:"reason"`
}

func runErase(ctx context.Context, env *cli, args []string) int {
	fs := newFlagSet(env, "erase")
	number := fs.String("number", "", "the customer's phone number")
	customer := fs.String("customer", "", "the customer id")
	af := &authFlags{}
	fs.StringVar(&af.configPath, "config", "", "configuration file")
	fs.StringVar(&af.profile, "profile", "", "login profile (default: $SOFTPHONE_PROFILE)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if (*number == "") == (*customer == "") || fs.NArg() > 0 {
		return env.fail(exitUsage, errors.New("erase: give exactly one of --number N or --customer ID"))
	}
	acct, code := env.deps.login(ctx, env, *af)
	if acct == nil {
		return code
	}
	if err := acct.permit(env, auth.PermErase); err != nil {
		return env.fail(exitPermission, err)
	}
	cfg, _, err := loadConfig(af.configPath, false)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	if env.policy != nil {
		cfg = env.policy.Config // the machine policy applied at login
	}
	e164 := ""
	if *number != "" {
		n, err := crm.Normalize(*number, cfg.CRM.DefaultRegion)
		if err != nil {
			return env.fail(exitUsage, err)
		}
		e164 = n
	}
	rc := erasureReceipt{Type: "erasure_receipt", ID: randomID(), Time: time.Now().UTC().Format(time.RFC3339),
		Actor: acct.profile, Role: string(acct.role), By: "customer", Erased: map[string]int{}, Kept: []keptItem{}}
	if e164 != "" {
		rc.By = "number"
	}
	numbers, code := eraseCRM(ctx, env, acct, cfg.CRM, e164, *customer, &rc)
	if code != exitOK {
		return code
	}
	if code := eraseRecordings(env, acct, cfg, numbers, &rc); code != exitOK {
		return code
	}
	if err := env.auditLog.Record(audit.ActionErase, acct.profile, map[string]string{
		"erasure": rc.ID, "by": rc.By, "contacts": strconv.Itoa(rc.Erased["contacts"]),
		"wrapups": strconv.Itoa(rc.Erased["wrapups"]), "recordings": strconv.Itoa(rc.Erased["recordings"]),
		"kept": strconv.Itoa(len(rc.Kept)),
	}); err != nil {
		return env.fail(exitFailure, err)
	}
	if err := signReceipt(ctx, acct, &rc); err != nil {
		return env.fail(exitFailure, err)
	}
	b, _ := json.Marshal(rc)
	fmt.Fprintln(env.stdout, string(b))
	return exitOK
}

// eraseCRM removes the customer from the embedded store; it returns the
// numbers to look for in the recordings.
func eraseCRM(ctx context.Context, env *cli, acct *account, c config.CRM, e164, customer string, rc *erasureReceipt) ([]string, int) {
	numbers := []string{}
	if e164 != "" {
		numbers = append(numbers, e164)
	}
	if c.Backend == "rest" {
		rc.Warning = "the CRM is external (REST): erase the customer there; only recordings were erased here"
		return numbers, exitOK
	}
	path, err := crmDBPath(env, "", c)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	if _, err := os.Stat(path); err != nil {
		return numbers, exitOK // no local store: nothing to erase there
	}
	st, err := openCRMStore(env, path, acct) // closed when the command returns
	if err != nil {
		return nil, env.fail(exitFailure, err)
	}
	er, err := st.Erase(ctx, e164, customer)
	if err != nil {
		return nil, env.fail(exitFailure, err)
	}
	rc.Erased["contacts"], rc.Erased["wrapups"] = er.Contacts, er.WrapUps
	return append(numbers, er.Numbers...), exitOK
}

// eraseRecordings crypto-shreds the customer's recordings; legal hold wins.
func eraseRecordings(env *cli, acct *account, cfg config.Config, numbers []string, rc *erasureReceipt) int {
	store, err := openRecordingStore(cfg, acct, env)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	if store == nil || len(numbers) == 0 {
		return exitOK
	}
	defer store.Close()
	er, err := store.EraseCustomer(acct.profile, recording.Role(acct.role), numbers)
	if err != nil {
		return env.fail(exitFailure, err)
	}
	rc.Erased["recordings"] = len(er.Shredded)
	for _, id := range er.Held {
		rc.Kept = append(rc.Kept, keptItem{Recording: id, Reason: "legal hold (wins over erasure; erase again when released)"})
	}
	for _, id := range er.Active {
		rc.Kept = append(rc.Kept, keptItem{Recording: id, Reason: "call still being recorded: erase again after it"})
	}
	return exitOK
}

// signReceipt signs the receipt with an Ed25519 key derived from the
// machine's receipt key (the public key is printed with it).
func signReceipt(ctx context.Context, acct *account, rc *erasureReceipt) error {
	if acct.svc == nil {
		return errors.New("receipt key: no login service")
	}
	seed, err := auth.MachineKey(ctx, acct.svc.VaultBackend(), acct.svc.Dir(), auth.MachineReceiptKey)
	if err != nil {
		return fmt.Errorf("receipt key: %w", err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	rc.Signer = base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
	rc.Sig = ""
	msg, err := json.Marshal(rc)
	if err != nil {
		return err
	}
	rc.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, msg))
	return nil
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
