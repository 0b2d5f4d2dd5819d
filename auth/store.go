package auth

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"softphone/internal/safefile"
)

// profileStore keeps one profile file per agent, Dir/NAME.json, mode 0600, each
// written atomically (temporary file, fsync, rename).
type profileStore struct {
	// Dir is the profile directory, created 0700 on first write.
	Dir string
	// in authenticates the records (MAC and generation counter).
	in Integrity
}

// DefaultDir is os.UserConfigDir()/softphone/profiles.
func DefaultDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(dir, "softphone", "profiles"), nil
}

func (s profileStore) path(name string) string { return filepath.Join(s.Dir, name+".json") }

// load reads a profile. A missing file is ErrNoSuchProfile.
func (s profileStore) load(name string) (*profile, error) {
	if err := ValidProfileName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoSuchProfile
	}
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProfileFile+1))
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	p, err := decodeProfile(b)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	if p.Name != name {
		return nil, fmt.Errorf("profile %s: %w: name does not match file", name, ErrCorruptProfile)
	}
	if err := checkIntegrity(s.in, p); err != nil {
		return nil, err
	}
	return p, nil
}

// save writes p atomically, replacing any previous version.
func (s profileStore) save(p *profile) error {
	key, err := s.in.Key()
	if err != nil {
		return fmt.Errorf("save profile: profile key: %w", err)
	}
	p.Gen++
	if p.MAC, err = profileMAC(key, p); err != nil {
		return err
	}
	b, err := encodeProfile(p)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.Dir, s.path(p.Name), b); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	// The file first, then the counter: a crash in between leaves a file
	// one generation ahead, which load accepts.
	if err := s.in.SetGeneration(p.Name, p.Gen); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return nil
}

// names lists the profiles in the directory, sorted.
func (s profileStore) names() ([]string, error) {
	ents, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	var out []string
	for _, e := range ents {
		n, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || ValidProfileName(n) != nil {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// writeFileAtomic writes b to path through a temporary file in dir, so a
// crash leaves either the old or the new file, never a mix.
func writeFileAtomic(dir, path string, b []byte) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err = tmp.Write(b); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = safefile.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable where the OS allows it (not on Windows).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
