#!/usr/bin/env bash
# `go test -exec` wrapper: runs a Windows test binary under Wine in the test
# prefix (see setup-wine.sh). go test runs it in the package directory.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/wine-env.sh"
"$WIN_SCRIPTS/setup-wine.sh"
wine_server_up 60
export HOME="$WINE_HOME"
exec wine "$@"
