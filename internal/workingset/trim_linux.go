//go:build linux

package workingset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Trim unmaps, from this process only, the resident pages of its read-only
// private file mappings: the executable's code, read-only data and
// function tables, and the same of the shared libraries (the desktop's GL
// driver above all). Those pages stay in the page cache, and one touched
// again is mapped again by a minor fault, without a disk read.
//
// Left alone: writable and shared mappings, device files, and any mapping
// that holds a page of its own (Anonymous in smaps), such as a GOT the
// dynamic loader relocated and then made read-only: dropping that page
// would bring back the file's unrelocated bytes. It returns the bytes of
// the mappings trimmed; an error names the first mapping that would not
// be trimmed, after the others were.
func Trim() (int64, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	maps, err := parseSmaps(f)
	f.Close()
	if err != nil {
		return 0, err
	}
	var (
		total int64
		errs  []error
	)
	for _, m := range maps {
		if !trimmable(m) {
			continue
		}
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, syscall.MADV_DONTNEED); e != 0 {
			errs = append(errs, fmt.Errorf("madvise %#x-%#x %s: %w", m.start, m.end, m.path, e))
			continue
		}
		total += int64(m.end - m.start)
	}
	if len(errs) > 0 {
		return total, errs[0]
	}
	return total, nil
}

// trimmable: a private, read-only mapping of a regular file whose every
// resident page is the file's own (an unknown Anonymous count is not
// trusted).
func trimmable(m mapping) bool {
	return strings.HasPrefix(m.path, "/") && !strings.HasPrefix(m.path, "/dev/") &&
		m.perms[1] != 'w' && m.perms[3] == 'p' && m.anonKB == 0
}

// mapping is one mapping from /proc/self/smaps.
type mapping struct {
	start, end uintptr
	perms      string // "r-xp": read, write, execute, private or shared
	path       string // "" for anonymous memory, "[stack]" and the like
	anonKB     int    // private pages of its own: Anonymous in smaps
	rssKB      int    // resident: Rss in smaps
}

// parseSmaps lists the mappings in smaps, the text of /proc/PID/smaps.
func parseSmaps(smaps io.Reader) ([]mapping, error) {
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
			if cur == nil || len(fields) < 2 {
				continue
			}
			switch key {
			case "Anonymous":
				cur.anonKB, _ = strconv.Atoi(fields[1])
			case "Rss":
				cur.rssKB, _ = strconv.Atoi(fields[1])
			}
			continue
		}
		// 00400000-00d5e000 r-xp 00000000 08:01 123  /path/to/exe
		cur = nil
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok || len(fields) < 5 || len(fields[1]) != 4 {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		m := mapping{start: uintptr(start), end: uintptr(end), perms: fields[1], anonKB: -1}
		if len(fields) >= 6 {
			m.path = strings.Join(fields[5:], " ")
		}
		maps = append(maps, m)
		cur = &maps[len(maps)-1]
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Join(errors.New("reading smaps"), err)
	}
	return maps, nil
}
