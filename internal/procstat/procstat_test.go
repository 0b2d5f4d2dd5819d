package procstat

import (
	"errors"
	"os"
	"testing"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Status
		err  error
	}{
		{"real layout", "Name:\tsoftphone\nVmPeak:\t 1263000 kB\nVmHWM:\t   98304 kB\nVmRSS:\t   20480 kB\nRssAnon:\t   12288 kB\nRssFile:\t    8192 kB\nThreads:\t9\nvoluntary_ctxt_switches:\t100\nnonvoluntary_ctxt_switches:\t7\n", Status{RSS: 20480, HWM: 98304, Anon: 12288, File: 8192, Threads: 9, Switches: 107}, nil},
		{"without switches", "VmHWM:\t 2 kB\nVmRSS:\t 1 kB\n", Status{RSS: 1, HWM: 2}, nil},
		{"bad switch count", "VmHWM:\t 2 kB\nVmRSS:\t 1 kB\nvoluntary_ctxt_switches:\tx\n", Status{}, ErrFormat},
		{"missing HWM", "VmRSS:\t 1 kB\n", Status{}, ErrFormat},
		{"bad unit", "VmRSS:\t 1 MB\nVmHWM:\t 1 kB\n", Status{}, ErrFormat},
		{"bad number", "VmRSS:\t x kB\nVmHWM:\t 1 kB\n", Status{}, ErrFormat},
		{"empty", "", Status{}, ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("Parse = %+v, %v; want %+v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Add("VmHWM:\t   98304 kB\nVmRSS:\t   20480 kB\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err == nil && (m.RSS < 0 || m.HWM < 0 || m.Threads < 0 || m.Switches < 0) {
			t.Fatalf("negative memory %+v for %q", m, s)
		}
	})
}

// Read of this test process gives plausible figures.
func TestReadSelf(t *testing.T) {
	s, err := Read(os.Getpid())
	if err != nil {
		t.Skipf("no /proc on this system: %v", err)
	}
	if s.RSS <= 0 || s.HWM < s.RSS || s.Threads < 1 {
		t.Fatalf("Read(self) = %+v", s)
	}
}
