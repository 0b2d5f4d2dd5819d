package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// fileGens is the generation table of fileIntegrity: one JSON file,
// rewritten atomically, under the profile store's lock.
type fileGens struct{ mu sync.Mutex }

const gensFile = "profile-generations.json"

func (g *fileGens) read(dir string) (map[string]uint64, error) {
	b, err := os.ReadFile(filepath.Join(dir, gensFile))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]uint64{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("profile generations: %w", err)
	}
	m := map[string]uint64{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: profile generations unreadable", ErrProfileTampered)
	}
	return m, nil
}

func (g *fileGens) get(dir, profile string) (uint64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	m, err := g.read(dir)
	return m[profile], err
}

func (g *fileGens) set(dir, profile string, gen uint64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	m, err := g.read(dir)
	if err != nil {
		return err
	}
	m[profile] = gen
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return writeFileAtomic(dir, filepath.Join(dir, gensFile), b)
}
