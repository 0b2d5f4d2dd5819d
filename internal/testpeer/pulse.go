package testpeer

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Pulse is a private PulseAudio server with virtual devices and no hardware
// (../shared/INTEROP.md): "speaker" (null sink: what we play, recorded from
// "speaker.monitor"), "micfeed" (null sink) whose monitor, remapped, is the
// microphone "mic". Start it with StartPulse; PULSE_SERVER is set for the
// test, so malgo (libpulse) in this process uses it.
type Pulse struct {
	Server string // the PULSE_SERVER value
	dir    string
}

// StartPulse starts PulseAudio for the test and stops it in t.Cleanup. It
// skips under -short or without pulseaudio installed.
func StartPulse(t *testing.T) *Pulse {
	t.Helper()
	bin := requireBinary(t, "pulseaudio")
	requireBinary(t, "pactl")
	dir := t.TempDir()
	p := &Pulse{Server: "unix:" + filepath.Join(dir, "native"), dir: dir}
	conf := fmt.Sprintf(`load-module module-native-protocol-unix auth-anonymous=1 socket=%s/native
load-module module-null-sink sink_name=speaker sink_properties=device.description=Speaker
load-module module-null-sink sink_name=micfeed sink_properties=device.description=MicFeed
load-module module-remap-source source_name=mic master=micfeed.monitor source_properties=device.description=Mic
set-default-sink speaker
set-default-source mic
`, dir)
	writeFile(t, filepath.Join(dir, "pa.conf"), conf)
	cmd := exec.Command(bin, "-n", "-F", filepath.Join(dir, "pa.conf"), "--exit-idle-time=-1",
		"--daemonize=no", "--system=false", "--log-target=stderr")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_RUNTIME_DIR="+dir, "XDG_CONFIG_HOME="+dir)
	proc := startProcess(t, "pulseaudio", cmd)
	t.Setenv("PULSE_SERVER", p.Server)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := p.Pactl("info"); err == nil {
			return p
		}
		if proc.exited() || time.Now().After(deadline) {
			t.Fatalf("pulseaudio did not start:\n%s", tail(proc.log.String(), 5000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Pactl runs pactl against this server and returns its trimmed output.
func (p *Pulse) Pactl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "pactl", args...)
	cmd.Env = append(os.Environ(), "PULSE_SERVER="+p.Server)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("pactl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// KeepAwake records a sink's monitor at low latency for the rest of the
// test, as a sound card is always clocked: an idle null sink otherwise
// sleeps up to 2 s (its default latency) before a new stream's first
// callback, which a real device does not.
func (p *Pulse) KeepAwake(t *testing.T, sink string) {
	t.Helper()
	cmd := exec.Command("parec", "-d", sink+".monitor", "--raw", "--latency-msec=10")
	cmd.Env = append(os.Environ(), "PULSE_SERVER="+p.Server)
	startProcess(t, "parec "+sink, cmd)
}

// LoadSink adds a null sink (a device being plugged in) and returns its
// module index for UnloadModule.
func (p *Pulse) LoadSink(t *testing.T, name string) string {
	t.Helper()
	idx, err := p.Pactl("load-module", "module-null-sink", "sink_name="+name,
		"sink_properties=device.description="+name)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// UnloadModule removes a module (a device being unplugged).
func (p *Pulse) UnloadModule(t *testing.T, idx string) {
	t.Helper()
	if _, err := p.Pactl("unload-module", idx); err != nil {
		t.Fatal(err)
	}
}

// Play plays 8 kHz mono samples into a sink (e.g. "micfeed", our microphone).
func (p *Pulse) Play(t *testing.T, sink string, pcm []int16) {
	t.Helper()
	cmd := exec.Command("pacat", "--playback", "-d", sink, "--raw", "--rate=8000", "--channels=1", "--format=s16le", "--latency-msec=20")
	cmd.Env = append(os.Environ(), "PULSE_SERVER="+p.Server)
	buf := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(v))
	}
	cmd.Stdin = strings.NewReader(string(buf))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pacat: %v: %s", err, out)
	}
}

// Record records a source (e.g. "speaker.monitor") for d and returns 8 kHz
// mono samples.
func (p *Pulse) Record(t *testing.T, source string, d time.Duration) []int16 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, "parec", "-d", source, "--raw", "--rate=8000", "--channels=1", "--format=s16le", "--latency-msec=20")
	cmd.Env = append(os.Environ(), "PULSE_SERVER="+p.Server)
	out, _ := cmd.Output() // killed at the deadline: that is the normal end
	pcm := make([]int16, len(out)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(out[2*i:]))
	}
	return pcm
}

// RMS is the root mean square level of pcm.
func RMS(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var s float64
	for _, v := range pcm {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(pcm)))
}
