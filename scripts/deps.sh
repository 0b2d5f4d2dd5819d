#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a make target needs, only when missing,
# and says what it installs. Usage: scripts/deps.sh GROUP...
#   build  — C toolchain bits and X11/GL headers for the Fyne GUI
#   test   — the real peers and tools the tests start (Kamailio, baresip, sipp, curl for the S3 server script,
#            gnome-keyring, Xvfb, imagemagick, socat, xdotool, xdg-utils; python3 for the standalone audit
#            verifier in docs/audit-verify; PulseAudio with its utilities and sox for the sound-card tests;
#            nftables iproute2 iputils-ping coturn for the namespace home network)
#   windows — mingw-w64 cross compiler and Wine for the Windows build and tests
set -euo pipefail

declare -A groups=(
	[build]="gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev"
	[test]="kamailio kamailio-tls-modules kamailio-presence-modules baresip-core sip-tester gnome-keyring dbus dbus-x11 xvfb xauth imagemagick socat xdotool procps xdg-utils desktop-file-utils curl python3-minimal pulseaudio pulseaudio-utils sox"
	[windows]="gcc-mingw-w64-x86-64 wine wine64 xz-utils bc"
)
# linphonec is the second far-end phone of the wideband interop tests (audio/interop_linphone_test.go);
# its linphone-common also ships the 16 kHz speech recording the echo-canceller test uses.
groups[test]+=" linphone-cli"
# The home-office network of internal/testpeer/netlab*.go: namespaces, veth pairs and the router's NAT
# (iproute2, nftables), ping for its checks and the TURN server coturn (turnserver).
groups[test]+=" nftables iproute2 iputils-ping coturn"
# conntrack: the address-change test forgets the lab router's NAT mappings of the agent's old address.
groups[test]+=" conntrack"

want=()
for g in "$@"; do
	[[ -n "${groups[$g]:-}" ]] || { echo "deps.sh: unknown group $g" >&2; exit 2; }
	for p in ${groups[$g]}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want+=("$p")
	done
done
[[ ${#want[@]} -eq 0 ]] && exit 0

echo "Installing missing packages: ${want[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { echo "deps.sh: need root or sudo to install ${want[*]}" >&2; exit 1; }
	SUDO="sudo"
fi
# Another installer may hold the dpkg lock (unattended upgrades): wait, never delete locks.
for _ in $(seq 1 120); do
	if ! fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock >/dev/null 2>&1; then break; fi
	echo "waiting for the dpkg lock…"; sleep 5
done
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q -o DPkg::Lock::Timeout=600
$SUDO apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${want[@]}"
