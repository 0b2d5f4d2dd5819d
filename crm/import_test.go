package crm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, read func(*os.File, func(Contact) error) ([]RowError, error), path string) ([]Contact, []RowError) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var got []Contact
	bad, err := read(f, func(c Contact) error { got = append(got, c); return nil })
	require.NoError(t, err)
	return got, bad
}

func TestReadCSVBadRowsByLine(t *testing.T) {
	got, bad := readAll(t, func(f *os.File, fn func(Contact) error) ([]RowError, error) {
		return ReadCSV(f, "DE", fn)
	}, "testdata/contacts.csv")

	ids := []string{}
	for _, c := range got {
		ids = append(ids, c.CustomerID)
	}
	assert.Equal(t, []string{"C1001", "C1002", "C1008", "C1010", "C1012"}, ids, "good rows are kept")

	wantBad := map[int]string{
		5:  "phone is not a valid phone number",
		6:  "customer id is missing",
		7:  "iban is not a valid IBAN",
		8:  "consent must be yes, no or unknown",
		9:  "has 2 fields, the header has 13",
		11: "card is not a valid card number",
		13: "malformed CSV",
	}
	gotBad := map[int]string{}
	for _, b := range bad {
		gotBad[b.Line] = b.Reason
	}
	require.Len(t, gotBad, len(wantBad), "bad rows: %v", bad)
	for line, reason := range wantBad {
		assert.Contains(t, gotBad[line], reason, "line %d", line)
	}
	// Reasons never echo the rejected value.
	for _, b := range bad {
		for _, v := range []string{"abc", "DE00", "maybe", "1234 5678", "Quote"} {
			assert.NotContains(t, b.Error(), v)
		}
	}

	c := got[0]
	assert.Equal(t, "Jürgen Groß", c.Name)
	assert.Equal(t, []string{"+4920180900", "+491701234567"}, c.Phones)
	assert.Equal(t, ConsentGiven, c.Consent)
	assert.False(t, c.PaymentInProgress)
	assert.Equal(t, "Essen", c.City)
	c = got[1]
	assert.Equal(t, []string{"+4920180901"}, c.Phones, "00-prefixed international number")
	assert.Equal(t, "multi\nline note", c.Notes, "quoted field over two lines")
	assert.Equal(t, ConsentRefused, c.Consent)
	assert.True(t, c.PaymentInProgress)
	assert.Equal(t, "李小龙", got[2].Name)
	assert.Equal(t, []string{"+861012345678"}, got[2].Phones)
}

func TestReadCSVHeaderErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"missing phone":  "customer_id,name\nC1,Ann\n",
		"duplicate col":  "customer_id,name,phone,phone\n",
		"not csv header": "\"unterminated\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(in), "DE", func(Contact) error { return nil })
			assert.Error(t, err)
		})
	}
	// Column order and a BOM do not matter; unknown columns are ignored.
	var got []Contact
	bad, err := ReadCSV(strings.NewReader("\ufeffPhone,Name,extra,customer_id\r\n0201 80900,Ann,x,C1\r\n"), "DE",
		func(c Contact) error { got = append(got, c); return nil })
	require.NoError(t, err)
	assert.Empty(t, bad)
	require.Len(t, got, 1)
	assert.Equal(t, "C1", got[0].CustomerID)
}

func TestReadVCardBadCardsByLine(t *testing.T) {
	got, bad := readAll(t, func(f *os.File, fn func(Contact) error) ([]RowError, error) {
		return ReadVCard(f, "DE", fn)
	}, "testdata/contacts.vcf")

	require.Len(t, got, 3, "good cards are kept; bad: %v", bad)
	c := got[0]
	assert.Equal(t, "V2001", c.CustomerID)
	assert.Equal(t, "Jürgen Groß", c.Name)
	assert.Equal(t, []string{"+4920180910", "+491707654321"}, c.Phones)
	assert.Equal(t, "j.gross@example.com", c.Email)
	assert.Equal(t, "1984-03-07", c.BirthDate)
	assert.Equal(t, "Hauptstr. 5", c.Address)
	assert.Equal(t, "Essen", c.City)
	assert.Equal(t, "Prefers e-mail, not phone\nSecond line", c.Notes)

	c = got[1]
	assert.Equal(t, "4fbe8971-0bc3-424c-9c26-36c3e1eff6b1", c.CustomerID)
	assert.Equal(t, "Zoë Ångström", c.Name, "folded line")
	assert.Equal(t, []string{"+4920180912"}, c.Phones, "tel: URI")
	assert.Equal(t, "--0307", c.BirthDate)

	assert.Equal(t, "V2007", got[2].CustomerID)
	assert.Equal(t, []string{"+4920180915"}, got[2].Phones, "grouped property")

	wantBad := map[int]string{13: "UID is missing", 26: "version 2.1", 32: "TEL on line 36", 38: "no END:VCARD"}
	gotBad := map[int]string{}
	for _, b := range bad {
		gotBad[b.Line] = b.Reason
	}
	require.Len(t, gotBad, len(wantBad), "bad: %v", bad)
	for line, reason := range wantBad {
		assert.Contains(t, gotBad[line], reason, "line %d", line)
	}
}

func TestReadVCardOddInput(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		good    int
		badLine []int
	}{
		{"garbage outside", "hello\nBEGIN:VCARD\nVERSION:3.0\nUID:1\nFN:A\nTEL:020180900\nEND:VCARD\n", 1, []int{1}},
		{"stray END", "END:VCARD\n", 0, []int{1}},
		{"unterminated", "BEGIN:VCARD\nVERSION:3.0\n", 0, []int{1}},
		{"broken line in card", "BEGIN:VCARD\nVERSION:3.0\nUID:1\nFN:A\nnonsense\nTEL:020180900\nEND:VCARD\n", 0, []int{1}},
		{"quoted-printable", "BEGIN:VCARD\nVERSION:3.0\nUID:1\nFN;ENCODING=QUOTED-PRINTABLE:A=3D\nTEL:020180900\nEND:VCARD\n", 0, []int{1}},
		{"N instead of FN", "BEGIN:VCARD\nVERSION:3.0\nUID:1\nN:Groß;Jürgen\nTEL:020180900\nEND:VCARD\n", 1, nil},
		{"no phone", "BEGIN:VCARD\nVERSION:4.0\nUID:1\nFN:A\nEND:VCARD\n", 0, []int{1}},
		{"empty", "", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			bad, err := ReadVCard(strings.NewReader(tt.in), "DE", func(Contact) error { n++; return nil })
			require.NoError(t, err)
			assert.Equal(t, tt.good, n)
			var lines []int
			for _, b := range bad {
				lines = append(lines, b.Line)
			}
			assert.Equal(t, tt.badLine, lines, "%v", bad)
		})
	}
}

func TestDetectFormat(t *testing.T) {
	assert.Equal(t, FormatCSV, DetectFormat("a.CSV", nil))
	assert.Equal(t, FormatVCard, DetectFormat("a.vcf", nil))
	assert.Equal(t, FormatVCard, DetectFormat("", []byte("\ufeff begin:vcard\r\n")))
	assert.Equal(t, FormatCSV, DetectFormat("export.txt", []byte("customer_id,name,phone\n")))
	assert.Equal(t, FormatUnknown, DetectFormat("x.bin", []byte{0, 1, 2}))
}

func TestStoreImportFiles(t *testing.T) {
	ctx := context.Background()
	s, err := Open(StoreConfig{Path: filepath.Join(t.TempDir(), "sub", "crm.db")})
	require.NoError(t, err)
	defer s.Close()

	f, err := os.Open("testdata/contacts.csv")
	require.NoError(t, err)
	rep, err := s.Import(ctx, f, FormatUnknown, "DE")
	f.Close()
	require.NoError(t, err)
	assert.Equal(t, FormatCSV, rep.Format)
	assert.Equal(t, 5, rep.Imported)
	assert.Len(t, rep.Bad, 7)

	f, err = os.Open("testdata/contacts.vcf")
	require.NoError(t, err)
	rep, err = s.Import(ctx, f, FormatVCard, "DE")
	f.Close()
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Imported)
	assert.Len(t, rep.Bad, 4)

	n, err := s.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 8, n)

	_, err = s.Import(ctx, strings.NewReader("\x00\x01garbage"), FormatUnknown, "DE")
	assert.Error(t, err)
}

// Cells a spreadsheet would run as a formula are stored as text.
func TestImportNeutralisesFormulas(t *testing.T) {
	ctx := context.Background()
	s, err := Open(StoreConfig{Path: filepath.Join(t.TempDir(), "crm.db")})
	require.NoError(t, err)
	defer s.Close()
	csv := "customer_id,name,phone,email,notes,address\n" +
		`C1,"=HYPERLINK(""http://evil"",""x"")",+4920180900,a@b.de,@SUM(A1),-2+3` + "\n" +
		"C2,+Max Mustermann,+4920180901,,plain note,Hauptstr. 5\n"
	rep, err := s.Import(ctx, strings.NewReader(csv), FormatCSV, "DE")
	require.NoError(t, err)
	require.Equal(t, 2, rep.Imported)
	require.Equal(t, 4, rep.Neutralised)
	c, err := s.LookupCustomer(ctx, "C1")
	require.NoError(t, err)
	assert.Equal(t, `'=HYPERLINK("http://evil","x")`, c.Name)
	assert.Equal(t, "'@SUM(A1)", c.Notes)
	assert.Equal(t, "'-2+3", c.Address)
	assert.Equal(t, []string{"+4920180900"}, c.Phones, "numbers keep their +")
	c, err = s.LookupCustomer(ctx, "C2")
	require.NoError(t, err)
	assert.Equal(t, "'+Max Mustermann", c.Name)
	assert.Equal(t, "plain note", c.Notes)
}
