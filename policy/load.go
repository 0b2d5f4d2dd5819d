package policy

import (
	"context"
	"net/http"

	"softphone/config"
)

// Options says where the mandatory policy comes from.
type Options struct {
	// Machine is the machine policy store (nil: MachineStore()).
	Machine Store
	// Client fetches the signed bundle (nil: a default HTTPS client).
	Client *http.Client
	// StateDir keeps the last good bundle and its version; StateKey (a
	// machine key) authenticates that version.
	StateDir string
	StateKey []byte
}

// Load reads the machine policy and, if it names one, the signed bundle,
// and merges them over the user's config. Any error here is a
// configuration error: the caller stops before any login.
func Load(ctx context.Context, user config.Config, o Options) (*Effective, error) {
	st := o.Machine
	if st == nil {
		st = MachineStore()
	}
	mdoc, found, err := st.Load()
	if err != nil {
		return nil, err
	}
	var docs []SourcedDoc
	var version uint64
	if found && mdoc.Values[KeyBundleURL] != "" {
		pub, err := ParsePublicKey(mdoc.Values[KeyBundleKey])
		if err != nil {
			return nil, err
		}
		src := BundleSource{URL: mdoc.Values[KeyBundleURL], PublicKey: pub, Client: o.Client,
			StateDir: o.StateDir, Key: o.StateKey}
		v, bdoc, err := src.Fetch(ctx)
		if err != nil {
			return nil, err
		}
		version = v
		docs = append(docs, SourcedDoc{Doc: bdoc, Source: SourceBundle})
	}
	if found {
		docs = append(docs, SourcedDoc{Doc: mdoc, Source: SourceMachine})
	}
	eff, err := Merge(user, docs...)
	if err != nil {
		return nil, err
	}
	eff.Bundle = version
	for _, k := range []string{KeyBundleURL, KeyBundleKey} {
		if v, ok := mdoc.Values[k]; ok {
			eff.Values = append(eff.Values, Value{Key: k, Value: v, Source: SourceMachine, Where: mdoc.Where})
		}
	}
	return eff, nil
}
