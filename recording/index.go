package recording

import (
	"crypto/hmac"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // SQLite driver (pure Go)
)

// Meta is the index entry of one recording. It never holds the customer's
// number, only its pseudonym.
type Meta struct {
	ID          string        `json:"id"`
	CallID      string        `json:"call_id"`
	Owner       string        `json:"owner"` // the agent whose call it is
	Direction   string        `json:"direction"`
	CustomerRef string        `json:"customer_ref,omitempty"` // Pseudonym of the number
	Started     time.Time     `json:"started"`
	Ended       time.Time     `json:"ended,omitzero"`
	Duration    time.Duration `json:"duration"` // wall time from first recorded audio to seal
	Status      Status        `json:"status"`
	Reason      string        `json:"reason,omitempty"` // why incomplete or deleted
	Pauses      []Interval    `json:"pauses,omitempty"`
	Flags       []FlagEntry   `json:"flags,omitempty"`
	Hold        *HoldInfo     `json:"hold,omitempty"`
	RetainUntil time.Time     `json:"retain_until"`
	Segments    int           `json:"segments"`
	Dropped     int           `json:"dropped_frames,omitempty"` // frames lost to a full queue
	Deleted     *Deletion     `json:"deleted,omitempty"`

	// Tampered is set by List and Get when the row's MAC does not match (not stored).
	Tampered bool `json:"-"`
}

// Interval is a stretch of the call that was not recorded.
type Interval struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end,omitzero"` // zero while open
	Reasons []string  `json:"reasons"`      // agent, payment, dtmf, off
}

// FlagEntry is one review flag.
type FlagEntry struct {
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// HoldInfo describes a legal hold.
type HoldInfo struct {
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Deletion is the tombstone of a deleted recording.
type Deletion struct {
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Flagged reports whether the recording has a review flag.
func (m Meta) Flagged() bool { return len(m.Flags) > 0 }

// OnHold reports whether the recording is under legal hold.
func (m Meta) OnHold() bool { return m.Hold != nil }

const schema = `
CREATE TABLE IF NOT EXISTS recordings (
	id           TEXT PRIMARY KEY,
	call_id      TEXT NOT NULL,
	owner        TEXT NOT NULL,
	started      INTEGER NOT NULL,
	status       INTEGER NOT NULL,
	flagged      INTEGER NOT NULL,
	hold         INTEGER NOT NULL,
	retain_until INTEGER NOT NULL,
	doc          BLOB NOT NULL,
	wrapped_key  BLOB,
	mac          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS recordings_retain ON recordings(status, retain_until);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`

// openIndex opens the SQLite index. secure_delete overwrites freed content,
// so a shredded wrapped key does not linger in free pages.
func openIndex(path string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "synchronous(FULL)", "secure_delete(on)", "foreign_keys(on)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open recording index: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create recording index: %w", err)
	}
	return db, nil
}

// row is a Meta with its stored key material.
type row struct {
	meta    Meta
	wrapped []byte
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// putRow inserts or replaces a row, recomputing its MAC.
func putRow(db *sql.DB, macKey []byte, r row) error {
	doc, err := json.Marshal(r.meta)
	if err != nil {
		return err
	}
	m := r.meta
	_, err = db.Exec(`INSERT INTO recordings (id, call_id, owner, started, status, flagged, hold, retain_until, doc, wrapped_key, mac)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(id) DO UPDATE SET call_id=excluded.call_id, owner=excluded.owner, started=excluded.started,
		status=excluded.status, flagged=excluded.flagged, hold=excluded.hold, retain_until=excluded.retain_until,
		doc=excluded.doc, wrapped_key=excluded.wrapped_key, mac=excluded.mac`,
		m.ID, m.CallID, m.Owner, m.Started.UnixNano(), int(m.Status), boolInt(m.Flagged()), boolInt(m.OnHold()),
		m.RetainUntil.UnixNano(), doc, r.wrapped, rowMAC(macKey, doc, r.wrapped))
	if err != nil {
		return fmt.Errorf("write recording index: %w", err)
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

// scanRow reads one row and checks its MAC; a bad MAC yields the decoded
// meta with Tampered set and ErrTampered.
func scanRow(s scanner, macKey []byte) (row, error) {
	var (
		id          string
		doc, wk     []byte
		mac         string
		status      int
		hold        int
		retainUntil int64
	)
	if err := s.Scan(&id, &doc, &wk, &mac, &status, &hold, &retainUntil); err != nil {
		return row{}, err
	}
	var r row
	r.wrapped = wk
	if err := json.Unmarshal(doc, &r.meta); err != nil {
		r.meta = Meta{ID: id, Tampered: true}
		return r, fmt.Errorf("%w: index entry %s unreadable", ErrTampered, id)
	}
	ok := hmac.Equal([]byte(mac), []byte(rowMAC(macKey, doc, wk)))
	// The query columns must agree with the authenticated document.
	ok = ok && r.meta.ID == id && int(r.meta.Status) == status && boolInt(r.meta.OnHold()) == hold &&
		r.meta.RetainUntil.UnixNano() == retainUntil
	if !ok {
		r.meta.Tampered = true
		return r, fmt.Errorf("%w: index entry %s", ErrTampered, id)
	}
	return r, nil
}

const rowCols = `id, doc, wrapped_key, mac, status, hold, retain_until`

func getRow(db *sql.DB, macKey []byte, id string) (row, error) {
	r, err := scanRow(db.QueryRow(`SELECT `+rowCols+` FROM recordings WHERE id = ?`, id), macKey)
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, ErrNotFound
	}
	return r, err
}

// allRows returns every row; rows failing the MAC come back with Tampered set.
func allRows(db *sql.DB, macKey []byte, where string, args ...any) ([]row, error) {
	rs, err := db.Query(`SELECT `+rowCols+` FROM recordings `+where+` ORDER BY started, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read recording index: %w", err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		r, err := scanRow(rs, macKey)
		if err != nil && !errors.Is(err, ErrTampered) {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// getSetting reads a setting; ok is false when it is missing or its MAC
// does not match (tampered), so the caller falls back to the configuration.
func getSetting(db *sql.DB, macKey []byte, name string) (value string, ok bool, err error) {
	var v string
	err = db.QueryRow(`SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	val, mac, found := strings.Cut(v, "|")
	if !found || !hmac.Equal([]byte(mac), []byte(settingMAC(macKey, name, val))) {
		return "", false, fmt.Errorf("%w: setting %s", ErrTampered, name)
	}
	return val, true, nil
}

func putSetting(db *sql.DB, macKey []byte, name, value string) error {
	v := value + "|" + settingMAC(macKey, name, value)
	_, err := db.Exec(`INSERT INTO settings(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value=excluded.value`, name, v)
	return err
}

func settingMAC(macKey []byte, name, value string) string {
	return rowMAC(macKey, []byte("setting\x00"+name+"\x00"+value), nil)
}
