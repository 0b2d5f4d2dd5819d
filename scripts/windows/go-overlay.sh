#!/usr/bin/env bash
# Prints the path of a `go build -overlay` file for running Go tests under
# Wine 8 — TEST USE ONLY, never for the shipped .exe. Two std quirks meet
# Wine 8 gaps; each patch only widens an error check inside a function body,
# so the packages' export data is unchanged and nothing downstream is
# recompiled (the shared build cache stays warm):
#
#  1. internal/syscall/windows.Deleteat: Go >= 1.26 removes files with
#     NtSetInformationFile(FileDispositionInformationEx); Wine 8 answers
#     STATUS_NOT_IMPLEMENTED, which Go does not take as "unsupported", so
#     os.RemoveAll and every t.TempDir cleanup fail with "Invalid function".
#     The patch adds that status to the ones that select Go's own fallback.
#  2. net.(*netFD).init: Go >= 1.24 sets SIO_UDP_NETRESET on every UDP socket;
#     Wine 8 answers WSAEOPNOTSUPP, so every net.ListenUDP fails
#     ("wsaioctl: winapi error #10045"). The patch ignores that answer (the
#     option only silences ICMP net-unreachable reports on real Windows).
#
# A patch whose source line is not found is left out with a warning.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/wine-env.sh"

goroot="$(go env GOROOT)"
gover="$(go env GOVERSION)"
out="$WINE_ROOT/overlay/$gover"
json="$out/overlay.json"
self="${BASH_SOURCE[0]}"
if [[ -f "$json" && "$json" -nt "$self" ]]; then
	echo "$json"
	exit 0
fi
mkdir -p "$out"
entries=()

src="$goroot/src/internal/syscall/windows/at_windows.go"
if grep -q 'case STATUS_INVALID_INFO_CLASS,' "$src" 2>/dev/null; then
	sed 's/case STATUS_INVALID_INFO_CLASS,/case STATUS_INVALID_INFO_CLASS, NTStatus(0xC0000002), \/\/ Wine 8: STATUS_NOT_IMPLEMENTED (test-only overlay)\n\t\t/' \
		"$src" >"$out/at_windows.go"
	entries+=("\"$src\":\"$out/at_windows.go\"")
else
	echo "go-overlay: $src changed; no Deleteat patch" >&2
fi

src="$goroot/src/net/fd_windows.go"
if grep -A1 'SIO_UDP_NETRESET' "$src" 2>/dev/null | grep -q 'if err != nil {'; then
	sed '/windows.SIO_UDP_NETRESET/{n;s/if err != nil {/if err != nil \&\& err != syscall.Errno(10045) { \/\/ Wine 8: WSAEOPNOTSUPP (test-only overlay)/}' \
		"$src" >"$out/fd_windows.go"
	entries+=("\"$src\":\"$out/fd_windows.go\"")
else
	echo "go-overlay: $src changed; no SIO_UDP_NETRESET patch" >&2
fi

if ((${#entries[@]} == 0)); then
	exit 0
fi
(IFS=,; printf '{"Replace":{%s}}\n' "${entries[*]}") >"$json"
echo "$json"
