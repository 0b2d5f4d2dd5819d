//go:build windows

package policy

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// RegistryKey is the machine policy key under HKEY_LOCAL_MACHINE; only
// administrators (Group Policy) may write it.
const RegistryKey = `Software\Policies\Softphone`

// MachineStore is this OS's machine policy store.
func MachineStore() Store { return RegistryStore{Path: RegistryKey} }

// RegistryStore reads the policy from HKLM: one value per policy key
// ("media.allow_plain_rtp" = DWORD 0, "crm.mask.reveal" = REG_MULTI_SZ …).
type RegistryStore struct{ Path string }

// Load implements Store.
func (r RegistryStore) Load() (Doc, bool, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, r.Path, registry.QUERY_VALUE|registry.ENUMERATE_SUB_KEYS)
	if errors.Is(err, registry.ErrNotExist) {
		return Doc{}, false, nil
	}
	if err != nil {
		return Doc{}, false, fmt.Errorf("machine policy HKLM\\%s: %w", r.Path, err)
	}
	defer k.Close()
	names, err := k.ReadValueNames(0)
	if err != nil {
		return Doc{}, true, fmt.Errorf("machine policy HKLM\\%s: %w", r.Path, err)
	}
	m := map[string]any{}
	for _, n := range names {
		_, typ, err := k.GetValue(n, nil)
		if err != nil {
			return Doc{}, true, fmt.Errorf("machine policy %s: %w", n, err)
		}
		switch typ {
		case registry.SZ, registry.EXPAND_SZ:
			m[n], _, err = k.GetStringValue(n)
		case registry.DWORD, registry.QWORD:
			var v uint64
			v, _, err = k.GetIntegerValue(n)
			m[n] = int64(v)
		case registry.MULTI_SZ:
			m[n], _, err = k.GetStringsValue(n)
		default:
			err = fmt.Errorf("unsupported registry type %d", typ)
		}
		if err != nil {
			return Doc{}, true, fmt.Errorf("machine policy %s: %w", n, err)
		}
	}
	d, err := FromMap(m, `HKLM\`+r.Path)
	return d, true, err
}
