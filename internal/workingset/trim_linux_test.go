//go:build linux

package workingset

import (
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"testing"

	"softphone/internal/testchild"
)

// residentKB sums Rss over the executable's read-only mappings.
func residentKB(t *testing.T) int {
	t.Helper()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	maps, err := parseSmaps(f)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, m := range maps {
		if m.path == exe && m.perms[1] != 'w' {
			total += m.rssKB
		}
	}
	return total
}

// After Trim the executable's code and read-only data hold far fewer
// resident pages, and the code still runs: the pages come back from the
// page cache when touched. Measured in an installed copy of the test
// binary (testchild.RunInstalled), as the softphone runs.
func TestTrimGivesBackCodePages(t *testing.T) {
	const name = "TestTrimGivesBackCodePages"
	if testchild.Is(name) {
		before := residentKB(t)
		n, err := Trim()
		if err != nil {
			t.Fatal(err)
		}
		after := residentKB(t)
		sum := sha256.Sum256([]byte("abc"))
		fmt.Printf("mapped=%d before=%d after=%d sha=%x\n", n>>10, before, after, sum[:4])
		return
	}
	out := testchild.RunInstalled(t, name)
	var mapped, before, after int
	var sha string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "mapped=") {
			fmt.Sscanf(line, "mapped=%d before=%d after=%d sha=%s", &mapped, &before, &after, &sha)
		}
	}
	t.Logf("read-only mappings %d KiB: resident %d KiB before Trim, %d KiB after", mapped, before, after)
	if mapped == 0 || before == 0 || after > before-before/4 {
		t.Fatalf("Trim gave back too little: %d of %d KiB still resident\n%s", after, before, out)
	}
	if sha != "ba7816bf" {
		t.Fatalf("sha256 after Trim = %s…, want ba7816bf…\n%s", sha, out)
	}
}

// The dynamic loader writes the GOT and then makes it read-only: such a
// mapping holds pages of its own (Anonymous in smaps), and dropping them
// would bring back the file's unrelocated bytes (a jump to 0 on the next
// C call). Only private, read-only mappings of regular files without such
// pages are trimmed.
func TestTrimSkipsRelocatedWritableAndSpecialMappings(t *testing.T) {
	smaps := `00400000-00e59000 r-xp 00000000 fe:00 1 /opt/softphone/softphone
Size:              10596 kB
Rss:                6848 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me
00e59000-01e1a000 r--p 00a59000 fe:00 1 /opt/softphone/softphone
Size:              16132 kB
Rss:                5120 kB
Anonymous:             0 kB
01e1a000-01e1c000 r--p 01a1a000 fe:00 1 /opt/softphone/softphone
Size:                  8 kB
Anonymous:             8 kB
01e1c000-01e6c000 rw-p 01a1c000 fe:00 1 /opt/softphone/softphone
Anonymous:           120 kB
01e6c000-01e9c000 rw-p 00000000 00:00 0
Anonymous:           192 kB
7f0000000000-7f0000021000 r-xp 00000000 fe:00 2 /usr/lib/x86_64-linux-gnu/libc.so.6
Anonymous:             0 kB
7f0000030000-7f0000031000 r--p 00000000 fe:00 2 /usr/lib/x86_64-linux-gnu/libc.so.6
7f0000100000-7f0000101000 r--p 00000000 fe:00 3 /opt/softphone/soft phone (deleted)
Anonymous:             0 kB
7f0000200000-7f0000240000 r--s 00000000 00:01 4 /dev/shm/pulse-shm-1
Anonymous:             0 kB
7f0000300000-7f0000301000 r--p 00000000 00:05 5 /dev/dri/renderD128
Anonymous:             0 kB
7ffc00000000-7ffc00002000 r--p 00000000 00:00 0 [vvar]
Anonymous:             0 kB
7ffc00002000-7ffc00004000 r-xp 00000000 00:00 0 [vdso]
Anonymous:             0 kB
`
	maps, err := parseSmaps(strings.NewReader(smaps))
	if err != nil {
		t.Fatal(err)
	}
	var trimmed []string
	for _, m := range maps {
		if trimmable(m) {
			trimmed = append(trimmed, fmt.Sprintf("%x-%x", m.start, m.end))
		}
	}
	want := "400000-e59000 e59000-1e1a000 7f0000000000-7f0000021000 7f0000100000-7f0000101000"
	if got := strings.Join(trimmed, " "); got != want {
		t.Fatalf("trimmed %q,\nwant    %q (of %+v)", got, want, maps)
	}
}
