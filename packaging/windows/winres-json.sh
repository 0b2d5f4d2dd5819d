#!/usr/bin/env bash
# Writes the go-winres resource description for softphone.exe:
#   winres-json.sh NAME VERSION WINVERSION ICON OUTDIR
# -> OUTDIR/winres.json (+ OUTDIR/icon.png). Resources: the app icon (go-winres
# makes the 16–256 px sizes from the PNG), a manifest (per-monitor DPI aware
# like GLFW asks for, long paths, no elevation) and VERSIONINFO with the git
# version. Generated under build/ on every build; nothing in the tree changes.
set -euo pipefail
name="$1" version="$2" winversion="$3" icon="$4" out="$5"
mkdir -p "$out"
icon_json=""
if [[ -f "$icon" ]]; then
	cp "$icon" "$out/icon.png"
	icon_json='"RT_GROUP_ICON": {"APP": {"0000": ["icon.png"]}},'
else
	echo "winres-json: icon $icon missing; the exe gets no icon" >&2
fi
json_escape() { local s="${1//\\/\\\\}"; printf '%s' "${s//\"/\\\"}"; }
n="$(json_escape "$name")" v="$(json_escape "$version")"
cat >"$out/winres.json" <<JSON
{
  $icon_json
  "RT_MANIFEST": {
    "#1": {
      "0409": {
        "identity": {"name": "$n", "version": "$winversion"},
        "description": "$n",
        "minimum-os": "win10",
        "execution-level": "as invoker",
        "ui-access": false,
        "auto-elevate": false,
        "dpi-awareness": "per monitor v2",
        "disable-theming": false,
        "disable-window-filtering": false,
        "high-resolution-scrolling-aware": true,
        "ultra-high-resolution-scrolling-aware": false,
        "long-path-aware": true,
        "printer-driver-isolation": false,
        "gdi-scaling": false,
        "segment-heap": false,
        "use-common-controls-v6": true
      }
    }
  },
  "RT_VERSION": {
    "#1": {
      "0000": {
        "fixed": {"file_version": "$winversion", "product_version": "$winversion"},
        "info": {
          "0409": {
            "ProductName": "$n",
            "FileDescription": "$n",
            "ProductVersion": "$v",
            "FileVersion": "$v",
            "OriginalFilename": "softphone.exe",
            "InternalName": "softphone"
          }
        }
      }
    }
  }
}
JSON
