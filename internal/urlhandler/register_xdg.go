//go:build unix && !darwin

package urlhandler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// runTool runs a desktop tool; tests replace it.
var runTool = func(name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrToolMissing, name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// applicationsDir is $XDG_DATA_HOME/applications (default ~/.local/share).
func applicationsDir() (string, error) {
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" || !filepath.IsAbs(data) {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return "", errNoHome
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "applications"), nil
}

func desktopFileName(c Config) string { return c.AppID + ".desktop" }

func mimeTypes(c Config) []string {
	m := make([]string, len(c.Schemes))
	for i, s := range c.Schemes {
		m[i] = "x-scheme-handler/" + s
	}
	return m
}

func register(c Config) error {
	dir, err := applicationsDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("urlhandler: %w", err)
	}
	path := filepath.Join(dir, desktopFileName(c))
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(desktopEntry(c)), 0o644); err != nil {
		return fmt.Errorf("urlhandler: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("urlhandler: %w", err)
	}
	// Refresh the MIME cache if the tool exists; xdg-mime below is what
	// makes us the default, so a missing update-desktop-database is fine.
	runTool("update-desktop-database", dir)
	args := append([]string{"default", desktopFileName(c)}, mimeTypes(c)...)
	if _, err := runTool("xdg-mime", args...); err != nil {
		return fmt.Errorf("urlhandler: %s written, but not made default: %w", path, err)
	}
	return nil
}

func unregister(c Config) error {
	dir, err := applicationsDir()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, desktopFileName(c))
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("urlhandler: %w", err)
	}
	runTool("update-desktop-database", dir)
	// mimeapps.list may still name the removed file; desktops skip entries
	// whose file is gone, so the next handler takes over.
	return nil
}

func isDefault(c Config) (bool, error) {
	for _, m := range mimeTypes(c) {
		out, err := runTool("xdg-mime", "query", "default", m)
		if err != nil {
			return false, err
		}
		if out != desktopFileName(c) {
			return false, nil
		}
	}
	return true, nil
}

func available(c Config) (bool, error) {
	for _, m := range mimeTypes(c) {
		out, err := runTool("xdg-mime", "query", "default", m)
		if err != nil {
			return false, err
		}
		if out != "" && out != desktopFileName(c) {
			return false, nil
		}
	}
	return true, nil
}
