//go:build linux || freebsd || netbsd || openbsd || dragonfly

package auth

import (
	"os"
	"path/filepath"
	"strconv"
)

// sessionBusLikely reports whether a D-Bus session bus can be found without
// autolaunching one (godbus would otherwise start dbus-launch, leaving a
// stray bus with no Secret Service behind).
func sessionBusLikely() bool {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return true
	}
	_, err := os.Stat(filepath.Join("/run/user", strconv.Itoa(os.Getuid()), "bus"))
	return err == nil
}
