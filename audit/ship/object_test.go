package ship

import (
	"testing"
	"time"

	"softphone/audit"
)

func TestSplitKey(t *testing.T) {
	for _, tc := range []struct {
		key   string
		first uint64
		ok    bool
	}{
		{"audit/a_0123456789abcdef/2026-12-07/000000000042.jsonl", 42, true},
		{"audit/a_0123456789abcdef/2026-12-07/42.json", 0, false},
		{"audit/alice/2026-12-07/000000000042.jsonl", 0, false},
		{"rec/a_0123456789abcdef/2026-12-07/000000000042.jsonl", 0, false},
		{"audit/a_0123456789abcdef/000000000042.jsonl", 0, false},
	} {
		_, first, ok := splitKey(tc.key)
		if ok != tc.ok || first != tc.first {
			t.Errorf("splitKey(%q) = %d %v", tc.key, first, ok)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	e := audit.Entry{Seq: 1, Time: time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC), Actor: "alice", Action: "login", Prev: audit.GenesisHash}
	var err error
	if e.Hash, err = e.ComputeHash(); err != nil {
		t.Fatal(err)
	}
	h := header{Version: 1, Agent: "a_0123456789abcdef", Day: "2026-12-07", First: 1, Last: 1}
	data, err := encode(h, []audit.Entry{e})
	if err != nil {
		t.Fatal(err)
	}
	h2, es, err := decode(data)
	if err != nil || h2 != h || len(es) != 1 || es[0].Hash != e.Hash {
		t.Fatalf("decode: %v %+v %+v", err, h2, es)
	}
}

// FuzzDecode feeds arbitrary objects from the store to the parser.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"v":1,"agent":"a_0123456789abcdef","day":"2026-12-07","first":1,"last":1,"prev_object":""}` + "\n"))
	f.Add([]byte("{}\n{\"seq\":1}\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, _ = decode(data)
	})
}
