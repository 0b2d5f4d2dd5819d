#!/usr/bin/env bash
# gui-smoke.sh BINARY OUTDIR — the real desktop under Xvfb in demo mode:
# waits for the window (and prints how long it took), types the demo login
# with xdotool (password, then the TOTP code the demo prints with
# SOFTPHONE_DEMO_CODES=1), dials the echo extension, and keeps screenshots
# of the login and main screens in OUTDIR, takes a demo customer's call and
# ends the session with SIGTERM during it. Fails if the window never shows,
# the login does not get through, a screenshot is blank, or the SIGTERM
# does not give a clean exit.
set -euo pipefail
bin=$(readlink -f "$1")
out=$(readlink -f "$2")
mkdir -p "$out"
if [ -z "${SMOKE_INNER:-}" ]; then
	# A private session bus: without one, D-Bus autolaunch (Fyne, the keyring)
	# starts a dbus-daemon that outlives the test.
	exec env SMOKE_INNER=1 dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi

# The desktop ships without Fyne's bundled emoji font (Makefile: GOFLAGS
# -tags=no_emoji; it cost ~26 MB of RSS): the binary's build settings say so.
if ! go version -m "$bin" | grep -Eq -- '-tags=([^ ]*,)?no_emoji'; then
	echo "gui-smoke: $bin was not built with -tags=no_emoji (see Makefile)"; exit 1
fi

log="$out/gui-smoke.jsonl"
export SOFTPHONE_DEMO_CODES=1 LANG=en_US.UTF-8
start=$(date +%s%N)
"$bin" --demo --audio null --lang en >"$log" 2>"$out/gui-smoke.stderr" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap cleanup EXIT

win=""
for _ in $(seq 1 300); do
	win=$(xdotool search --onlyvisible --name '^Softphone' 2>/dev/null | head -1 || true)
	[ -n "$win" ] && break
	sleep 0.05
done
[ -n "$win" ] || { echo "gui-smoke: no window after 15 s"; cat "$out/gui-smoke.stderr"; exit 1; }
echo "gui-smoke: window visible after $(( ($(date +%s%N) - start) / 1000000 )) ms"

blank_check() {
	local sd
	sd=$(convert "$1" -format '%[fx:standard_deviation]' info:)
	awk -v sd="$sd" -v f="$1" 'BEGIN { if (sd < 0.02) { print "gui-smoke: " f " is blank (sd " sd ")"; exit 1 } }'
}

sleep 1.5
import -window root "$out/login.png"
blank_check "$out/login.png"

code=""
for _ in $(seq 1 100); do
	code=$(grep -o '"code":"[0-9]*"' "$log" | tail -1 | grep -o '[0-9]\{6\}' || true)
	[ -n "$code" ] && break
	sleep 0.1
done
[ -n "$code" ] || { echo "gui-smoke: the demo printed no code"; exit 1; }
password=$(grep -o '"password":"[^"]*"' "$log" | tail -1 | cut -d'"' -f4)

xdotool windowactivate --sync "$win" 2>/dev/null || xdotool windowfocus "$win"
# The profile is filled in and the password field has the focus.
xdotool type --delay 20 "$password"
xdotool key Tab
xdotool type --delay 20 "$code"
xdotool key Return
sleep 4
import -window root "$out/main.png"
blank_check "$out/main.png"
if cmp -s "$out/login.png" "$out/main.png"; then
	echo "gui-smoke: the screen did not change after the login"; exit 1
fi

# Dial the echo extension from the keyboard: focus the dialer (Ctrl+D), type, Enter.
xdotool key ctrl+d
xdotool type --delay 20 "echo"
xdotool key Return
sleep 3
import -window root "$out/call.png"
blank_check "$out/call.png"
xdotool key ctrl+e   # hang up
sleep 1.5

# A synthetic demo customer calls: click "Demo call" (top right of the
# 1100x720 window), answer with Ctrl+Enter, and keep the CRM card.
eval "$(xdotool getwindowgeometry --shell "$win")"
xdotool mousemove --window "$win" $((WIDTH - 232)) 21 click 1
sleep 2.5
import -window root "$out/incoming.png"
blank_check "$out/incoming.png"
xdotool key ctrl+Return
sleep 3
import -window root "$out/customer.png"
blank_check "$out/customer.png"

# The session ends while the customer's call is live (logout, shutdown,
# systemd stop): SIGTERM must end the call, log out and exit 0, without a
# panic that skips the clean-up.
kill -TERM "$pid"
status=0
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then echo "gui-smoke: still running 10 s after SIGTERM"; exit 1; fi
wait "$pid" || status=$?
if [ "$status" -ne 0 ] || grep -q '^panic:' "$out/gui-smoke.stderr"; then
	echo "gui-smoke: SIGTERM during a call: exit status $status"; grep -A12 '^panic:' "$out/gui-smoke.stderr" || true; exit 1
fi
echo "gui-smoke: SIGTERM during a call: exit status 0"
echo "gui-smoke: ok (screenshots in $out)"
