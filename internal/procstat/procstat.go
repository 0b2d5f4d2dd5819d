// Package procstat reads what Linux's /proc/PID/status says about a
// process: resident memory (now and at its peak, anonymous and file
// pages), threads and context switches. Benchmarks and tests use it to
// measure the softphone, its peers and child processes of their own.
package procstat

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrFormat is returned for a status text that is not what Linux writes.
var ErrFormat = errors.New("procstat: malformed /proc/PID/status")

// Read reads /proc/PID/status of process pid.
func Read(pid int) (Status, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Status{}, err
	}
	return Parse(string(b))
}

// Status is what /proc/PID/status says about a process's memory (in KiB),
// threads and context switches.
type Status struct {
	RSS, HWM int64 // VmRSS (resident now) and VmHWM (peak resident)
	// Anon and File split RSS into anonymous memory (heap, stacks) and
	// mapped files (mostly the binary's text and data).
	Anon, File int64
	Threads    int64
	// Switches is voluntary + involuntary context switches so far
	// (0 when the kernel does not report them).
	Switches int64
}

// Parse reads VmRSS, VmHWM, Threads and the context switch counts
// from /proc/PID/status.
func Parse(status string) (Status, error) {
	var m Status
	seen := 0
	for _, line := range strings.Split(status, "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		unit := ""
		switch name {
		case "VmRSS":
			dst, unit = &m.RSS, "kB"
			seen++
		case "VmHWM":
			dst, unit = &m.HWM, "kB"
			seen++
		case "RssAnon":
			dst, unit = &m.Anon, "kB"
		case "RssFile":
			dst, unit = &m.File, "kB"
		case "Threads":
			dst = &m.Threads
		case "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches":
			var n int64
			if err := parseValue(val, "", &n); err != nil {
				return Status{}, err
			}
			m.Switches += n
			continue
		default:
			continue
		}
		if err := parseValue(val, unit, dst); err != nil {
			return Status{}, err
		}
	}
	if seen != 2 {
		return Status{}, ErrFormat
	}
	return m, nil
}

// parseValue parses "  123 kB" (unit "kB") or "  123" (unit "").
func parseValue(val, unit string, dst *int64) error {
	f := strings.Fields(val)
	if unit != "" && (len(f) != 2 || f[1] != unit) || unit == "" && len(f) != 1 {
		return ErrFormat
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n < 0 {
		return ErrFormat
	}
	*dst = n
	return nil
}
