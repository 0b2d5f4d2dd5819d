package crm

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// checkImported asserts what every importer guarantees for a good row.
func checkImported(t *testing.T, c Contact, bad []RowError) {
	t.Helper()
	if c.CustomerID == "" || c.Name == "" || len(c.Phones) == 0 {
		t.Fatalf("good row without id, name or phone: %+v", c)
	}
	for _, p := range c.Phones {
		if !strings.HasPrefix(p, "+") || !allDigits(p[1:]) {
			t.Fatalf("phone not E.164: %q", p)
		}
	}
	if !utf8.ValidString(c.Name) || !utf8.ValidString(c.Notes) {
		t.Fatal("invalid UTF-8 imported")
	}
}

func checkBad(t *testing.T, bad []RowError, input []byte) {
	t.Helper()
	lines := bytes.Count(input, []byte("\n")) + 1
	for _, b := range bad {
		if b.Line < 1 || b.Line > lines {
			t.Fatalf("bad row line %d outside 1..%d", b.Line, lines)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("customer_id,name,phone\nC1,Ann,0201 80900\n"))
	f.Add([]byte("customer_id,name,phone,iban,card,consent\nC1,Ann,0201 80900,DE89370400440532013000,4111111111111111,yes\n\"x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []Contact
		bad, err := ReadCSV(bytes.NewReader(data), "DE", func(c Contact) error { got = append(got, c); return nil })
		if err != nil {
			return
		}
		for _, c := range got {
			checkImported(t, c, bad)
			NewCard(c, DefaultPolicy()) // must not panic
		}
		checkBad(t, bad, data)
	})
}

func FuzzReadVCard(f *testing.F) {
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:1\r\nFN:A\r\nTEL:020180900\r\nEND:VCARD\r\n"))
	f.Add([]byte("BEGIN:VCARD\nVERSION:4.0\nUID:urn:uuid:1\nFN:A\n B\nitem1.TEL;VALUE=uri:tel:+49-201-80900\nADR:;;a\\;b;c\nEND:VCARD\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []Contact
		bad, err := ReadVCard(bytes.NewReader(data), "DE", func(c Contact) error { got = append(got, c); return nil })
		if err != nil {
			return
		}
		for _, c := range got {
			checkImported(t, c, bad)
		}
		checkBad(t, bad, data)
	})
}

// countDigits counts decimal digits of any script.
func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"4111 1111 1111 1111", "DE89370400440532013000", "ülrich@beispiel.de", "1984-03-07", "Hauptstr. 5, 45127 Essen", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d := countDigits(MaskCard(s)); d > 4 {
			t.Fatalf("card mask shows %d digits", d)
		}
		if m := MaskIBAN(s); m != Masked && countDigits(m) > 4 {
			t.Fatalf("IBAN mask shows %d digits: %q", countDigits(m), m)
		}
		if y := MaskBirthDate(s); y != Masked && (len(y) != 4 || !allDigits(y)) {
			t.Fatalf("birth date mask is not a year: %q", y)
		}
		if e := MaskEmail(s); e != Masked && !strings.Contains(e, "•••@") {
			t.Fatalf("email mask hides no local part: %q", e)
		}
		if p := MaskPhone(s); countDigits(p) > 3 {
			t.Fatalf("phone mask shows %d digits", countDigits(p))
		}
	})
}

// FuzzRESTMapping feeds CRM answers (network input) through the JSON field
// mapping of the REST adapter.
func FuzzRESTMapping(f *testing.F) {
	f.Add([]byte(`{"data":{"items":[{"attributes":{"customer_number":"K1","first_name":"A","phones":[{"number":"+49 201 80900"}],"gdpr":{"recording_consent":true}}}]},"links":{"next":"/p2"}}`))
	f.Add([]byte(`{"data":{"items":{"attributes":{"customer_number":12345678901234567890}}}}`))
	f.Add([]byte(`[1,"x",null,{"a":[[]]}]`))
	r, err := NewREST(RESTConfig{
		LookupURL: "https://crm.example/?p={e164}",
		Region:    "DE",
		Fields: FieldMap{
			Items: "data.items", Next: "links.next", CustomerID: "attributes.customer_number",
			Name: []string{"attributes.first_name", "attributes.last_name"}, Phones: []string{"attributes.phones.*.number", "*.*"},
			Consent: "attributes.gdpr.recording_consent", PaymentInProgress: "attributes.payment.in_progress",
			Custom: map[string]string{"x": "*.0.*"},
		},
	})
	if err != nil {
		f.Fatal(err)
	}
	defer r.Close()
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil {
			return
		}
		_ = firstScalar(doc, "links.next")
		for _, it := range lookupPath(doc, "data.items") {
			items := []any{it}
			if a, ok := it.([]any); ok {
				items = a
			}
			for _, item := range items {
				c, ok := r.contact(item)
				if !ok {
					continue
				}
				if c.CustomerID == "" {
					t.Fatal("contact without customer id")
				}
				for _, p := range c.Phones {
					if !strings.HasPrefix(p, "+") {
						t.Fatalf("phone not E.164: %q", p)
					}
				}
				NewCard(c, DefaultPolicy())
			}
		}
	})
}
