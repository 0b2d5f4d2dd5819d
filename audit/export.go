package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Trailer is the last line of an export: the anchor the exporting
// softphone checked (its MAC under the machine key), so an outside verifier
// knows how many entries to expect and the hash of the last one.
type Trailer struct {
	Type      string `json:"type"` // "anchor"
	Count     uint64 `json:"count"`
	Head      string `json:"head"`
	AnchorMAC string `json:"anchor_mac"` // what Verify found: "valid", …
	Problems  int    `json:"problems"`
}

// Export writes the log at path as JSON lines, exactly as stored (one
// entry per line, see docs/audit-verify/FORMAT.md), then one Trailer line.
// The log is verified first; the report goes into the trailer and is
// returned, so an export of a damaged log says so.
func Export(path string, w io.Writer, opts ...Option) (Report, error) {
	rep, err := Verify(path, opts...)
	if err != nil {
		return rep, err
	}
	f, err := os.Open(path)
	if err != nil {
		return rep, fmt.Errorf("export audit log: %w", err)
	}
	defer f.Close()
	bw := bufio.NewWriter(w)
	if _, err := io.Copy(bw, f); err != nil {
		return rep, fmt.Errorf("export audit log: %w", err)
	}
	a, err := readAnchor(AnchorPath(path))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return rep, err
	}
	b, err := json.Marshal(Trailer{Type: "anchor", Count: a.Count, Head: a.Head, AnchorMAC: rep.AnchorMAC, Problems: len(rep.Problems)})
	if err != nil {
		return rep, err
	}
	bw.Write(b)
	bw.WriteByte('\n')
	return rep, bw.Flush()
}
