#!/bin/sh
# Installs Softphone for the current user from the unpacked tarball:
#   ./install.sh              -> ~/.local/bin/softphone, icon, desktop file,
#                                sip:/tel: handler (xdg-mime)
#   ./install.sh --uninstall
# PREFIX=/some/dir ./install.sh installs elsewhere (bin/ and share/ below it).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${PREFIX:-$HOME/.local}"
bin="$prefix/bin/softphone"
icon="$prefix/share/icons/hicolor/256x256/apps/softphone.png"

if [ "${1:-}" = "--uninstall" ]; then
	[ -x "$bin" ] && "$bin" open --unregister || true
	rm -f "$bin" "$icon"
	echo "Softphone removed. Your profiles, settings and recordings stay in"
	echo "  ${XDG_CONFIG_HOME:-$HOME/.config}/softphone and ${XDG_DATA_HOME:-$HOME/.local/share}/softphone"
	exit 0
fi

install -D -m 0755 "$here/softphone" "$bin"
install -D -m 0644 "$here/softphone.png" "$icon"
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" 2>/dev/null || true
# Writes ~/.local/share/applications/<app id>.desktop with the absolute path
# of the binary and makes it the sip:/tel: handler (needs xdg-utils).
if "$bin" open --register >/dev/null; then
	echo "Softphone installed: $bin (sip: and tel: links open it)"
else
	echo "Softphone installed: $bin"
	echo "Could not register the sip:/tel: handler (install xdg-utils, then run: $bin open --register)"
fi
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "Note: $prefix/bin is not on your PATH." ;; esac
