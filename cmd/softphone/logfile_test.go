package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"softphone/audio/device"
	"softphone/config"
)

func TestLogFileRotatesAndIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	f, err := openLogFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(strings.Repeat("x", maxLogSize+1))
	f.Close()
	f, err = openLogFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := os.Stat(filepath.Join(dir, "softphone.log.1")); err != nil {
		t.Fatalf("large log not rotated: %v", err)
	}
	st, err := f.Stat()
	if err != nil || st.Size() != 0 {
		t.Fatalf("new log not empty: %v %v", st.Size(), err)
	}
	if d, err := logDir(); err != nil || d == "" {
		t.Fatalf("logDir: %q %v", d, err)
	}
}

// TestSoundCardSelection: the --audio flag overrides the configured
// backend, the configured devices are kept, and "null" never touches a
// sound card.
func TestSoundCardSelection(t *testing.T) {
	c := newSoundCard(config.Audio{Backend: "", Input: "Headset Mic", Output: "Headset", Ring: "Speakers"}, "null", nil)
	if c.Backend() != "null" {
		t.Fatalf("backend %q, want the flag's null", c.Backend())
	}
	src, sink, closer, err := c.OpenStrict()
	if err != nil || src == nil || sink == nil {
		t.Fatalf("null device: %v", err)
	}
	closer.Close()
	if c2 := newSoundCard(config.Audio{Backend: "null"}, "", nil); c2.Backend() != "null" {
		t.Fatalf("configured backend lost: %q", c2.Backend())
	}
	if p := newSoundCard(config.Audio{PeriodMS: 10}, "null", nil).Period(); p != 10*time.Millisecond {
		t.Fatalf("audio.period_ms 10 gave a card period of %v", p)
	}
	if p := newSoundCard(config.Audio{}, "null", nil).Period(); p != device.DefaultPeriod {
		t.Fatalf("no audio.period_ms gave a card period of %v, want %v", p, device.DefaultPeriod)
	}
}
