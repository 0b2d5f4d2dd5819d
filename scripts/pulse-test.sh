#!/usr/bin/env bash
# pulse-test.sh DIR — starts a private PulseAudio (no hardware) with the virtual devices the
# audio tests use, and prints the PULSE_SERVER value to export. The daemon's pid is in DIR/pid;
# stop it with: kill "$(cat DIR/pid)".
#   speaker   null sink (what the softphone plays; record speaker.monitor)
#   headset   null sink (a second output, for the device-priority and unplug tests)
#   micfeed   null sink whose monitor, remapped, is the microphone "mic"
# Recipe from ../shared/INTEROP.md ("Real sound server without hardware").
set -euo pipefail
dir=$(readlink -f "$1")
mkdir -p "$dir"
cat >"$dir/pa.conf" <<CONF
load-module module-native-protocol-unix auth-anonymous=1 socket=$dir/native
load-module module-null-sink sink_name=speaker sink_properties=device.description=Speaker
load-module module-null-sink sink_name=micfeed sink_properties=device.description=MicFeed
load-module module-remap-source source_name=mic master=micfeed.monitor source_properties=device.description=Mic
set-default-sink speaker
set-default-source mic
CONF
# HOME and XDG dirs of its own: PulseAudio keeps state (default devices, cookies) there.
HOME="$dir" XDG_RUNTIME_DIR="$dir" XDG_CONFIG_HOME="$dir" pulseaudio -n -F "$dir/pa.conf" \
	--exit-idle-time=-1 --daemonize=no --system=false --log-target=file:"$dir/pulse.log" </dev/null >/dev/null 2>&1 &
echo $! >"$dir/pid"
for _ in $(seq 1 100); do
	PULSE_SERVER="unix:$dir/native" pactl info >/dev/null 2>&1 && { echo "unix:$dir/native"; exit 0; }
	sleep 0.05
done
echo "pulse-test.sh: PulseAudio did not start; see $dir/pulse.log" >&2
exit 1
