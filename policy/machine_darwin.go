//go:build darwin

package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ManagedPreferencesPath is where macOS puts the managed preferences a
// configuration profile (MDM) installs for the domain com.softphone.policy.
const ManagedPreferencesPath = "/Library/Managed Preferences/com.softphone.policy.plist"

// MachineStore is this OS's machine policy store.
func MachineStore() Store { return PlistStore{Path: ManagedPreferencesPath} }

// PlistStore reads managed preferences (XML or binary plist). Keys are the
// policy keys ("media.allow_plain_rtp") or nested dictionaries of them.
type PlistStore struct{ Path string }

// Load implements Store.
func (p PlistStore) Load() (Doc, bool, error) {
	b, err := os.ReadFile(p.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Doc{}, false, nil
	}
	if err != nil {
		return Doc{}, false, fmt.Errorf("managed preferences: %w", err)
	}
	if err := checkOwner(p.Path, true); err != nil {
		return Doc{}, true, fmt.Errorf("managed preferences %s refused: %w", p.Path, err)
	}
	d, err := ParsePlist(b, p.Path)
	return d, true, err
}
