#!/usr/bin/env bash
# bench-latency.sh BINARY — the echo test's round trip through a real sound server.
# Starts its own PulseAudio with virtual devices (scripts/pulse-test.sh), runs the real desktop
# binary in demo mode under Xvfb, logs in, dials the echo extension, plays a click train into the
# microphone and times each click coming back on the speaker (cmd/iodelay: one full-duplex
# stream, sample-accurate). Prints the round-trip median and p95, the PulseAudio pass-through
# floor measured the same way in the same run (module-loopback mic → speaker), and the
# softphone's own per-stage account from its log.
#   LATENCY_CLICKS=30        clicks per measurement
#   LATENCY_MINUTES=10       measure again after this many minutes in the call (0: once)
#   LATENCY_MAX_MS=250       fail when the median round trip is above this (CI: a regression bound)
set -euo pipefail
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${LATENCY_INNER:-}" ]; then
	work=$(mktemp -d /tmp/bench-latency.XXXXXX)
	export LATENCY_WORK="$work"
	(cd "$here" && go build -o "$work/iodelay" ./cmd/iodelay)
	export PULSE_SERVER
	PULSE_SERVER=$("$here/scripts/pulse-test.sh" "$work/pulse" | tail -1)
	rc=0
	LATENCY_INNER=1 dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@" || rc=$?
	kill "$(cat "$work/pulse/pid")" 2>/dev/null || true
	[ $rc -eq 0 ] && [ -z "${LATENCY_KEEP:-}" ] && rm -rf "$work"
	exit $rc
fi

work=$LATENCY_WORK
clicks=${LATENCY_CLICKS:-30}
minutes=${LATENCY_MINUTES:-0}
max_ms=${LATENCY_MAX_MS:-}
iodelay() { "$work/iodelay" -playback micfeed -capture speaker.monitor -clicks "$clicks" -interval 600ms; }
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$2"; }

# The floor: PulseAudio's own pass-through from the microphone to the speaker.
mod=$(pactl load-module module-loopback source=mic sink=speaker latency_msec=5)
sleep 1
floor=$(iodelay)
pactl unload-module "$mod"

# Debug logging: the per-stage account is logged at Info.
export HOME="$work/home" SOFTPHONE_DEMO_CODES=1 LANG=en_US.UTF-8 SOFTPHONE_DEBUG=1
mkdir -p "$HOME"
"$bin" --demo --lang en >"$work/desktop.jsonl" 2>"$work/desktop.stderr" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap cleanup EXIT
win=""
for _ in $(seq 1 300); do
	win=$(xdotool search --onlyvisible --name '^Softphone' 2>/dev/null | head -1 || true)
	[ -n "$win" ] && break
	sleep 0.05
done
[ -n "$win" ] || { echo "bench-latency: no window"; cat "$work/desktop.stderr"; exit 1; }
code=""
for _ in $(seq 1 100); do
	code=$(grep -o '"code":"[0-9]*"' "$work/desktop.jsonl" | tail -1 | grep -o '[0-9]\{6\}' || true)
	[ -n "$code" ] && break
	sleep 0.1
done
password=$(grep -o '"password":"[^"]*"' "$work/desktop.jsonl" | tail -1 | cut -d'"' -f4)
sleep 1.5
xdotool windowactivate --sync "$win" 2>/dev/null || xdotool windowfocus "$win"
xdotool type --delay 20 "$password"
xdotool key Tab
xdotool type --delay 20 "$code"
xdotool key Return
sleep 4
xdotool key ctrl+d
xdotool type --delay 20 "echo"
xdotool key Return
sleep 4 # PulseAudio starts capture ~2 s late (INTEROP.md)

echo0=$(iodelay)
echo "PulseAudio streams of the softphone during the call:" >"$work/streams.txt"
pactl list sink-inputs source-outputs 2>/dev/null | grep -E "^(Sink Input|Source Output)|application.name|(Buffer|Sink|Source) Latency" >>"$work/streams.txt" || true
echo10=""
if [ "$minutes" != 0 ]; then
	sleep $((minutes * 60 - clicks * 6 / 10))
	echo10=$(iodelay)
fi
xdotool key ctrl+e # hang up: the call logs its final account
sleep 2
log=$(find "$HOME" -name softphone.log | head -1)
account=$(grep '"msg":"media latency"' "$log" 2>/dev/null || grep 'msg="media latency"' "$log" 2>/dev/null || true)

printf '\n%-44s %8s %8s %6s\n' "round trip (clicks into the mic → speaker)" "median" "p95" "heard"
row() { printf '%-44s %6s ms %5s ms %3s/%s\n' "$1" "$(field median_ms "$2")" "$(field p95_ms "$2")" "$(field heard "$2")" "$clicks"; }
row "PulseAudio pass-through (floor)" "$floor"
row "softphone echo call, at 0 min" "$echo0"
[ -n "$echo10" ] && row "softphone echo call, at $minutes min" "$echo10"
f=$(field median_ms "$floor")
e=$(field median_ms "$echo0")
awk -v e="$e" -v f="$f" 'BEGIN { printf "%-44s %6.1f ms (target ≤ 120 ms)\n", "echo round trip above the floor", e - f }'
echo
echo "softphone per-stage account (one way, from its log; the last line is the call's end):"
if [ -n "$account" ]; then
	sed 's/.*"send_ms"/  send_ms/; s/"msg":"media latency",//; s/[{}"]//g; s/,/  /g' <<<"$account"
else
	echo "  (no 'media latency' line in $log)"
fi

echo; cat "$work/streams.txt"

heard=$(field heard "$echo0")
if [ "${heard:-0}" -lt $((clicks / 2)) ]; then
	echo "bench-latency: FAIL — only ${heard:-0} of $clicks clicks came back (audio not flowing both ways)"
	exit 1
fi
if [ -n "$max_ms" ] && awk -v e="$e" -v m="$max_ms" 'BEGIN { exit !(e > m) }'; then
	echo "bench-latency: FAIL — echo round trip ${e} ms above the ${max_ms} ms bound"
	exit 1
fi
echo "bench-latency: ok"
