//go:build !unix && !windows

package auth

import "os"

// Platforms without file locks (js, wasip1, plan9) serialise within the process only.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) {}
