package audit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ProblemKind classifies what Verify found.
type ProblemKind int

// Problem kinds.
const (
	ProblemMalformed   ProblemKind = iota + 1 // a line that is not an entry
	ProblemEdited                             // an entry's content does not match its hash
	ProblemChainBroken                        // prev does not match the preceding entry's hash
	ProblemMissing                            // sequence numbers skipped: entries removed
	ProblemOutOfOrder                         // sequence number lower than expected: reordered or duplicated
	ProblemTruncated                          // fewer entries than the anchor records
	ProblemAnchor                             // anchor missing, unreadable, forged or stale
	ProblemCrashTail                          // an entry after the anchor (crash, or appended by something else)
)

// String returns the problem kind as shown to users and in JSON output.
func (k ProblemKind) String() string {
	switch k {
	case ProblemMalformed:
		return "malformed"
	case ProblemEdited:
		return "edited"
	case ProblemChainBroken:
		return "chain-broken"
	case ProblemMissing:
		return "missing"
	case ProblemOutOfOrder:
		return "out-of-order"
	case ProblemTruncated:
		return "truncated"
	case ProblemAnchor:
		return "anchor"
	case ProblemCrashTail:
		return "crash-tail"
	}
	return "unknown"
}

// Problem is one finding. Entry is the 1-based line number in the file (0
// for findings about the whole log); Seq the entry's own sequence number if
// it could be read.
type Problem struct {
	Entry  int
	Seq    uint64
	Kind   ProblemKind
	Detail string
}

// String returns the problem as shown to users and in JSON output.
func (p Problem) String() string {
	if p.Entry == 0 {
		return fmt.Sprintf("%s: %s", p.Kind, p.Detail)
	}
	return fmt.Sprintf("entry %d (seq %d): %s: %s", p.Entry, p.Seq, p.Kind, p.Detail)
}

// Report is the result of Verify.
type Report struct {
	Entries    int      // lines read
	LastSeq    uint64   // highest sequence number seen
	Head       string   // hash of the last entry
	AnchorMAC  string   // "valid", "absent", "no key" or "invalid"
	Unanchored int      // entries after the anchor (0, or 1 after a crash)
	CrashTails []uint64 // entries adopted by Open after a crash (audit.crash_tail)
	Problems   []Problem
}

// OK reports whether no problem was found.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Verify checks the log at path and its anchor. It returns an error only if
// the log cannot be read at all; findings are in the report.
func Verify(path string, opts ...Option) (Report, error) {
	o := buildOptions(opts)
	f, err := os.Open(path)
	if err != nil {
		return Report{}, fmt.Errorf("open audit log: %w", err)
	}
	defer f.Close()
	rep, hashes, err := verifyChain(f)
	if err != nil {
		return rep, err
	}
	a, aerr := readAnchor(AnchorPath(path))
	var ap *Anchor
	switch {
	case aerr == nil:
		ap = &a
	case errors.Is(aerr, os.ErrNotExist):
	default:
		rep.Problems = append(rep.Problems, Problem{Kind: ProblemAnchor, Detail: "anchor unreadable: " + aerr.Error()})
		return rep, nil
	}
	checkAnchor(&rep, ap, o.key, hashes)
	checkCrashTails(&rep, o.crashTail)
	return rep, nil
}

// verifyChain walks the lines; it returns the hash for each sequence number seen.
func verifyChain(r io.Reader) (Report, map[uint64]string, error) {
	var rep Report
	hashes := make(map[uint64]string)
	br := bufio.NewReaderSize(r, 256*1024)
	prevHash, prevSeq := GenesisHash, uint64(0)
	n := 0
	for {
		b, rerr := br.ReadBytes('\n')
		if len(b) > 0 {
			n++
			verifyLine(&rep, hashes, n, b, &prevHash, &prevSeq)
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return rep, hashes, fmt.Errorf("read audit log: %w", rerr)
		}
	}
	rep.Entries = n
	rep.Head = prevHash
	return rep, hashes, nil
}

func verifyLine(rep *Report, hashes map[uint64]string, n int, b []byte, prevHash *string, prevSeq *uint64) {
	e, err := ParseEntry(b)
	if err != nil {
		rep.Problems = append(rep.Problems, Problem{Entry: n, Kind: ProblemMalformed, Detail: err.Error()})
		return
	}
	want, err := e.ComputeHash()
	if err != nil || want != e.Hash {
		rep.Problems = append(rep.Problems, Problem{Entry: n, Seq: e.Seq, Kind: ProblemEdited,
			Detail: "content does not match its hash (entry was changed)"})
	}
	expect := *prevSeq + 1
	switch {
	case e.Seq > expect:
		rep.Problems = append(rep.Problems, Problem{Entry: n, Seq: e.Seq, Kind: ProblemMissing,
			Detail: fmt.Sprintf("seq %d expected: %d entr%s removed or moved before this one", expect, e.Seq-expect, plural(e.Seq-expect))})
	case e.Seq < expect:
		rep.Problems = append(rep.Problems, Problem{Entry: n, Seq: e.Seq, Kind: ProblemOutOfOrder,
			Detail: fmt.Sprintf("seq %d expected: entry is out of order or duplicated", expect)})
	}
	if e.Prev != *prevHash {
		rep.Problems = append(rep.Problems, Problem{Entry: n, Seq: e.Seq, Kind: ProblemChainBroken,
			Detail: "prev hash does not match the entry before it (removed, inserted, reordered or edited)"})
	}
	if e.Action == ActionCrashTail && e.Actor == "system:audit" {
		if n, err := strconv.ParseUint(e.Attrs["seq"], 10, 64); err == nil {
			rep.CrashTails = append(rep.CrashTails, n)
		}
	}
	if e.Seq > rep.LastSeq {
		rep.LastSeq = e.Seq
	}
	if _, dup := hashes[e.Seq]; !dup {
		hashes[e.Seq] = e.Hash
	}
	*prevHash, *prevSeq = e.Hash, e.Seq
}

func plural(n uint64) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}

// checkAnchor compares the anchor with the chain.
func checkAnchor(rep *Report, a *Anchor, key []byte, hashes map[uint64]string) {
	if a == nil {
		rep.AnchorMAC = "absent"
		if rep.Entries > 0 {
			rep.Problems = append(rep.Problems, Problem{Kind: ProblemAnchor,
				Detail: "anchor file missing: a removed tail could not be detected"})
		}
		return
	}
	switch {
	case len(key) == 0:
		rep.AnchorMAC = "no key"
		rep.Problems = append(rep.Problems, Problem{Kind: ProblemAnchor,
			Detail: "anchor MAC not checked: no anchor key (the anchor alone proves nothing)"})
		return
	case a.validMAC(key):
		rep.AnchorMAC = "valid"
	default:
		rep.AnchorMAC = "invalid"
		rep.Problems = append(rep.Problems, Problem{Kind: ProblemAnchor,
			Detail: "anchor MAC invalid: the anchor was forged or replaced"})
		return
	}
	last := rep.LastSeq
	switch {
	case a.Count > last:
		rep.Problems = append(rep.Problems, Problem{Kind: ProblemTruncated,
			Detail: fmt.Sprintf("log truncated: anchor records %d entries, log ends at seq %d (entries %d–%d removed)", a.Count, last, last+1, a.Count)})
	case hashes[a.Count] != a.Head && a.Count > 0:
		rep.Problems = append(rep.Problems, Problem{Entry: 0, Seq: a.Count, Kind: ProblemAnchor,
			Detail: fmt.Sprintf("entry seq %d does not match the anchored head hash (edited or replaced)", a.Count)})
	case last == a.Count+1:
		rep.Unanchored = 1 // crash between entry and anchor write, or a forged append
	case last > a.Count+1:
		rep.Problems = append(rep.Problems, Problem{Kind: ProblemAnchor,
			Detail: fmt.Sprintf("anchor is stale: it records %d entries, log has %d (anchor rolled back, or entries appended by something else)", a.Count, last)})
	}
}

// checkCrashTails turns unanchored and adopted tails into problems unless
// the caller allowed crash tails explicitly.
func checkCrashTails(rep *Report, allow bool) {
	if allow {
		return
	}
	if rep.Unanchored > 0 {
		rep.Problems = append(rep.Problems, Problem{Kind: ProblemCrashTail,
			Detail: "the last entry is not covered by the anchor: a crash between the two writes, or an appended forgery (--allow-crash-tail accepts it)"})
	}
	for _, n := range rep.CrashTails {
		rep.Problems = append(rep.Problems, Problem{Seq: n, Kind: ProblemCrashTail,
			Detail: fmt.Sprintf("entry seq %d was found after the anchor and adopted at open (--allow-crash-tail accepts it)", n)})
	}
}
