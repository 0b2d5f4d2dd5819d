package central

import (
	"context"
	"errors"
	"testing"
	"time"

	"filippo.io/age"

	"softphone/internal/s3store"
	"softphone/recording"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n        int
		min, max time.Duration
	}{
		{1, 800 * time.Millisecond, 1200 * time.Millisecond},
		{2, 1600 * time.Millisecond, 2400 * time.Millisecond},
		{4, 6400 * time.Millisecond, 9600 * time.Millisecond},
		{30, 4 * time.Minute, 6 * time.Minute}, // capped at 5 min ± 20 %
	} {
		for range 50 {
			if d := backoff(time.Second, 5*time.Minute, tc.n); d < tc.min || d > tc.max {
				t.Fatalf("backoff(%d) = %v, want %v…%v", tc.n, d, tc.min, tc.max)
			}
		}
	}
}

func TestSplitRecKey(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		key  string
		ok   bool
		name string
	}{
		{"rec/2026-12-07/" + id + "/manifest.age", true, "manifest.age"},
		{"rec/2026-12-07/" + id + "/pack-000001.age", true, "pack-000001.age"},
		{"rec/2026-13-07/" + id + "/manifest.age", false, ""},
		{"rec/2026-12-07/" + id[:31] + "/manifest.age", false, ""},
		{"rec/2026-12-07/" + id + "/x/manifest.age", false, ""},
		{"audit/a/2026-12-07/1.jsonl", false, ""},
		{"", false, ""},
	} {
		_, gotID, name, ok := splitRecKey(tc.key)
		if ok != tc.ok || ok && (gotID != id || name != tc.name) {
			t.Errorf("splitRecKey(%q) = %q %q %v", tc.key, gotID, name, ok)
		}
	}
}

func TestGroupNeedsManifest(t *testing.T) {
	a, b := "0123456789abcdef0123456789abcdef", "ffffffffffffffffffffffffffffffff"
	objs := []s3store.ObjectInfo{
		{Key: "rec/2026-12-07/" + a + "/pack-000001.age"},
		{Key: "rec/2026-12-07/" + a + "/manifest.age"},
		{Key: "rec/2026-12-07/" + a + "/review-00000000000000000001-abcd0123.age"},
		{Key: "rec/2026-12-07/" + b + "/pack-000001.age"}, // upload not finished
		{Key: "junk"},
	}
	g := groupRecordings(objs)
	if len(g) != 1 || g[0].id != a || len(g[0].reviews) != 1 {
		t.Fatalf("groups %+v", g)
	}
}

func TestFilterMatch(t *testing.T) {
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	it := Item{Manifest: Manifest{Meta: recording.Meta{Owner: "alice", Started: start,
		Flags: []recording.FlagEntry{{Reason: "Customer complaint"}}}}}
	resolved := it
	resolved.Resolved = true
	for _, tc := range []struct {
		name string
		f    ReviewFilter
		it   Item
		want bool
	}{
		{"open flag", ReviewFilter{}, it, true},
		{"resolved hidden", ReviewFilter{}, resolved, false},
		{"resolved with all", ReviewFilter{All: true}, resolved, true},
		{"agent", ReviewFilter{Agent: "alice"}, it, true},
		{"other agent", ReviewFilter{Agent: "bob"}, it, false},
		{"reason any case", ReviewFilter{Reason: "COMPLAINT"}, it, true},
		{"reason missing", ReviewFilter{Reason: "fraud"}, it, false},
		{"from same instant", ReviewFilter{From: start}, it, true},
		{"from later", ReviewFilter{From: start.Add(time.Second)}, it, false},
		{"to is exclusive", ReviewFilter{To: start}, it, false},
		{"unflagged", ReviewFilter{}, Item{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.match(tc.it); got != tc.want {
				t.Fatalf("match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	org, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	data, err := seal(Review{By: "sup", Note: "fine"}, []age.Recipient{org.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	var r Review
	if err := open(data, []age.Identity{org}, &r); err != nil || r.Note != "fine" {
		t.Fatalf("open: %v %+v", err, r)
	}
	if err := open(data, []age.Identity{other}, &r); !errors.Is(err, recording.ErrWrongKey) {
		t.Fatalf("wrong key: %v", err)
	}
	data[len(data)-1] ^= 1
	if err := open(data, []age.Identity{org}, &r); !errors.Is(err, ErrTampered) {
		t.Fatalf("tampered: %v", err)
	}
}

// FuzzOpen feeds arbitrary bytes (a manifest or note read from the store)
// to the decoder: it must fail cleanly, never panic.
func FuzzOpen(f *testing.F) {
	org, _ := age.GenerateX25519Identity()
	good, _ := seal(Manifest{Version: 1}, []age.Recipient{org.Recipient()})
	f.Add(good)
	f.Add([]byte("age-encryption.org/v1\n-> X25519 abc\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Manifest
		_ = open(data, []age.Identity{org}, &m)
	})
}

// missingSegments is a Source whose recording lost a segment file.
type missingSegments struct{ dir string }

func (m missingSegments) List(string, recording.Role, recording.Filter) ([]recording.Meta, error) {
	return []recording.Meta{{ID: "0123456789abcdef0123456789abcdef", Status: recording.StatusComplete, Segments: 2}}, nil
}
func (m missingSegments) Envelope(string) (recording.Meta, []byte, error) {
	return recording.Meta{}, nil, nil
}
func (m missingSegments) SegmentPath(id string, n int) string { return m.dir + "/none" }
func (m missingSegments) Offload(string, string) error        { return nil }

type failPutter struct{ calls int }

func (f *failPutter) Put(context.Context, string, []byte, s3store.Lock) (string, error) {
	f.calls++
	return "", errors.New("store down")
}

// TestTamperedRecordingIsSkipped: a recording that cannot be uploaded
// (missing segment) is reported once per pass and does not make the
// uploader back off as if the store were down.
func TestTamperedRecordingIsSkipped(t *testing.T) {
	org, _ := age.GenerateX25519Identity()
	var events []Event
	p := &failPutter{}
	u, err := NewUploader(UploaderConfig{Source: missingSegments{t.TempDir()}, Store: p, QueueDir: t.TempDir(),
		Recipients: []age.Recipient{org.Recipient()}, Agent: "a", OnEvent: func(e Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Sync(context.Background()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if p.calls != 0 || len(events) != 1 || events[0].State != StateSkipped || !errors.Is(events[0].Err, recording.ErrTampered) {
		t.Fatalf("puts %d, events %+v", p.calls, events)
	}
}
