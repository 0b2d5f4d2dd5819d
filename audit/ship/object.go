package ship

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"softphone/audit"
)

// header is the first line of every shipped object.
type header struct {
	Version int    `json:"v"`
	Agent   string `json:"agent"`
	Day     string `json:"day"`
	First   uint64 `json:"first"`
	Last    uint64 `json:"last"`
	// PrevObject is the hex SHA-256 of the agent's previous object ("" for the first).
	PrevObject string `json:"prev_object"`
}

var agentRe = regexp.MustCompile(`^a_[0-9a-f]{16}$`)

func objectKey(agent, day string, first uint64) string {
	return fmt.Sprintf("audit/%s/%s/%012d.jsonl", agent, day, first)
}

// splitKey parses audit/AGENT/DAY/SEQ.jsonl.
func splitKey(key string) (agent string, first uint64, ok bool) {
	parts := strings.Split(key, "/")
	if len(parts) != 4 || parts[0] != "audit" || !agentRe.MatchString(parts[1]) {
		return "", 0, false
	}
	n, found := strings.CutSuffix(parts[3], ".jsonl")
	if !found {
		return "", 0, false
	}
	first, err := strconv.ParseUint(n, 10, 64)
	return parts[1], first, err == nil
}

// encode builds one object from a header and its entries.
func encode(h header, entries []audit.Entry) ([]byte, error) {
	var buf bytes.Buffer
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	buf.Write(hb)
	buf.WriteByte('\n')
	for _, e := range entries {
		l, err := e.MarshalLine()
		if err != nil {
			return nil, err
		}
		buf.Write(l)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// decode parses an object; a malformed line is an error.
func decode(data []byte) (header, []audit.Entry, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var h header
	if !sc.Scan() {
		return h, nil, fmt.Errorf("%w: empty object", audit.ErrMalformed)
	}
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Version != 1 {
		return h, nil, fmt.Errorf("%w: object header", audit.ErrMalformed)
	}
	var out []audit.Entry
	for sc.Scan() {
		e, err := audit.ParseEntry(sc.Bytes())
		if err != nil {
			return h, out, err
		}
		out = append(out, e)
	}
	return h, out, sc.Err()
}

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
