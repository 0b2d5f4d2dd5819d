package crm

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// Format is the format of an import file.
type Format int

// Import formats.
const (
	FormatUnknown Format = iota
	FormatCSV
	FormatVCard
)

// String names the format.
func (f Format) String() string {
	switch f {
	case FormatCSV:
		return "csv"
	case FormatVCard:
		return "vcard"
	}
	return "unknown"
}

// DetectFormat tells the format from the file name (.csv, .vcf, .vcard)
// or, failing that, from the first bytes.
func DetectFormat(name string, head []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return FormatCSV
	case ".vcf", ".vcard":
		return FormatVCard
	}
	h := bytes.ToUpper(bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\ufeff"))))
	if bytes.HasPrefix(h, []byte("BEGIN:VCARD")) {
		return FormatVCard
	}
	if bytes.Contains(h, []byte("CUSTOMER_ID")) {
		return FormatCSV
	}
	return FormatUnknown
}

// ImportReport is the outcome of an import.
type ImportReport struct {
	Format   Format
	Imported int        // good rows stored (a customer id seen twice counts twice; the last wins)
	Bad      []RowError // rejected rows, by line
	// Neutralised counts cells that began like a spreadsheet formula.
	Neutralised int
	Elapsed     time.Duration
}

// RowsPerSecond is the import speed.
func (r ImportReport) RowsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Imported) / r.Elapsed.Seconds()
}

// importBatch is how many contacts go into one transaction.
const importBatch = 2000

// Import reads contacts from r (format f; FormatUnknown sniffs the first
// bytes) and stores the good ones in batched transactions. National numbers
// are read in region. Bad rows are reported and skipped; the error is for
// what stops the import (then rows of earlier batches stay stored).
func (s *Store) Import(ctx context.Context, r io.Reader, f Format, region string) (ImportReport, error) {
	t0 := time.Now()
	br := bufio.NewReaderSize(r, 64<<10)
	if f == FormatUnknown {
		head, _ := br.Peek(512)
		f = DetectFormat("", head)
	}
	rep := ImportReport{Format: f}
	batch := make([]Contact, 0, importBatch)
	put := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.Put(ctx, batch); err != nil {
			return err
		}
		rep.Imported += len(batch)
		batch = batch[:0]
		return nil
	}
	fn := func(c Contact) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Neutralised += neutraliseContact(&c)
		batch = append(batch, c)
		if len(batch) == importBatch {
			return put()
		}
		return nil
	}
	var err error
	switch f {
	case FormatCSV:
		rep.Bad, err = ReadCSV(br, region, fn)
	case FormatVCard:
		rep.Bad, err = ReadVCard(br, region, fn)
	default:
		return rep, fmt.Errorf("import: unknown file format (want CSV with a customer_id header, or vCard)")
	}
	if err == nil {
		err = put()
	}
	rep.Elapsed = time.Since(t0)
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	s.log.Debug("crm import done", "format", f.String(), "imported", rep.Imported, "bad", len(rep.Bad))
	return rep, nil
}

// neutralise defuses a cell that a spreadsheet would run as a formula
// (CSV injection, OWASP): one starting with =, +, -, @, tab or CR gets a
// leading apostrophe, so it stays text wherever it is exported to.
func neutralise(v string) (string, bool) {
	if v == "" {
		return v, false
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + v, true
	}
	return v, false
}

// neutraliseContact applies neutralise to every free-text field (phone
// numbers are E.164 already and keep their "+").
func neutraliseContact(c *Contact) int {
	n := 0
	for _, f := range []*string{&c.CustomerID, &c.Name, &c.Email, &c.BirthDate, &c.IBAN, &c.Card, &c.Address, &c.City, &c.Notes} {
		var hit bool
		if *f, hit = neutralise(*f); hit {
			n++
		}
	}
	for k, v := range c.Custom {
		if nv, hit := neutralise(v); hit {
			c.Custom[k] = nv
			n++
		}
	}
	return n
}
