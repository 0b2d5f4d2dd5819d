//go:build linux

package benchcmp

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want cpuSplit
		err  error
	}{
		{"plain", "1234 (softphone) S 1 1234 1234 0 -1 4194560 900 0 0 0 250 37 0 0 20 0 9 0 5000 1000000 3000 18446744073709551615", cpuSplit{250 * clockTick, 37 * clockTick}, nil},
		{"comm with spaces and parens", "77 (a) b (c) R 1 77 77 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 1", cpuSplit{3 * clockTick, 4 * clockTick}, nil},
		{"zero", "1 (x) S 0 0 0 0 0 0 0 0 0 0 0 0 0 0", cpuSplit{}, nil},
		{"no paren", "1 x S 0 0 0 0 0 0 0 0 0 0 0 0 0 0", cpuSplit{}, errStatFormat},
		{"truncated", "1 (x) S 0 0 0 0 0 0 0 0 0 0 5", cpuSplit{}, errStatFormat},
		{"not a number", "1 (x) S 0 0 0 0 0 0 0 0 0 0 u 1 0 0", cpuSplit{}, errStatFormat},
		{"negative", "1 (x) S 0 0 0 0 0 0 0 0 0 0 -3 1 0 0", cpuSplit{}, errStatFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU(tt.in)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("parseStatCPU(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

// TestProcOfSelf reads this test process's own figures: they must be
// plausible (some CPU spent, some memory resident).
func TestProcOfSelf(t *testing.T) {
	pid := os.Getpid()
	m, err := memory(pid)
	if err != nil {
		t.Skipf("no /proc on this system: %v", err)
	}
	if m.RSS <= 0 || m.HWM < m.RSS {
		t.Fatalf("memory(self) = %+v", m)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := cpuTime(pid)
		if err != nil {
			t.Fatal(err)
		}
		if c.Total() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("cpuTime(self) stayed 0 while spinning")
		}
		for i := 0; i < 1e6; i++ {
			_ = i * i
		}
	}
}

func FuzzParseStatCPU(f *testing.F) {
	f.Add("1234 (softphone) S 1 1234 1234 0 -1 4194560 900 0 0 0 250 37 0 0 20 0 9 0")
	f.Add("77 (a) b (c) R 1 77 77 0 -1 0 0 0 0 0 3 4 0 0")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseStatCPU(s)
		if err == nil && (c.User < 0 || c.Sys < 0) {
			t.Fatalf("negative CPU time %+v for %q", c, s)
		}
	})
}

func TestWAVSeconds(t *testing.T) {
	dir := t.TempDir()
	tone := dir + "/tone.wav"
	if err := writeToneWAV(tone, 440, 3); err != nil {
		t.Fatal(err)
	}
	junk := dir + "/junk.wav"
	if err := os.WriteFile(junk, make([]byte, 100), 0o600); err != nil {
		t.Fatal(err)
	}
	short := dir + "/short.wav"
	if err := os.WriteFile(short, []byte("RIFF"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		want    float64
		wantErr bool
	}{
		{"3 s tone written by writeToneWAV", tone, 3, false},
		{"not a WAV", junk, 0, true},
		{"truncated header", short, 0, true},
		{"missing", dir + "/none.wav", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wavSeconds(tt.path)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("wavSeconds = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
