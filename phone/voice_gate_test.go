package phone

import (
	"testing"
	"time"
)

// countingProcessor zeroes out and counts its calls.
type countingProcessor struct{ n int }

func (c *countingProcessor) Process(near, far, out []int16) { c.n++; clear(out) }
func (c *countingProcessor) Latency() time.Duration         { return 10 * time.Millisecond }

// fileIO is a source and sink without buffering, as WAV files and the null device are.
type fileIO struct{}

func (*fileIO) Read(p []int16) (int, error) { clear(p); return len(p), nil }
func (*fileIO) Write([]int16) error         { return nil }

// soundDevice captures and plays with buffering, as the sound card's devices do.
type soundDevice struct{ fileIO }

func (*soundDevice) CaptureBacklog() (time.Duration, time.Duration)  { return 0, 10 * time.Millisecond }
func (*soundDevice) PlaybackBacklog() (time.Duration, time.Duration) { return 0, 10 * time.Millisecond }

func TestEchoControlOnlyForMicrophoneAndSpeaker(t *testing.T) {
	io := newLateIO()
	p := &countingProcessor{}
	g := acousticGate{io: io, p: p}
	near := []int16{1, 2, 3}
	out := make([]int16, 3)

	for name, set := range map[string]func(){
		"nothing attached (ringing)": func() { io.set(nil, nil) },
		"WAV files / null device":    func() { io.set(&fileIO{}, &fileIO{}) },
		"microphone, file sink":      func() { io.set(&soundDevice{}, &fileIO{}) },
	} {
		set()
		g.Process(near, nil, out)
		if p.n != 0 || out[2] != 3 || g.Latency() != 0 {
			t.Fatalf("%s: processor ran (%d calls, out %v, latency %v)", name, p.n, out, g.Latency())
		}
	}
	io.set(&soundDevice{}, &soundDevice{})
	g.Process(near, nil, out)
	if p.n != 1 || out[2] != 0 || g.Latency() != 10*time.Millisecond {
		t.Fatalf("microphone and speaker: processor did not run (%d calls, out %v)", p.n, out)
	}
}
