package crm

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// indexer turns the lookup keys of the embedded store (customer ids, E.164
// numbers) into keyed hashes, so the file alone does not say who is a
// customer. Without a key it passes values through (no field key: nothing
// in the file is protected beyond its file mode).
type indexer struct {
	key []byte // nil: identity
}

func newIndexer(fieldKey []byte) indexer {
	// A separate key for the indexes, derived from the field key.
	m := hmac.New(sha256.New, fieldKey)
	m.Write([]byte("softphone-crm-index-v1"))
	return indexer{key: m.Sum(nil)}
}

func (x indexer) on() bool { return x.key != nil }

func (x indexer) hash(kind, v string) string {
	if x.key == nil {
		return v
	}
	m := hmac.New(sha256.New, x.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return "h:" + hex.EncodeToString(m.Sum(nil))
}

func (x indexer) customer(id string) string { return x.hash("customer", id) }
func (x indexer) number(e164 string) string { return x.hash("e164", e164) }

// keyCheck compares the store's key check value with this key: false
// when the store was written with another key, or with one and opened
// without. The first keyed open records it.
func keyCheck(db *sql.DB, x indexer) (bool, error) {
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		return false, err
	}
	want := ""
	if x.on() {
		want = x.hash("check", "softphone")
	}
	var have string
	err := db.QueryRow(`SELECT v FROM meta WHERE k = 'key_check'`).Scan(&have)
	if errors.Is(err, sql.ErrNoRows) {
		if want == "" {
			return true, nil
		}
		_, err = db.Exec(`INSERT INTO meta (k, v) VALUES ('key_check', ?)`, want)
		return err == nil, err
	}
	if err != nil {
		return false, err
	}
	return have == want, nil
}

// migrate adds the columns of the keyed layout to stores made before it.
// Rows written before keep their plain index values and are not found by
// keyed lookups: re-import the contacts after upgrading.
func migrate(db *sql.DB) error {
	for _, c := range []struct{ table, col string }{{"contacts", "customer"}, {"phones", "number"}} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, c.table, c.col).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := db.Exec(fmt.Sprintf(`ALTER TABLE %s ADD COLUMN %s TEXT NOT NULL DEFAULT ''`, c.table, c.col)); err != nil {
				return err
			}
		}
	}
	return nil
}
