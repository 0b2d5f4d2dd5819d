package crm

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxVCardLine bounds one physical line of a vCard file.
const maxVCardLine = 1 << 20

// ReadVCard reads vCard 3.0 and 4.0 contacts (RFC 2426, RFC 6350): FN (or
// N), TEL (several), EMAIL, BDAY, ADR, UID (the customer id) and NOTE;
// other properties are ignored. Each good card is passed to fn; bad cards
// are collected with the line of their BEGIN:VCARD and skipped. The error
// is for what stops the whole file (a failing fn, a read error).
func ReadVCard(r io.Reader, region string, fn func(Contact) error) ([]RowError, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxVCardLine)
	v := &vcardReader{region: region, fn: fn}
	lineNo := 0
	for sc.Scan() {
		lineNo++
		l := strings.TrimSuffix(sc.Text(), "\r")
		if lineNo == 1 {
			l = strings.TrimPrefix(l, "\ufeff")
		}
		// RFC 6350 3.2: a line starting with a space or tab continues the previous one.
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') && v.logLine != 0 {
			if v.logical.Len()+len(l) > maxVCardLine {
				return v.bad, fmt.Errorf("vcard line %d: folded line too long", v.logLine)
			}
			v.logical.WriteString(l[1:])
			continue
		}
		if err := v.flush(); err != nil {
			return v.bad, err
		}
		v.logical.WriteString(l)
		v.logLine = lineNo
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return v.bad, fmt.Errorf("vcard line %d: line too long", lineNo+1)
		}
		return v.bad, fmt.Errorf("vcard: %w", err)
	}
	if err := v.flush(); err != nil {
		return v.bad, err
	}
	if v.in {
		v.bad = append(v.bad, RowError{Line: v.start, Reason: "vCard has no END:VCARD"})
	}
	return v.bad, nil
}

// vcardReader is ReadVCard's state between lines.
type vcardReader struct {
	region  string
	fn      func(Contact) error
	bad     []RowError
	in      bool // inside BEGIN…END
	start   int  // line of BEGIN:VCARD
	props   []vprop
	logical strings.Builder // the logical (unfolded) line being read
	logLine int             // its first physical line; 0 when none
}

func (v *vcardReader) addBad(line int, reason string) error {
	v.bad = append(v.bad, RowError{Line: line, Reason: reason})
	if len(v.bad) >= maxBadRows {
		return fmt.Errorf("vcard: more than %d bad cards, stopped", maxBadRows)
	}
	return nil
}

// flush handles one complete logical (unfolded) line.
func (v *vcardReader) flush() error {
	if v.logLine == 0 {
		return nil
	}
	text, at := v.logical.String(), v.logLine
	v.logical.Reset()
	v.logLine = 0
	if strings.TrimSpace(text) == "" {
		return nil
	}
	p, ok := parseVProp(text)
	switch {
	case !ok:
		if v.in {
			// A broken line spoils the card: keep reading to its END.
			v.props = append(v.props, vprop{name: "\x00BAD", line: at})
			return nil
		}
		return v.addBad(at, "not a vCard line")
	case p.name == "BEGIN" && strings.EqualFold(p.value, "VCARD"):
		if v.in {
			if err := v.addBad(v.start, "vCard has no END:VCARD"); err != nil {
				return err
			}
		}
		v.in, v.start, v.props = true, at, v.props[:0]
	case p.name == "END" && strings.EqualFold(p.value, "VCARD"):
		if !v.in {
			return v.addBad(at, "END:VCARD without BEGIN:VCARD")
		}
		v.in = false
		c, reason := vcardContact(v.props, v.region)
		if reason != "" {
			return v.addBad(v.start, reason)
		}
		return v.fn(c)
	case !v.in:
		return v.addBad(at, "line outside a vCard")
	default:
		p.line = at
		v.props = append(v.props, p)
	}
	return nil
}

// vprop is one content line: [group.]name[;params]:value.
type vprop struct {
	name   string            // upper case, group removed
	params map[string]string // upper-case keys, values as written
	value  string            // raw (still escaped)
	line   int
}

func parseVProp(s string) (vprop, bool) {
	// The name and parameters end at the first ':' outside a quoted parameter value.
	quoted := false
	colon := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			quoted = !quoted
		} else if s[i] == ':' && !quoted {
			colon = i
			break
		}
	}
	if colon <= 0 {
		return vprop{}, false
	}
	parts := strings.Split(s[:colon], ";")
	name := strings.ToUpper(strings.TrimSpace(parts[0]))
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		return vprop{}, false
	}
	p := vprop{name: name, value: s[colon+1:], params: map[string]string{}}
	for _, kv := range parts[1:] {
		k, v, _ := strings.Cut(kv, "=")
		p.params[strings.ToUpper(strings.TrimSpace(k))] = strings.Trim(v, `"`)
	}
	return p, true
}

// unescapeV undoes RFC 6350 3.4 text escaping.
func unescapeV(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitV splits a structured value at unescaped ';'.
func splitV(s string) []string {
	var out []string
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == ';' {
			out = append(out, unescapeV(s[last:i]))
			last = i + 1
		}
	}
	return append(out, unescapeV(s[last:]))
}

// vcardContact builds a contact from one card's properties.
func vcardContact(props []vprop, region string) (Contact, string) {
	var c Contact
	var version, n string
	for _, p := range props {
		if p.name == "\x00BAD" {
			return Contact{}, fmt.Sprintf("line %d is not a vCard line", p.line)
		}
		if enc := strings.ToUpper(p.params["ENCODING"]); enc != "" && enc != "8BIT" && enc != "B" && enc != "BASE64" {
			return Contact{}, "encoding " + enc + " is not supported (vCard 2.1?)"
		}
		switch p.name {
		case "VERSION":
			version = strings.TrimSpace(p.value)
		case "FN":
			if c.Name == "" {
				c.Name = unescapeV(p.value)
			}
		case "N":
			f := splitV(p.value) // family;given;additional;prefix;suffix
			if len(f) >= 2 {
				n = strings.TrimSpace(f[1] + " " + f[0])
			} else {
				n = strings.TrimSpace(f[0])
			}
		case "TEL":
			v := strings.TrimSpace(unescapeV(p.value))
			if v == "" {
				continue
			}
			if err := addPhone(&c, v, region); err != nil {
				return Contact{}, fmt.Sprintf("TEL on line %d is not a valid phone number", p.line)
			}
		case "EMAIL":
			if c.Email == "" {
				c.Email = strings.TrimSpace(unescapeV(p.value))
			}
		case "BDAY":
			c.BirthDate = strings.TrimSpace(unescapeV(p.value))
			if len(c.BirthDate) == 8 && allDigits(c.BirthDate) {
				c.BirthDate = c.BirthDate[:4] + "-" + c.BirthDate[4:6] + "-" + c.BirthDate[6:]
			}
		case "ADR":
			if c.Address == "" && c.City == "" {
				f := splitV(p.value) // pobox;ext;street;locality;region;code;country
				for len(f) < 7 {
					f = append(f, "")
				}
				c.Address = strings.TrimSpace(strings.Join(nonEmpty(f[0], f[1], f[2]), " "))
				c.City = strings.TrimSpace(f[3])
			}
		case "UID":
			v := strings.TrimSpace(unescapeV(p.value))
			v = strings.TrimPrefix(strings.TrimPrefix(v, "urn:uuid:"), "URN:UUID:")
			c.CustomerID = v
		case "NOTE":
			c.Notes = unescapeV(p.value)
		}
	}
	switch version {
	case "3.0", "4.0":
	case "":
		return Contact{}, "VERSION is missing"
	default:
		return Contact{}, "vCard version " + version + " is not supported (want 3.0 or 4.0)"
	}
	if strings.TrimSpace(c.Name) == "" {
		c.Name = n
	}
	if strings.TrimSpace(c.CustomerID) == "" {
		return Contact{}, "UID is missing (it is the customer id)"
	}
	if reason := validateContact(&c); reason != "" {
		return Contact{}, reason
	}
	return c, ""
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
