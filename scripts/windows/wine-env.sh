# shellcheck shell=bash
# Sourced by the scripts in scripts/windows: one Wine prefix and HOME for tests,
# under build/ so that nothing touches the user's ~/.wine.
WIN_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$WIN_SCRIPTS/../.." && pwd)"
# A leading "_" keeps the go tool (./... patterns) out of the prefix and the
# overlay source (go ignores directories starting with "_" or ".").
WINE_ROOT="${SOFTPHONE_WINE_ROOT:-$REPO_ROOT/build/_wine}"
export WINEPREFIX="$WINE_ROOT/prefix"
export WINEARCH=win64
# No Mono/Gecko download dialogs during wineboot; they are not needed.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
export WINEDEBUG="${WINEDEBUG:--all}"
# HOME for wine: holds .asoundrc with a null ALSA default (no sound card here).
WINE_HOME="$WINE_ROOT/home"
WINE_STAMP="$WINEPREFIX/.softphone-setup"

# wine_server_up starts the prefix's wineserver detached from our stdio and
# lets Wine start its background services (services.exe, explorer.exe, …)
# with /dev/null as stdio. Otherwise the first Windows program of a session
# spawns them, they inherit its stdout pipe, and `go test` waits for that pipe
# ("Test I/O incomplete 1m0s after exiting"). Serialised with flock so that
# parallel test binaries do not race to be first. Persistence: $1 seconds
# after the last client (default 60).
wine_server_up() {
	mkdir -p "$WINE_ROOT"
	(
		flock 8
		# 8>&-: the daemons must not inherit (and so hold) the lock.
		if HOME="$WINE_HOME" wineserver -p "${1:-60}" </dev/null >/dev/null 2>&1 8>&-; then
			HOME="$WINE_HOME" wine cmd.exe /c exit </dev/null >/dev/null 2>&1 8>&- || true
		fi
	) 8>"$WINE_ROOT/server.lock"
}
