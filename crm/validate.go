package crm

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on imported values; longer ones are rejected, not truncated.
const (
	maxIDLen    = 128
	maxFieldLen = 1024
	maxNotesLen = 16 << 10
)

var (
	errTooLong = errors.New("is too long")
	errUTF8    = errors.New("is not valid UTF-8")
)

func checkText(s string, max int) error {
	if !utf8.ValidString(s) {
		return errUTF8
	}
	if len(s) > max {
		return errTooLong
	}
	return nil
}

// ValidLuhn reports whether a card number (spaces and dashes allowed)
// passes the Luhn check (ISO/IEC 7812-1) and has 12–19 digits.
func ValidLuhn(s string) bool {
	d, ok := compact(s)
	if !ok || !allDigits(d) || len(d) < 12 || len(d) > 19 {
		return false
	}
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// ValidIBAN reports whether s (spaces allowed) is an IBAN with a correct
// ISO 13616 mod-97 check.
func ValidIBAN(s string) bool {
	d, ok := compact(s)
	d = strings.ToUpper(d)
	if !ok || len(d) < 15 || len(d) > 34 || !isUpperASCII(d[0]) || !isUpperASCII(d[1]) || !allDigits(d[2:4]) {
		return false
	}
	r := d[4:] + d[:4]
	rem := 0
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// validDate accepts the birth-date spellings we store: ISO 8601 (with or
// without dashes), German dd.mm.yyyy, and vCard 4.0's year-less --mmdd.
func validDate(s string) bool {
	for _, layout := range []string{"2006-01-02", "20060102", "02.01.2006", "2.1.2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	if strings.HasPrefix(s, "--") {
		_, err := time.Parse("0102", strings.ReplaceAll(s[2:], "-", ""))
		return err == nil
	}
	return false
}

// validEmail is a plausibility check, not RFC 5322.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n<>") && strings.Contains(s[at+1:], ".")
}

// addPhone normalises raw and appends it to c.Phones unless already there.
func addPhone(c *Contact, raw, region string) error {
	e, err := Normalize(raw, region)
	if err != nil {
		return err
	}
	for _, p := range c.Phones {
		if p == e {
			return nil
		}
	}
	c.Phones = append(c.Phones, e)
	return nil
}

// validateContact checks the fields every importer shares. The reason
// names the field, never its value.
func validateContact(c *Contact) string {
	c.CustomerID = strings.TrimSpace(c.CustomerID)
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.CustomerID == "":
		return "customer id is missing"
	case checkText(c.CustomerID, maxIDLen) != nil:
		return "customer id " + checkText(c.CustomerID, maxIDLen).Error()
	case c.Name == "":
		return "name is missing"
	case len(c.Phones) == 0:
		return "no phone number"
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"name", c.Name, maxFieldLen}, {"email", c.Email, maxFieldLen}, {"birth date", c.BirthDate, maxFieldLen},
		{"iban", c.IBAN, maxFieldLen}, {"card", c.Card, maxFieldLen}, {"address", c.Address, maxFieldLen},
		{"city", c.City, maxFieldLen}, {"notes", c.Notes, maxNotesLen},
	} {
		if err := checkText(f.v, f.max); err != nil {
			return f.name + " " + err.Error()
		}
	}
	if c.Email != "" && !validEmail(c.Email) {
		return "email is not an e-mail address"
	}
	if c.BirthDate != "" && !validDate(c.BirthDate) {
		return "birth date is not a date (want YYYY-MM-DD or DD.MM.YYYY)"
	}
	if c.IBAN != "" && !ValidIBAN(c.IBAN) {
		return "iban is not a valid IBAN (check digits)"
	}
	if c.Card != "" && !ValidLuhn(c.Card) {
		return "card is not a valid card number (Luhn check)"
	}
	return ""
}
