#!/usr/bin/env bash
# Prints one piece of release metadata, for make and the packaging scripts.
#   appmeta.sh name|id|icon|version|build|semver|winversion
# name, id, icon come from FyneApp.toml [Details] (the UI owns that file).
# version and build come from git, never from a file the build rewrites:
#   version    git describe --tags --always --dirty   (v1.2.0-3-gabc1234-dirty)
#   build      git rev-list --count HEAD               (monotonic on a branch)
#   semver     X.Y.Z of the newest v* tag, else FyneApp.toml's Version, else 0.0.0
#   winversion semver.build (Windows VERSIONINFO: four numbers <= 65535)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
toml="$root/FyneApp.toml"

detail() { # detail KEY DEFAULT: value of KEY in [Details]
	local v=""
	if [[ -f "$toml" ]]; then
		v="$(awk -v key="$1" '
			/^[[:space:]]*\[/ { sec = $0; gsub(/[[:space:]\[\]]/, "", sec); next }
			sec == "Details" {
				line = $0; sub(/#.*/, "", line)
				split(line, kv, "=")
				k = kv[1]; gsub(/[[:space:]]/, "", k)
				if (k == key) { v = substr(line, index(line, "=") + 1); gsub(/^[[:space:]"]+|[[:space:]"]+$/, "", v); print v; exit }
			}' "$toml")"
	fi
	echo "${v:-$2}"
}

git_() { git -C "$root" "$@" 2>/dev/null; }

semver() {
	local t
	t="$(git_ describe --tags --abbrev=0 --match 'v[0-9]*' || true)"
	t="${t#v}"
	t="${t%%[-+]*}"
	[[ "$t" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || t="$(detail Version 0.0.0)"
	[[ "$t" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || t="0.0.0"
	echo "$t"
}

build() { git_ rev-list --count HEAD || echo 0; }

case "${1:-}" in
name) detail Name Softphone ;;
id) detail ID com.example.softphone ;;
icon) detail Icon assets/icon.png ;;
version) git_ describe --tags --always --dirty || echo "0.0.0-unknown" ;;
build) build ;;
semver) semver ;;
winversion) echo "$(semver).$(( $(build) % 65536 ))" ;;
*) echo "usage: $0 name|id|icon|version|build|semver|winversion" >&2; exit 2 ;;
esac
