package instance

import (
	"errors"
	"testing"
)

// FuzzParseRequest feeds the primary's request parser (local network input).
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"op":"open","token":"ab","link":"tel:+1-201"}`,
		`{"v":1,"op":"ping"}`,
		`{"v":2,"op":"open"}`,
		`{"v":1,"op":"open","link":"sip:a@b\u0000"}`,
		`[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := parseRequest(line)
		if err != nil {
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("error not wrapped: %v", err)
			}
			return
		}
		if r.V != protocolVersion || (r.Op != opOpen && r.Op != opPing) {
			t.Fatalf("accepted %+v", r)
		}
		if checkLink(r.Link) != nil {
			t.Fatalf("accepted bad link %q", r.Link)
		}
	})
}

// FuzzParseEndpointFile feeds the Windows endpoint file parser.
func FuzzParseEndpointFile(f *testing.F) {
	f.Add([]byte("5060 " + "ab00ab00ab00ab00ab00ab00ab00ab00ab00ab00ab00ab00ab00ab00ab00ab00\n"))
	f.Add([]byte("0 x"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		port, token, err := parseEndpointFile(b)
		if err != nil {
			return
		}
		if port <= 0 || port > 65535 || len(token) != 64 {
			t.Fatalf("accepted port=%d token=%q", port, token)
		}
	})
}
