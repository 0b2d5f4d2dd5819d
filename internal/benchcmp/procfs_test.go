//go:build linux

package benchcmp

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"softphone/internal/procstat"
)

// clockTick is the kernel's USER_HZ (sysconf(_SC_CLK_TCK)), the unit of
// utime and stime in /proc/PID/stat. It is 100 on every Linux build we run
// on; the benchmark assumes it rather than calling into libc.
const clockTick = 10 * time.Millisecond

var errStatFormat = errors.New("benchcmp: malformed /proc/PID/stat")

// cpuSplit is a process's CPU time in user and kernel mode.
type cpuSplit struct {
	User, Sys time.Duration
}

// Total is utime+stime.
func (c cpuSplit) Total() time.Duration { return c.User + c.Sys }

// parseStatCPU returns utime and stime of a /proc/PID/stat line. The
// command name (field 2) is in parentheses and may itself hold spaces and
// ')', so the fields are counted from the last ')'.
func parseStatCPU(stat string) (cpuSplit, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return cpuSplit{}, errStatFormat
	}
	// After ')': state(3) ppid(4) … utime(14) stime(15).
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return cpuSplit{}, errStatFormat
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 63)
	stime, err2 := strconv.ParseUint(f[12], 10, 63)
	if err1 != nil || err2 != nil || utime > 1<<40 || stime > 1<<40 {
		return cpuSplit{}, errStatFormat
	}
	return cpuSplit{User: time.Duration(utime) * clockTick, Sys: time.Duration(stime) * clockTick}, nil
}

// memKB is what /proc/PID/status says about a process (procstat).
type memKB = procstat.Status

// cpuTime is utime and stime of process pid (all its threads).
func cpuTime(pid int) (cpuSplit, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return cpuSplit{}, err
	}
	return parseStatCPU(string(b))
}

// memory is the resident memory of process pid, its thread count and the
// context switches of all its live threads (/proc/PID/status alone counts
// only the main thread's).
func memory(pid int) (memKB, error) {
	m, err := procstat.Read(pid)
	if err != nil {
		return memKB{}, err
	}
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return m, nil // keep the main thread's count
	}
	var sw int64
	for _, t := range tasks {
		tb, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, t.Name()))
		if err != nil {
			continue // the thread has just exited
		}
		if tm, err := procstat.Parse(string(tb)); err == nil {
			sw += tm.Switches
		}
	}
	m.Switches = sw
	return m, nil
}

// loadAvg is the first three fields of /proc/loadavg ("" if unreadable).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// onCPU is the scheduler's exact run time of process pid: the sum of the
// first field of /proc/PID/task/*/schedstat (nanoseconds) over its live
// threads. utime and stime are sampled at the kernel tick (4 ms here), and a
// process woken by a timer runs right at the tick, so they can charge it for
// whole ticks it barely used; this figure is the one to compare.
func onCPU(pid int) (time.Duration, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // the thread has just exited
		}
		f := strings.Fields(string(b))
		if len(f) < 1 {
			return 0, errors.New("benchcmp: malformed schedstat")
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("benchcmp: schedstat: %w", err)
		}
		sum += ns
	}
	return time.Duration(sum), nil
}
