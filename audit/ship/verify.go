package ship

import (
	"context"
	"fmt"
	"sort"

	"softphone/audit"
	"softphone/internal/s3store"
)

// Lister reads central storage; *s3store.Bucket implements it.
type Lister interface {
	List(ctx context.Context, prefix string, versions bool) ([]s3store.ObjectInfo, error)
	Get(ctx context.Context, key string, max int64) ([]byte, error)
}

// ProblemKind classifies a finding of Verify.
type ProblemKind int

// Problem kinds.
const (
	ProblemGap       ProblemKind = iota + 1 // entries missing between objects (an object deleted or never shipped)
	ProblemLink                             // an object does not name the SHA-256 of the one before it
	ProblemHash                             // an entry's hash or prev link is wrong (altered content)
	ProblemMalformed                        // an object cannot be parsed
)

// String returns the kind as shown to users and in JSON output.
func (k ProblemKind) String() string {
	switch k {
	case ProblemGap:
		return "gap"
	case ProblemLink:
		return "broken_link"
	case ProblemHash:
		return "hash_mismatch"
	case ProblemMalformed:
		return "malformed"
	}
	return "unknown"
}

// Problem is one finding in an agent's central chain.
type Problem struct {
	Kind   ProblemKind
	Object string // object key
	Detail string
}

// AgentReport is the result for one agent installation.
type AgentReport struct {
	Agent    string
	Objects  int
	Entries  int
	LastSeq  uint64
	Problems []Problem
}

// Report is the result of Verify for every agent.
type Report struct {
	Agents []AgentReport
}

// OK reports whether every agent's chain verified.
func (r Report) OK() bool {
	for _, a := range r.Agents {
		if len(a.Problems) > 0 {
			return false
		}
	}
	return true
}

// maxObject bounds one audit object (1000 entries of at most a few KiB).
const maxObject = 32 << 20

type objRef struct {
	key   string
	first uint64
}

// Verify checks every agent's chain in central storage: each object's
// entries hash-chain, objects link by SHA-256, and sequence numbers run on
// without gaps from the first shipped entry.
func Verify(ctx context.Context, store Lister) (Report, error) {
	objs, err := store.List(ctx, "audit/", false)
	if err != nil {
		return Report{}, err
	}
	byAgent := map[string][]objRef{}
	for _, o := range objs {
		if agent, first, ok := splitKey(o.Key); ok {
			byAgent[agent] = append(byAgent[agent], objRef{o.Key, first})
		}
	}
	agents := make([]string, 0, len(byAgent))
	for a := range byAgent {
		agents = append(agents, a)
	}
	sort.Strings(agents)
	var rep Report
	for _, a := range agents {
		refs := byAgent[a]
		sort.Slice(refs, func(i, j int) bool { return refs[i].first < refs[j].first })
		ar, err := verifyAgent(ctx, store, a, refs)
		if err != nil {
			return rep, err
		}
		rep.Agents = append(rep.Agents, ar)
	}
	return rep, nil
}

func verifyAgent(ctx context.Context, store Lister, agent string, refs []objRef) (AgentReport, error) {
	ar := AgentReport{Agent: agent}
	prevObj, prevHash, prevSeq := "", audit.GenesisHash, uint64(0)
	for _, r := range refs {
		data, err := store.Get(ctx, r.key, maxObject)
		if err != nil {
			return ar, err
		}
		ar.Objects++
		bad := func(k ProblemKind, format string, args ...any) {
			ar.Problems = append(ar.Problems, Problem{Kind: k, Object: r.key, Detail: fmt.Sprintf(format, args...)})
		}
		h, entries, err := decode(data)
		if err != nil {
			bad(ProblemMalformed, "%v", err)
		}
		gap := h.First != prevSeq+1
		switch {
		case h.Agent != agent || h.First != r.first:
			bad(ProblemMalformed, "header names agent %s, first entry %d", h.Agent, h.First)
		case gap && prevSeq == 0:
			bad(ProblemGap, "entries 1–%d are missing (the first shipped object is gone)", h.First-1)
		case gap && h.First > prevSeq+1:
			bad(ProblemGap, "entries %d–%d are missing", prevSeq+1, h.First-1)
		case gap:
			bad(ProblemGap, "entries from %d repeat entries up to %d", h.First, prevSeq)
		case h.PrevObject != prevObj:
			bad(ProblemLink, "does not follow the previous object")
		}
		for i, e := range entries {
			want, err := e.ComputeHash()
			switch {
			case err != nil || want != e.Hash:
				bad(ProblemHash, "entry %d: hash does not match its content", e.Seq)
			case i > 0 && e.Seq != prevSeq+1:
				bad(ProblemGap, "entry %d follows %d", e.Seq, prevSeq)
			case !(gap && i == 0) && e.Prev != prevHash:
				bad(ProblemHash, "entry %d: does not link to entry %d", e.Seq, prevSeq)
			}
			prevHash, prevSeq = e.Hash, e.Seq
			ar.Entries++
		}
		if len(entries) > 0 && entries[len(entries)-1].Seq != h.Last {
			bad(ProblemMalformed, "header says last entry %d, object ends at %d", h.Last, prevSeq)
		}
		prevObj = sum(data)
	}
	ar.LastSeq = prevSeq
	return ar, nil
}
