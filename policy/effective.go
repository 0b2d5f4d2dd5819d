package policy

import (
	"fmt"
	"slices"
	"strings"

	"softphone/auth"
	"softphone/config"
)

// Value is one effective setting.
type Value struct {
	Key    string
	Value  string
	Source Source
	// Where names the document it came from (machine or bundle), if any.
	Where string
	// Ignored is the user's value when it would have loosened the policy.
	Ignored string
	// Bound is set when a mandatory document sets this key: the user's
	// tighter value stands, but cannot go past the policy's.
	Bound bool
}

// Locked reports whether the user cannot freely change the value.
func (v Value) Locked() bool { return v.Source.Locked() || v.Bound }

// Effective is the policy in force: every governed key with its source,
// the permission table, and the config with the policy applied.
type Effective struct {
	Values []Value
	// Config is the user's config with every policy value applied.
	Config config.Config
	// Table is the permission table with the policy's grants and revocations.
	Table *auth.Table
	// Bundle is the version of the signed bundle in force (0: none).
	Bundle uint64
}

// Get returns the effective value of key.
func (e *Effective) Get(key string) (Value, bool) {
	for _, v := range e.Values {
		if v.Key == key {
			return v, true
		}
	}
	return Value{}, false
}

// LockedKeys lists the keys the user cannot change (for the settings UI).
func (e *Effective) LockedKeys() []string {
	var out []string
	for _, v := range e.Values {
		if v.Locked() {
			out = append(out, v.Key)
		}
	}
	return out
}

// String renders the policy for `softphone policy show`.
func (e *Effective) String() string {
	var b strings.Builder
	for _, v := range e.Values {
		src := v.Source.String()
		if v.Where != "" {
			src += " (" + v.Where + ")"
		}
		fmt.Fprintf(&b, "%-26s = %-24q  %s", v.Key, v.Value, src)
		if v.Ignored != "" {
			fmt.Fprintf(&b, "; user value %q ignored: it would loosen the policy", v.Ignored)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Merge computes the effective policy from the user's config and the
// mandatory documents, weakest first (bundle, then machine: the local
// administrator has the last word). The user's config may only tighten.
func Merge(user config.Config, docs ...SourcedDoc) (*Effective, error) {
	eff := &Effective{Config: user, Table: auth.DefaultTable()}
	def := config.Default()
	for _, s := range settings() {
		v, err := mergeOne(s, &eff.Config, def, docs)
		if err != nil {
			return nil, err
		}
		eff.Values = append(eff.Values, v)
	}
	fixCard(eff)
	hideSecrets(eff)
	if err := applySupervisors(eff, user, docs); err != nil {
		return nil, err
	}
	for _, d := range docs {
		if err := applyRoles(eff.Table, d); err != nil {
			return nil, err
		}
		for _, k := range []string{KeyRolesGrant, KeyRolesRevoke} {
			if val, ok := d.Doc.Values[k]; ok {
				eff.Values = append(eff.Values, Value{Key: k, Value: val, Source: d.Source, Where: d.Doc.Where})
			}
		}
	}
	if err := eff.Config.Validate(); err != nil {
		return nil, fmt.Errorf("effective policy: %w", err)
	}
	return eff, nil
}

// SourcedDoc is a mandatory document and its source (bundle or machine).
type SourcedDoc struct {
	Doc    Doc
	Source Source
}

func mergeOne(s setting, cfg *config.Config, def config.Config, docs []SourcedDoc) (Value, error) {
	userV := s.get(cfg)
	v := Value{Key: s.key, Value: userV, Source: SourceUser}
	if userV == s.get(&def) {
		v.Source = SourceDefault
	}
	var pol *Value
	for _, d := range docs {
		if pv, ok := d.Doc.Values[s.key]; ok {
			pol = &Value{Key: s.key, Value: pv, Source: d.Source, Where: d.Doc.Where}
		}
	}
	if pol == nil {
		return v, nil
	}
	// Check and normalise the policy's value on a scratch config.
	scratch := *cfg
	if err := s.set(&scratch, pol.Value); err != nil {
		return Value{}, fmt.Errorf("policy %s: %s: %w", pol.Where, s.key, err)
	}
	pol.Value = s.get(&scratch)
	// The user's value stands only where it is tighter.
	if s.tight != nil && s.tight(userV, pol.Value) < 0 {
		v.Bound = true
		return v, nil
	}
	if userV != pol.Value && v.Source == SourceUser {
		pol.Ignored = userV
	}
	if err := s.set(cfg, pol.Value); err != nil {
		return Value{}, err
	}
	return *pol, nil
}

// fixCard reports the rule no one can configure: a full card number is
// never shown or revealed (crm enforces it whatever the config says).
func fixCard(e *Effective) {
	for i, v := range e.Values {
		switch {
		case v.Key == "crm.mask.card" && v.Value == config.MaskShow:
			e.Values[i] = Value{Key: v.Key, Value: config.MaskMask, Source: SourceFixed, Where: "PCI DSS 3.4", Ignored: v.Value}
			e.Config.CRM.Mask.Card = config.MaskMask
		case v.Key == "crm.mask.reveal" && slices.Contains(splitList(v.Value), "card"):
			l := slices.DeleteFunc(splitList(v.Value), func(s string) bool { return s == "card" })
			e.Values[i] = Value{Key: v.Key, Value: joinList(l), Source: SourceFixed, Where: "PCI DSS 3.4: card never revealable", Ignored: v.Value}
			e.Config.CRM.Mask.Reveal = l
		}
	}
}

// applyRoles applies "role:permission" grants and revocations.
func applyRoles(t *auth.Table, d SourcedDoc) error {
	for _, k := range []string{KeyRolesGrant, KeyRolesRevoke} {
		for _, e := range splitList(d.Doc.Values[k]) {
			r, p, ok := strings.Cut(e, ":")
			role, err := auth.ParseRole(r)
			if !ok || err != nil {
				return fmt.Errorf("policy %s: %s: %q: want role:permission", d.Doc.Where, k, e)
			}
			perm, err := auth.ParsePermission(p)
			if err != nil {
				return fmt.Errorf("policy %s: %s: %w", d.Doc.Where, k, err)
			}
			if k == KeyRolesRevoke {
				t.Revoke(role, perm)
			} else if err := t.Grant(role, perm); err != nil {
				return err
			}
		}
	}
	return nil
}

// applySupervisors takes the supervisors' keys from the mandatory documents
// only (the last one that names them wins); the user's [supervisors] is
// ignored and reported as such.
func applySupervisors(e *Effective, user config.Config, docs []SourcedDoc) error {
	v := Value{Key: KeySupervisors, Source: SourceDefault}
	keys := map[string]config.SupervisorKey{}
	for _, d := range docs {
		list, ok := d.Doc.Values[KeySupervisors]
		if !ok {
			continue
		}
		keys = map[string]config.SupervisorKey{}
		for _, entry := range splitList(list) {
			name, pub, ok := strings.Cut(entry, "=")
			k := config.SupervisorKey{Name: strings.TrimSpace(name), PublicKey: strings.TrimSpace(pub)}
			id, err := k.ID()
			if !ok || err != nil {
				return fmt.Errorf("policy %s: %s: %q: want Name=base64 Ed25519 public key", d.Doc.Where, KeySupervisors, entry)
			}
			keys[id] = k
		}
		v = Value{Key: KeySupervisors, Value: list, Source: d.Source, Where: d.Doc.Where}
	}
	if len(user.Supervisors.Keys) > 0 {
		v.Ignored = fmt.Sprintf("%d key(s) in the user's [supervisors]", len(user.Supervisors.Keys))
	}
	e.Config.Supervisors = config.Supervisors{Keys: keys}
	e.Values = append(e.Values, v)
	return nil
}
