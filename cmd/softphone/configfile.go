package main

import (
	"errors"
	"fmt"
	"os"

	"softphone/config"
)

// noConfigError is the one "no configuration" message of every command and
// of the desktop.
type noConfigError struct{ path string }

func (e noConfigError) Error() string {
	return fmt.Sprintf("no configuration at %s: write one (see README), pass --config FILE, or try the demo: softphone --demo", e.path)
}

func (e noConfigError) Unwrap() error { return os.ErrNotExist }

// loadConfig is the one way cmd reads the configuration: the file named by
// --config (flagPath) or the default one. A missing default file yields the
// defaults unless required; a file named by --config must exist. It returns
// the path it read (or would have read).
func loadConfig(flagPath string, required bool) (config.Config, string, error) {
	path := flagPath
	if path == "" {
		p, err := config.DefaultPath()
		if err != nil {
			if required {
				return config.Default(), "", err
			}
			return config.Default(), "", nil
		}
		path = p
	}
	cfg, err := config.Load(path)
	if errors.Is(err, os.ErrNotExist) {
		if flagPath == "" && !required {
			return config.Default(), path, nil
		}
		return config.Default(), path, noConfigError{path}
	}
	return cfg, path, err
}
