package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"softphone/config"
	"softphone/crm"
)

func init() {
	register(command{
		name:    "crm",
		summary: "lookup NUMBER | import FILE: contact directory (masked output)",
		run:     runCRM,
	})
}

// crmLogin logs in for a crm subcommand: the account unlocks the
// machine's field key and holds the profile's REST token.
func crmLogin(ctx context.Context, env *cli, f crmFlags) (*account, int) {
	return env.deps.login(ctx, env, authFlags{configPath: f.configPath, profile: f.profile})
}

func crmUsage(env *cli) int {
	fmt.Fprintln(env.stderr, `usage: softphone crm COMMAND [flags]
  lookup NUMBER [--db FILE] [--config FILE]   find the contact (masked fields only)
  import FILE   [--db FILE] [--config FILE]   import CSV (customer_id,name,phone,…) or vCard 3.0/4.0`)
	return exitUsage
}

// runCRM is the "crm" command; each subcommand logs in first.
func runCRM(ctx context.Context, env *cli, args []string) int {
	if len(args) == 0 {
		return crmUsage(env)
	}
	switch args[0] {
	case "lookup":
		return crmLookup(ctx, env, args[1:])
	case "import":
		return crmImport(ctx, env, args[1:])
	case "-h", "--help", "help":
		crmUsage(env)
		return exitOK
	}
	fmt.Fprintf(env.stderr, "softphone crm: unknown command %q\n", args[0])
	return crmUsage(env)
}

// crmFlags are the flags of both crm subcommands.
type crmFlags struct {
	db, configPath, profile string
	positional              []string
}

// parseCRMFlags accepts flags before and after the positional arguments
// ("crm lookup 0201 80900 --db x.db").
func parseCRMFlags(env *cli, name string, args []string) (crmFlags, error) {
	var f crmFlags
	fs := newFlagSet(env, "crm "+name)
	fs.StringVar(&f.db, "db", "", "contact store (default: crm.db setting, else the user config dir's softphone/crm.db)")
	fs.StringVar(&f.configPath, "config", "", "configuration file (default: the user config dir's softphone/config.toml)")
	fs.StringVar(&f.profile, "profile", "", "login profile (default: $SOFTPHONE_PROFILE)")
	for {
		if err := fs.Parse(args); err != nil {
			return f, err
		}
		if fs.NArg() == 0 {
			return f, nil
		}
		f.positional = append(f.positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// crmConfig reads the [crm] section; without a configuration file the
// defaults apply (an explicit --config must exist).
func crmConfig(f crmFlags) (config.CRM, error) {
	cfg, _, err := loadConfig(f.configPath, false)
	if err != nil {
		return cfg.CRM, err
	}
	return cfg.CRM, cfg.CRM.Validate()
}

func crmLookup(ctx context.Context, env *cli, args []string) int {
	f, err := parseCRMFlags(env, "lookup", args)
	if err != nil {
		return exitUsage
	}
	acct, code := crmLogin(ctx, env, f)
	if acct == nil {
		return code
	}
	if len(f.positional) == 0 {
		return crmUsage(env)
	}
	// "crm lookup 0201 80900" (unquoted) is one number.
	number := strings.Join(f.positional, " ")
	c, err := crmConfig(f)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	if _, err := crm.Normalize(number, c.DefaultRegion); err != nil {
		return env.fail(exitUsage, err)
	}
	policy, err := crm.PolicyFromConfig(c.Mask)
	if err != nil {
		return env.fail(exitConfig, err)
	}

	dir, err := openDirectory(ctx, env, c, f.db, acct, acct.crmToken)
	if err != nil {
		return env.fail(directoryExit(err), err)
	}

	// The same per-call session the phone uses: timeout, masking, no cache after.
	done := make(chan crm.Event, 1)
	l := crm.NewLookup(crm.LookupConfig{
		Directory: dir, Policy: policy, Region: c.DefaultRegion, Timeout: c.Timeout, Logger: env.log,
		OnEvent: func(ev crm.Event) {
			if ev.Kind != crm.EventState {
				return
			}
			switch ev.State {
			case crm.StateFound, crm.StateChoosing, crm.StateNotFound, crm.StateUnavailable:
				select {
				case done <- ev:
				default:
				}
			}
		},
	})
	defer l.Close()
	l.Start(ctx, number)
	var ev crm.Event
	select {
	case ev = <-done:
	case <-ctx.Done():
		return env.fail(exitFailure, ctx.Err())
	}

	e164, _ := crm.Normalize(number, c.DefaultRegion)
	var cards []crm.Card
	switch ev.State {
	case crm.StateUnavailable:
		return env.fail(exitFailure, ev.Err)
	case crm.StateFound:
		cards = []crm.Card{*ev.Card}
	case crm.StateChoosing:
		cards = ev.Matches
	}
	for _, card := range cards {
		env.emit("crm_contact", cardFields(card))
	}
	env.emit("crm_lookup", map[string]any{"number": crm.Number(e164).String(), "matches": len(cards)})
	return exitOK
}

// cardFields is the JSON form of a card: masked values only.
func cardFields(card crm.Card) map[string]any {
	fields := make([]map[string]any, 0, len(card.Fields))
	for _, f := range card.Fields {
		fields = append(fields, map[string]any{
			"key": f.Key, "label": f.Label, "kind": f.Kind.String(),
			"value": f.Value, "masked": f.Masked, "revealable": f.Revealable,
		})
	}
	return map[string]any{
		"customer_id":         card.CustomerID,
		"name":                card.Name,
		"consent":             card.Consent.String(),
		"payment_in_progress": card.PaymentInProgress,
		"fields":              fields,
	}
}

func crmImport(ctx context.Context, env *cli, args []string) int {
	f, err := parseCRMFlags(env, "import", args)
	if err != nil {
		return exitUsage
	}
	acct, code := crmLogin(ctx, env, f)
	if acct == nil {
		return code
	}
	if len(f.positional) != 1 {
		return crmUsage(env)
	}
	file := f.positional[0]
	c, err := crmConfig(f)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	path, err := crmDBPath(env, f.db, c)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	in, err := os.Open(file)
	if err != nil {
		return env.fail(exitUsage, err)
	}
	defer in.Close()
	s, err := openCRMStore(env, path, acct)
	if err != nil {
		return env.fail(directoryExit(err), err)
	}
	rep, err := s.Import(ctx, in, crm.DetectFormat(file, nil), c.DefaultRegion)
	for _, b := range rep.Bad {
		env.emit("crm_import_bad_row", map[string]any{"line": b.Line, "reason": b.Reason})
	}
	if err != nil {
		return env.fail(exitFailure, fmt.Errorf("%w (%d rows stored before)", err, rep.Imported))
	}
	env.emit("crm_import", map[string]any{
		"format": rep.Format.String(), "imported": rep.Imported, "bad": len(rep.Bad),
		"rows_per_s": int(rep.RowsPerSecond()), "db": path,
	})
	return exitOK
}
