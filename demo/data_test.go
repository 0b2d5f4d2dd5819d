package demo

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Well-known test card numbers (Visa, Mastercard, Amex, Discover test ranges).
var testCards = map[string]bool{
	"4111 1111 1111 1111": true, "4012 8888 8888 1881": true, "5555 5555 5555 4444": true,
	"5105 1051 0510 5100": true, "3782 822463 10005": true, "6011 1111 1111 1117": true,
}

// Standard example IBANs (German and UK specimen numbers).
var exampleIBANs = map[string]bool{
	"DE89 3704 0044 0532 0130 00": true, "DE02 1203 0000 0000 2020 51": true, "GB82 WEST 1234 5698 7654 32": true,
}

func luhn(number string) bool {
	sum, double := 0, false
	digits := strings.ReplaceAll(number, " ", "")
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func TestContactsCSVIsSynthetic(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(ContactsCSV())).ReadAll()
	require.NoError(t, err)
	require.Equal(t, ContactsHeader, rows[0])
	require.Equal(t, []string{"customer_id", "name", "phone", "phone2", "email", "birth_date", "iban", "card",
		"address", "city", "consent", "payment_in_progress", "notes"}, rows[0], "the header is a contract with crm")
	rows = rows[1:]
	assert.GreaterOrEqual(t, len(rows), 20)

	col := map[string]int{}
	for i, h := range ContactsHeader {
		col[h] = i
	}
	consent := map[string]int{}
	paying := 0
	ids := map[string]bool{}
	for _, r := range rows {
		name := r[col["name"]]
		t.Run(r[col["customer_id"]], func(t *testing.T) {
			assert.True(t, strings.HasPrefix(r[col["customer_id"]], "DEMO-"))
			assert.True(t, strings.HasSuffix(name, "(Demo)"), name)
			assert.Regexp(t, `^\+49201809000\d\d$`, r[col["phone"]], "fictional demo range")
			if p2 := r[col["phone2"]]; p2 != "" {
				assert.Regexp(t, `^\+49201809001\d\d$`, p2)
			}
			assert.Regexp(t, `@example\.(com|org|net)$`, r[col["email"]], "reserved example domains only")
			assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, r[col["birth_date"]])
			assert.True(t, testCards[r[col["card"]]], "only well-known test cards: %s", r[col["card"]])
			assert.True(t, luhn(r[col["card"]]))
			assert.True(t, exampleIBANs[r[col["iban"]]], "only example IBANs: %s", r[col["iban"]])
			assert.Contains(t, []string{"yes", "no", "unknown"}, r[col["consent"]])
			assert.Contains(t, []string{"yes", "no"}, r[col["payment_in_progress"]])
			assert.Contains(t, r[col["notes"]], "Synthetic")
		})
		assert.False(t, ids[r[col["customer_id"]]], "duplicate id")
		ids[r[col["customer_id"]]] = true
		consent[r[col["consent"]]]++
		if r[col["payment_in_progress"]] == "yes" {
			paying++
		}
	}
	assert.GreaterOrEqual(t, consent["no"], 2, "customers who object to recording")
	assert.GreaterOrEqual(t, consent["unknown"], 1)
	assert.GreaterOrEqual(t, paying, 2, "customers paying by card (recording pause)")
}

func TestContactsCSVIsACopy(t *testing.T) {
	b := ContactsCSV()
	b[0] = 'X'
	assert.Equal(t, byte('c'), ContactsCSV()[0])
}

func TestParseCustomers(t *testing.T) {
	head := strings.Join(ContactsHeader, ",") + "\n"
	tests := []struct {
		name    string
		in      string
		want    []Customer
		wantErr bool
	}{
		{"embedded file", string(contactsCSV), nil, false},
		{"one row", head + "D1,Name (Demo),+4920180900001,,,,,,,,yes,no,\n",
			[]Customer{{ID: "D1", Name: "Name (Demo)", Number: "+4920180900001"}}, false},
		{"header only", head, nil, false},
		{"wrong header", "id,name\n", nil, true},
		{"missing column", head + "D1,Name,+4920180900001\n", nil, true},
		{"national number", head + "D1,Name,0201809000,,,,,,,,yes,no,\n", nil, true},
		{"empty name", head + "D1,,+4920180900001,,,,,,,,yes,no,\n", nil, true},
		{"empty", "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCustomers(strings.NewReader(tc.in))
			if tc.wantErr {
				require.ErrorIs(t, err, ErrBadContacts)
				return
			}
			require.NoError(t, err)
			if tc.want != nil || tc.name == "header only" {
				assert.Equal(t, tc.want, got)
			} else {
				assert.GreaterOrEqual(t, len(got), 20)
			}
		})
	}
}

func TestIsE164(t *testing.T) {
	for in, want := range map[string]bool{
		"+4920180900001": true, "+12025550123": true, "+49": true,
		"4920180900001": false, "+0201": false, "+49 201": false, "+": false, "+1234567890123456": false,
	} {
		assert.Equal(t, want, isE164(in), in)
	}
}

func TestCustomerLogValueMasks(t *testing.T) {
	v := Customer{ID: "DEMO-0001", Name: "Erika Mustermann (Demo)", Number: "+4920180900001"}.LogValue().String()
	assert.NotContains(t, v, "Erika")
	assert.NotContains(t, v, "+4920180900001")
	assert.Contains(t, v, "01")
	assert.Contains(t, v, "DEMO-0001")
}

func FuzzParseCustomers(f *testing.F) {
	f.Add(contactsCSV)
	f.Add([]byte(strings.Join(ContactsHeader, ",") + "\n\"a\"\"b\",x,+1,,,,,,,,,,\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := parseCustomers(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, c := range cs {
			if !isE164(c.Number) || c.ID == "" || c.Name == "" {
				t.Fatalf("accepted %+v", c)
			}
		}
	})
}
