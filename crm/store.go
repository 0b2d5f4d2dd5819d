package crm

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"
)

// schema is the embedded store. Several numbers per contact live in phones,
// clustered on e164 (WITHOUT ROWID), so a lookup is one index seek.
const schema = `
CREATE TABLE IF NOT EXISTS contacts (
	id                  INTEGER PRIMARY KEY,
	customer_id         TEXT NOT NULL UNIQUE,
	customer            TEXT NOT NULL DEFAULT '',
	name                TEXT NOT NULL,
	email               TEXT NOT NULL DEFAULT '',
	birth_date          TEXT NOT NULL DEFAULT '',
	iban                TEXT NOT NULL DEFAULT '',
	card                TEXT NOT NULL DEFAULT '',
	address             TEXT NOT NULL DEFAULT '',
	city                TEXT NOT NULL DEFAULT '',
	consent             INTEGER NOT NULL DEFAULT 0,
	payment_in_progress INTEGER NOT NULL DEFAULT 0,
	notes               TEXT NOT NULL DEFAULT '',
	custom              TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS phones (
	e164       TEXT NOT NULL,
	contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	number     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (e164, contact_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS phones_contact ON phones(contact_id, pos);
CREATE TABLE IF NOT EXISTS wrapups (
	id          INTEGER PRIMARY KEY,
	customer_id TEXT NOT NULL,
	call_id     TEXT NOT NULL,
	agent       TEXT NOT NULL,
	code        TEXT NOT NULL,
	notes       TEXT NOT NULL,
	at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS wrapups_customer ON wrapups(customer_id);
`

const contactCols = `c.customer_id, c.customer, c.name, c.email, c.birth_date, c.iban, c.card, c.address, c.city,
	c.consent, c.payment_in_progress, c.notes, c.custom,
	(SELECT group_concat(CASE number WHEN '' THEN e164 ELSE number END, ' ') FROM (SELECT e164, number FROM phones WHERE contact_id = c.id ORDER BY pos))`

const (
	qByNumber   = `SELECT ` + contactCols + ` FROM phones p JOIN contacts c ON c.id = p.contact_id WHERE p.e164 = ? ORDER BY c.customer_id LIMIT 50`
	qByCustomer = `SELECT ` + contactCols + ` FROM contacts c WHERE c.customer_id = ?`
	// qInsert adds a new contact; on a known customer id it returns no row
	// and qUpdate replaces it (then its numbers are replaced too).
	qInsert = `INSERT INTO contacts (customer_id, name, email, birth_date, iban, card, address, city, consent, payment_in_progress, notes, custom, customer)
	VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(customer_id) DO NOTHING RETURNING id`
	qUpdate = `UPDATE contacts SET name=?2, email=?3, birth_date=?4, iban=?5, card=?6, address=?7, city=?8, consent=?9,
	payment_in_progress=?10, notes=?11, custom=?12, customer=?13 WHERE customer_id=?1 RETURNING id`
	qDelPhones = `DELETE FROM phones WHERE contact_id = ?`
	qAddPhone  = `INSERT INTO phones (e164, contact_id, pos, number) VALUES (?,?,?,?) ON CONFLICT DO NOTHING`
	qWrapUp    = `INSERT INTO wrapups (customer_id, call_id, agent, code, notes, at) VALUES (?,?,?,?,?,?)`
	qExists    = `SELECT 1 FROM contacts WHERE customer_id = ?`
)

// Store is the embedded contact directory: one SQLite file in WAL mode.
// It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	log  *slog.Logger
	key  []byte
	seal sealer
	idx  indexer // keyed hashes of customer ids and numbers (with a key)
	// wrongKey: the store was written under another field key (or none);
	// lookups fail with ErrSealed instead of finding nothing.
	wrongKey bool

	byNumber, byCustomer, wrapUp, exists *sql.Stmt

	closeOnce sync.Once
	closeErr  error
}

// StoreConfig is what Open needs.
type StoreConfig struct {
	// Path is the SQLite file; it and its directory are created private to
	// the user (0600 / 0700).
	Path string
	// FieldKey (32 bytes, kept in the keyring) encrypts every personal
	// field, the consent flags included, with AES-256-GCM, and keeps the
	// customer ids and phone numbers of the lookup indexes only as keyed
	// hashes (HMAC-SHA256 under a key derived from it). Nil stores fields as
	// they are, in a file only the user can read. PCI DSS 3.5 wants stored
	// card numbers unreadable: set it wherever card numbers are imported.
	FieldKey []byte
}

// StoreOption adjusts Open.
type StoreOption func(*Store)

// WithStoreLogger sets the store's logger.
func WithStoreLogger(l *slog.Logger) StoreOption { return func(s *Store) { s.log = l } }

// Open opens (creating if needed) the store at cfg.Path. The file and its
// directory are private to the user (0600 / 0700).
func Open(cfg StoreConfig, opts ...StoreOption) (*Store, error) {
	path := cfg.Path
	if path == "" {
		return nil, errors.New("crm store: no path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("crm store: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("crm store: %w", err)
	}
	f.Close()
	q := url.Values{}
	// secure_delete: erased rows are overwritten, not left in free pages.
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(5000)", "foreign_keys(1)", "synchronous(NORMAL)", "cache_size(-32768)", "secure_delete(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("crm store: %w", err)
	}
	s := &Store{db: db}
	if cfg.FieldKey != nil {
		s.key = append([]byte(nil), cfg.FieldKey...)
	}
	for _, o := range opts {
		o(s)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "crm.store")
	if s.key != nil {
		if s.seal, err = newSealer(s.key); err != nil {
			db.Close()
			return nil, err
		}
		s.idx = newIndexer(s.key)
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("crm store %s: %w", filepath.Base(path), err)
	}
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("crm store %s: %w", filepath.Base(path), err)
	}
	ok, err := keyCheck(db, s.idx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("crm store %s: %w", filepath.Base(path), err)
	}
	s.wrongKey = !ok
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{{&s.byNumber, qByNumber}, {&s.byCustomer, qByCustomer}, {&s.wrapUp, qWrapUp}, {&s.exists, qExists}} {
		if *p.st, err = db.Prepare(p.q); err != nil {
			db.Close()
			return nil, fmt.Errorf("crm store: prepare: %w", err)
		}
	}
	return s, nil
}

// Close closes the database. Idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		for _, st := range []*sql.Stmt{s.byNumber, s.byCustomer, s.wrapUp, s.exists} {
			errs = append(errs, st.Close())
		}
		errs = append(errs, s.db.Close())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

type scanner interface{ Scan(...any) error }

func (s *Store) scanContact(r scanner) (Contact, error) {
	var c Contact
	var consent, pay, custom, ref, sealedID string
	var phones sql.NullString
	if err := r.Scan(&ref, &sealedID, &c.Name, &c.Email, &c.BirthDate, &c.IBAN, &c.Card, &c.Address, &c.City,
		&consent, &pay, &c.Notes, &custom, &phones); err != nil {
		return Contact{}, err
	}
	c.CustomerID = ref
	if phones.String != "" {
		c.Phones = strings.Split(phones.String, " ")
	}
	var err error
	fields := []*string{&sealedID, &c.Name, &c.Email, &c.BirthDate, &c.IBAN, &c.Card, &c.Address, &c.City, &c.Notes, &custom, &consent, &pay}
	for i := range c.Phones {
		fields = append(fields, &c.Phones[i])
	}
	for _, f := range fields {
		if *f, err = s.seal.open(ref, *f); err != nil {
			return Contact{}, err
		}
	}
	if sealedID != "" {
		c.CustomerID = sealedID
	}
	n, _ := strconv.Atoi(consent)
	c.Consent = Consent(n)
	c.PaymentInProgress = pay == "1" || pay == "true"
	if custom != "" {
		if err := json.Unmarshal([]byte(custom), &c.Custom); err != nil {
			return Contact{}, fmt.Errorf("custom fields: %w", err)
		}
	}
	return c, nil
}

// LookupNumber implements Directory.
func (s *Store) LookupNumber(ctx context.Context, e164 string) ([]Contact, error) {
	if s.wrongKey {
		return nil, ErrSealed
	}
	rows, err := s.byNumber.QueryContext(ctx, s.idx.number(e164))
	if err != nil {
		return nil, fmt.Errorf("crm store lookup: %w", err)
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		c, err := s.scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("crm store lookup: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("crm store lookup: %w", err)
	}
	// The index holds keyed hashes: order by the real id after opening.
	slices.SortFunc(out, func(a, b Contact) int { return strings.Compare(a.CustomerID, b.CustomerID) })
	return out, nil
}

// LookupCustomer implements Directory.
func (s *Store) LookupCustomer(ctx context.Context, customerID string) (Contact, error) {
	if s.wrongKey {
		return Contact{}, ErrSealed
	}
	c, err := s.scanContact(s.byCustomer.QueryRowContext(ctx, s.idx.customer(customerID)))
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, ErrNotFound
	}
	if err != nil {
		return Contact{}, fmt.Errorf("crm store lookup: %w", err)
	}
	return c, nil
}

// WriteWrapUp implements Directory.
func (s *Store) WriteWrapUp(ctx context.Context, w WrapUp) error {
	var one int
	ref := s.idx.customer(w.CustomerID)
	if err := s.exists.QueryRowContext(ctx, ref).Scan(&one); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return fmt.Errorf("crm store wrap-up: %w", err)
	}
	at := w.At.UTC().Format("2006-01-02T15:04:05.000Z")
	if _, err := s.wrapUp.ExecContext(ctx, ref, w.CallID, w.Agent, w.Code, s.seal.seal(ref, w.Notes), at); err != nil {
		return fmt.Errorf("crm store wrap-up: %w", err)
	}
	return nil
}

// WrapUps returns the wrap-ups of a customer, oldest first.
func (s *Store) WrapUps(ctx context.Context, customerID string) ([]WrapUp, error) {
	ref := s.idx.customer(customerID)
	rows, err := s.db.QueryContext(ctx, `SELECT customer_id, call_id, agent, code, notes FROM wrapups WHERE customer_id = ? ORDER BY id`, ref)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WrapUp
	for rows.Next() {
		var w WrapUp
		if err := rows.Scan(&w.CustomerID, &w.CallID, &w.Agent, &w.Code, &w.Notes); err != nil {
			return nil, err
		}
		if w.Notes, err = s.seal.open(ref, w.Notes); err != nil {
			return nil, err
		}
		w.CustomerID = customerID
		out = append(out, w)
	}
	return out, rows.Err()
}

// Count returns the number of contacts.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM contacts`).Scan(&n)
	return n, err
}

// Put inserts or replaces contacts (matched by customer id) in one
// transaction. Phones must already be E.164.
func (s *Store) Put(ctx context.Context, cs []Contact) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("crm store: %w", err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, qInsert)
	if err != nil {
		return fmt.Errorf("crm store: %w", err)
	}
	defer ins.Close()
	upd, err := tx.PrepareContext(ctx, qUpdate)
	if err != nil {
		return fmt.Errorf("crm store: %w", err)
	}
	defer upd.Close()
	del, err := tx.PrepareContext(ctx, qDelPhones)
	if err != nil {
		return fmt.Errorf("crm store: %w", err)
	}
	defer del.Close()
	add, err := tx.PrepareContext(ctx, qAddPhone)
	if err != nil {
		return fmt.Errorf("crm store: %w", err)
	}
	defer add.Close()
	for _, c := range cs {
		custom := ""
		if len(c.Custom) > 0 {
			b, err := json.Marshal(c.Custom)
			if err != nil {
				return err
			}
			custom = string(b)
		}
		id := s.idx.customer(c.CustomerID)
		sl := s.seal.seal
		consent, pay := strconv.Itoa(int(c.Consent)), "0"
		if c.PaymentInProgress {
			pay = "1"
		}
		sealedID := ""
		if s.idx.on() {
			sealedID = sl(id, c.CustomerID)
		}
		args := []any{id, sl(id, c.Name), sl(id, c.Email), sl(id, c.BirthDate), sl(id, c.IBAN), sl(id, c.Card),
			sl(id, c.Address), sl(id, c.City), sl(id, consent), sl(id, pay), sl(id, c.Notes), sl(id, custom), sealedID}
		var rowid int64
		err := ins.QueryRowContext(ctx, args...).Scan(&rowid)
		if errors.Is(err, sql.ErrNoRows) { // known customer: replace
			if err = upd.QueryRowContext(ctx, args...).Scan(&rowid); err == nil {
				_, err = del.ExecContext(ctx, rowid)
			}
		}
		if err != nil {
			return fmt.Errorf("crm store put: %w", err)
		}
		for i, p := range c.Phones {
			num := ""
			if s.idx.on() {
				num = sl(id, p)
			}
			if _, err := add.ExecContext(ctx, s.idx.number(p), rowid, i, num); err != nil {
				return fmt.Errorf("crm store put: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("crm store: %w", err)
	}
	return nil
}
