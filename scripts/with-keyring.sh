#!/usr/bin/env bash
# with-keyring.sh CMD [ARGS...] — run CMD with a real, unlocked Secret Service
# (gnome-keyring) on a private D-Bus session, in a throwaway HOME.
#
#   scripts/with-keyring.sh go test -run Keyring ./auth/...
#
# Nothing of the user's own keyring is touched: HOME, XDG_DATA_HOME and
# XDG_RUNTIME_DIR point into a temporary directory that is removed afterwards,
# and the keyring password is random and never written down.
# Needs: dbus (dbus-run-session) and gnome-keyring (gnome-keyring-daemon).
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 COMMAND [ARGS...]" >&2
	exit 2
fi
for bin in dbus-run-session gnome-keyring-daemon; do
	if ! command -v "$bin" >/dev/null 2>&1; then
		echo "$0: $bin not found (apt-get install dbus gnome-keyring)" >&2
		exit 127
	fi
done

# Keep Go's caches where they are: a fresh HOME would otherwise mean a cold
# build and an empty module cache.
if command -v go >/dev/null 2>&1; then
	GOCACHE=$(go env GOCACHE)
	GOMODCACHE=$(go env GOMODCACHE)
	GOPATH=$(go env GOPATH)
	export GOCACHE GOMODCACHE GOPATH
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/with-keyring.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

export HOME="$tmp/home"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL

WITH_KEYRING_PASSWORD=$(head -c 24 /dev/urandom | base64)
export WITH_KEYRING_PASSWORD

# dbus-run-session ends the bus (and the daemon it activated) when CMD exits.
# Not exec: the EXIT trap must still remove the temporary HOME.
dbus-run-session -- bash -c '
	set -euo pipefail
	pw=$WITH_KEYRING_PASSWORD
	unset WITH_KEYRING_PASSWORD
	# --unlock reads the password from stdin and creates the login keyring
	# with it on first use; eval picks up GNOME_KEYRING_CONTROL.
	eval "$(printf %s "$pw" | gnome-keyring-daemon --daemonize --unlock --components=secrets)"
	export GNOME_KEYRING_CONTROL
	unset pw
	# The daemon claims org.freedesktop.secrets on the bus shortly after it
	# forks; wait for that (up to 5 s) so CMD does not race it.
	if command -v dbus-send >/dev/null 2>&1; then
		for _ in $(seq 50); do
			if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
				org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
				break
			fi
			sleep 0.1
		done
	fi
	"$@"
' with-keyring "$@"
