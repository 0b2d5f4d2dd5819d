package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// maxLogSize is where the desktop's log file starts over (one old file kept).
const maxLogSize = 5 << 20

// logDir is where the desktop writes its log, per OS: ~/.cache/softphone
// ($XDG_CACHE_HOME) on Linux, ~/Library/Logs/softphone on macOS,
// %LocalAppData%\softphone\logs on Windows. Logs hold no personal data
// unmasked and no secrets (see STYLE.md), but stay private to the user.
func logDir() (string, error) {
	switch runtime.GOOS {
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Logs", "softphone"), nil
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "softphone", "logs"), nil
		}
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "softphone"), nil
}

// openLogFile opens softphone.log in dir for appending, moving a file
// larger than maxLogSize to softphone.log.1 first.
func openLogFile(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	path := filepath.Join(dir, "softphone.log")
	if st, err := os.Stat(path); err == nil && st.Size() > maxLogSize {
		os.Rename(path, path+".1")
	}
	return os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
}

// desktopLogWriter is where the desktop logs: the log file and stderr (on
// Windows a GUI program has no console, so the file is all there is).
func desktopLogWriter(stderr io.Writer) (io.Writer, io.Closer) {
	dir, err := logDir()
	if err != nil {
		return stderr, io.NopCloser(nil)
	}
	f, err := openLogFile(dir)
	if err != nil {
		fmt.Fprintln(stderr, "softphone: no log file:", err)
		return stderr, io.NopCloser(nil)
	}
	return io.MultiWriter(stderr, f), f
}
