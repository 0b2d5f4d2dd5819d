package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Store is where a machine policy lives. Load reports found=false when the
// machine has none (then only the defaults and the user's config apply).
type Store interface {
	Load() (doc Doc, found bool, err error)
}

// FileStore reads a TOML policy file. A file (or directory) that anyone but
// its owner could write to is refused, and with RequireRoot so is a file not
// owned by root: otherwise the agent could write their own policy.
type FileStore struct {
	Path        string
	RequireRoot bool
}

// Load implements Store.
func (f FileStore) Load() (Doc, bool, error) {
	fi, err := os.Stat(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Doc{}, false, nil
	}
	if err != nil {
		return Doc{}, false, fmt.Errorf("machine policy: %w", err)
	}
	for _, p := range []string{f.Path, filepath.Dir(f.Path)} {
		if err := checkOwner(p, f.RequireRoot); err != nil {
			return Doc{}, true, fmt.Errorf("machine policy %s refused: %w", f.Path, err)
		}
	}
	if !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
		return Doc{}, true, fmt.Errorf("machine policy %s refused: not a regular file under 1 MB", f.Path)
	}
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return Doc{}, true, fmt.Errorf("machine policy: %w", err)
	}
	d, err := ParseTOML(b, f.Path)
	return d, true, err
}
