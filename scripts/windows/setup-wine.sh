#!/usr/bin/env bash
# Prepares the Wine prefix used by `make test-windows` (build/_wine/prefix):
#   wineboot -i, the ProcessPrng shim (bcryptprimitives.dll) in system32, and an
#   .asoundrc with a null default under the wine HOME (build/_wine/home).
# Idempotent: returns at once when the stamp matches the shim and Wine version.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/wine-env.sh"

need() { command -v "$1" >/dev/null || { echo "setup-wine: $1 not found (apt-get install -y $2)" >&2; exit 1; }; }
need wine "wine wine64"
need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64

src="$WIN_SCRIPTS/processprng.c"
want="$(cat "$src" | sha256sum | cut -c1-16) $(wine --version 2>/dev/null)"
if [[ -f "$WINE_STAMP" && "$(cat "$WINE_STAMP")" == "$want" ]]; then
	exit 0
fi

mkdir -p "$WINE_ROOT" "$WINE_HOME"
# Parallel `go test -exec` runs may all find the prefix missing: one sets up,
# the others wait for it and then see the stamp.
exec 9>"$WINE_ROOT/setup.lock"
flock 9
if [[ -f "$WINE_STAMP" && "$(cat "$WINE_STAMP")" == "$want" ]]; then
	exit 0
fi
t0=$(date +%s)
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
	echo "setup-wine: creating prefix $WINEPREFIX" >&2
	HOME="$WINE_HOME" wine wineboot -i </dev/null >/dev/null 2>&1 9>&-
	HOME="$WINE_HOME" wineserver -w 9>&-
fi

dll="$WINE_ROOT/bcryptprimitives.dll"
x86_64-w64-mingw32-gcc -O2 -shared -s -o "$dll" "$src" -lbcrypt
install -m 0644 "$dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"

cat >"$WINE_HOME/.asoundrc" <<'ASOUND'
# Test-only: no sound card on CI. A null default lets Wine's ALSA driver (and
# so WASAPI inside Wine) list and open a device that discards audio.
pcm.!default { type null }
ASOUND

echo "$want" >"$WINE_STAMP"
echo "setup-wine: ready in $(( $(date +%s) - t0 ))s ($WINEPREFIX)" >&2
