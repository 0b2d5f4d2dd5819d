//go:build linux

package workingset

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Trim unmaps, from this process only, the resident pages of its
// executable's read-only mappings: code, read-only data and the function
// tables. Those pages stay in the page cache, and one touched again is
// mapped again by a minor fault, without a disk read. A mapping that holds
// a page of its own (the relocated GOT, made read-only after the dynamic
// loader wrote it) is left alone: dropping it would bring back the file's
// unrelocated bytes. It returns the bytes of the mappings trimmed.
func Trim() (int64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	maps, err := readOwnMaps(exe)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, m := range maps {
		if !trimmable(m) {
			continue
		}
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, syscall.MADV_DONTNEED); e != 0 {
			return total, fmt.Errorf("madvise %#x-%#x: %w", m.start, m.end, e)
		}
		total += int64(m.end - m.start)
	}
	return total, nil
}

// trimmable: read-only, and every resident page is the file's own (an
// unknown Anonymous count is not trusted).
func trimmable(m mapping) bool { return !m.writable && m.anonKB == 0 }

// mapping is one mapping of the executable, from /proc/self/smaps.
type mapping struct {
	start, end uintptr
	writable   bool
	anonKB     int // private pages of its own: Anonymous in smaps
}

// readOwnMaps lists the mappings of the file exe in /proc/self/smaps.
func readOwnMaps(exe string) ([]mapping, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseSmaps(f, exe)
}

// parseSmaps lists the mappings of the file exe in smaps, the text of
// /proc/PID/smaps.
func parseSmaps(smaps io.Reader, exe string) ([]mapping, error) {
	var (
		maps []mapping
		cur  *mapping
	)
	sc := bufio.NewScanner(smaps)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if key, ok := strings.CutSuffix(fields[0], ":"); ok {
			// "Anonymous:   12 kB" inside a mapping's block
			if key == "Anonymous" && cur != nil && len(fields) >= 2 {
				cur.anonKB, _ = strconv.Atoi(fields[1])
			}
			continue
		}
		// 00400000-00d5e000 r-xp 00000000 08:01 123  /path/to/exe
		cur = nil
		if len(fields) < 6 || strings.Join(fields[5:], " ") != exe {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil || end <= start {
			continue
		}
		maps = append(maps, mapping{start: uintptr(start), end: uintptr(end), writable: strings.Contains(fields[1], "w"), anonKB: -1})
		cur = &maps[len(maps)-1]
	}
	return maps, sc.Err()
}
