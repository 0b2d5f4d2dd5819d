package crm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

const testToken = "tok-123"

// fakeCRM is an httptest server that answers like a typical CRM API:
// nested JSON, paging with a "next" link, bearer auth.
type fakeCRM struct {
	srv      *httptest.Server
	requests atomic.Int32
	posted   chan map[string]string
	mode     atomic.Value // "", "500", "slow", "evil-next", "garbage"
}

func contactJSON(id int, cust, first, last string, phones ...string) map[string]any {
	ph := []any{}
	for _, p := range phones {
		ph = append(ph, map[string]any{"type": "work", "number": p})
	}
	return map[string]any{
		"id":   id,
		"type": "contact",
		"attributes": map[string]any{
			"customer_number": cust,
			"first_name":      first,
			"last_name":       last,
			"phones":          ph,
			"email":           strings.ToLower(first) + "@example.com",
			"birthday":        "1984-03-07",
			"bank":            map[string]any{"iban": "DE89 3704 0044 0532 0130 00"},
			"address":         map[string]any{"street": "Hauptstr. 5", "postal_code": "45127", "city": "Essen"},
			"gdpr":            map[string]any{"recording_consent": "granted"},
			"payment":         map[string]any{"in_progress": true},
			"tier":            "gold",
		},
	}
}

func newFakeCRM(t *testing.T) *fakeCRM {
	f := &fakeCRM{posted: make(chan map[string]string, 4)}
	f.mode.Store("")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/contacts", func(w http.ResponseWriter, r *http.Request) {
		if !f.check(w, r) {
			return
		}
		phone := r.URL.Query().Get("phone")
		if phone != "+4920180900" {
			json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"items": []any{}}, "links": map[string]any{"next": nil}})
			return
		}
		switch r.URL.Query().Get("page") {
		case "":
			next := "/api/contacts?phone=%2B4920180900&page=2"
			if f.mode.Load() == "evil-next" {
				next = "https://evil.example/steal"
			}
			json.NewEncoder(w).Encode(map[string]any{
				"data":  map[string]any{"items": []any{contactJSON(1, "K-1001", "Jürgen", "Groß", "+49 201 80900", "0170 1234567")}},
				"links": map[string]any{"next": next},
				"meta":  map[string]any{"total": 2},
			})
		case "2":
			json.NewEncoder(w).Encode(map[string]any{
				"data":  map[string]any{"items": []any{contactJSON(2, "K-1002", "Zoë", "Ångström", "0201 80900"), map[string]any{"id": 3, "attributes": map[string]any{}}}},
				"links": map[string]any{"next": nil},
			})
		}
	})
	mux.HandleFunc("GET /api/contacts/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !f.check(w, r) {
			return
		}
		if r.PathValue("id") != "K-1001" {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"items": []any{contactJSON(1, "K-1001", "Jürgen", "Groß", "+49 201 80900")}}})
	})
	mux.HandleFunc("POST /api/contacts/{id}/notes", func(w http.ResponseWriter, r *http.Request) {
		if !f.check(w, r) {
			return
		}
		var m map[string]string
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		m["path_id"] = r.PathValue("id")
		f.posted <- m
		w.WriteHeader(http.StatusCreated)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// check applies auth and the failure modes; false means it answered.
func (f *fakeCRM) check(w http.ResponseWriter, r *http.Request) bool {
	f.requests.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errors":[{"status":"401","title":"invalid token"}]}`)
		return false
	}
	switch f.mode.Load() {
	case "500":
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"errors":[{"status":"500"}]}`)
		return false
	case "slow":
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return false
	case "garbage":
		io.WriteString(w, `<html>maintenance</html>`)
		return false
	}
	return true
}

func restConfig(f *fakeCRM, token string) RESTConfig {
	return RESTConfig{
		LookupURL:   f.srv.URL + "/api/contacts?phone={e164}",
		CustomerURL: f.srv.URL + "/api/contacts/{id}",
		WrapUpURL:   f.srv.URL + "/api/contacts/{id}/notes",
		Token:       func(context.Context) (string, error) { return token, nil },
		Timeout:     300 * time.Millisecond,
		Region:      "DE",
		Fields: FieldMap{
			Items:             "data.items",
			Next:              "links.next",
			CustomerID:        "attributes.customer_number",
			Name:              []string{"attributes.first_name", "attributes.last_name"},
			Phones:            []string{"attributes.phones.*.number"},
			Email:             "attributes.email",
			BirthDate:         "attributes.birthday",
			IBAN:              "attributes.bank.iban",
			Address:           "attributes.address.street",
			City:              "attributes.address.city",
			Consent:           "attributes.gdpr.recording_consent",
			PaymentInProgress: "attributes.payment.in_progress",
			Custom:            map[string]string{"Tier": "attributes.tier"},
		},
	}
}

func newREST(t *testing.T, cfg RESTConfig) *REST {
	t.Helper()
	r, err := NewREST(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRESTLookupPagingAndMapping(t *testing.T) {
	f := newFakeCRM(t)
	r := newREST(t, restConfig(f, testToken))
	got, err := r.LookupNumber(context.Background(), "+4920180900")
	require.NoError(t, err)
	require.Len(t, got, 2, "both pages; the item without customer id is skipped")
	assert.Equal(t, 2, int(f.requests.Load()))

	c := got[0]
	assert.Equal(t, "K-1001", c.CustomerID)
	assert.Equal(t, "Jürgen Groß", c.Name)
	assert.Equal(t, []string{"+4920180900", "+491701234567"}, c.Phones, "nested array, national number normalised")
	assert.Equal(t, "jürgen@example.com", c.Email)
	assert.Equal(t, "DE89 3704 0044 0532 0130 00", c.IBAN)
	assert.Equal(t, "Essen", c.City)
	assert.Equal(t, ConsentGiven, c.Consent)
	assert.True(t, c.PaymentInProgress)
	assert.Equal(t, map[string]string{"Tier": "gold"}, c.Custom)
	assert.Equal(t, "Zoë Ångström", got[1].Name)

	none, err := r.LookupNumber(context.Background(), "+4930000000")
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestRESTErrors(t *testing.T) {
	tests := []struct {
		name    string
		mode    string
		token   string
		want    error
		inText  string
		maxTime time.Duration
	}{
		{name: "401 wrong token", token: "expired", want: ErrUnauthorized, inText: "renew the CRM token"},
		{name: "500", mode: "500", token: testToken, want: ErrUnavailable, inText: "HTTP 500"},
		{name: "slow response times out", mode: "slow", token: testToken, want: ErrUnavailable, inText: "no answer", maxTime: time.Second},
		{name: "not JSON", mode: "garbage", token: testToken, want: ErrBadResponse},
		{name: "next link to another host", mode: "evil-next", token: testToken, want: ErrBadResponse, inText: "points elsewhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCRM(t)
			f.mode.Store(tt.mode)
			r := newREST(t, restConfig(f, tt.token))
			t0 := time.Now()
			_, err := r.LookupNumber(context.Background(), "+4920180900")
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.inText)
			assert.NotContains(t, err.Error(), "80900", "no number in error text")
			assert.NotContains(t, err.Error(), tt.token, "no token in error text")
			if tt.maxTime > 0 {
				assert.Less(t, time.Since(t0), tt.maxTime)
			}
		})
	}
}

func TestRESTTokenError(t *testing.T) {
	f := newFakeCRM(t)
	cfg := restConfig(f, "")
	cfg.Token = func(context.Context) (string, error) { return "", errors.New("vault locked") }
	r := newREST(t, cfg)
	_, err := r.LookupNumber(context.Background(), "+4920180900")
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, int32(0), f.requests.Load(), "no request without a token")
}

func TestRESTCustomerAndWrapUp(t *testing.T) {
	f := newFakeCRM(t)
	r := newREST(t, restConfig(f, testToken))
	ctx := context.Background()
	c, err := r.LookupCustomer(ctx, "K-1001")
	require.NoError(t, err)
	assert.Equal(t, "Jürgen Groß", c.Name)
	_, err = r.LookupCustomer(ctx, "K-9999")
	assert.ErrorIs(t, err, ErrNotFound)

	at := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	require.NoError(t, r.WriteWrapUp(ctx, WrapUp{CustomerID: "K-1001", CallID: "c1", Agent: "a7", Code: "SALE", Notes: "Grüße", At: at}))
	m := <-f.posted
	assert.Equal(t, map[string]string{"customer_id": "K-1001", "call_id": "c1", "agent": "a7", "code": "SALE",
		"notes": "Grüße", "at": "2026-11-23T14:00:00Z", "path_id": "K-1001"}, m)
}

func TestNewRESTRefusesPlainHTTP(t *testing.T) {
	base := RESTConfig{Fields: FieldMap{CustomerID: "id"}}
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://crm.example/api?phone={e164}", true},
		{"http://127.0.0.1:8080/api?phone={e164}", true},
		{"http://localhost/api?phone={e164}", true},
		{"http://crm.example/api?phone={e164}", false},
		{"ftp://crm.example/{e164}", false},
		{"https://crm.example/api", false},
	} {
		cfg := base
		cfg.LookupURL = tt.url
		r, err := NewREST(cfg)
		if tt.ok {
			assert.NoError(t, err, tt.url)
			r.Close()
		} else {
			assert.Error(t, err, tt.url)
		}
	}
	_, err := NewREST(RESTConfig{LookupURL: "https://crm.example/{e164}"})
	assert.Error(t, err, "customer_id mapping is required")
}

func TestExpandEscapes(t *testing.T) {
	assert.Equal(t, "https://x/c?phone=%2B4920180900", expand("https://x/c?phone={e164}", "e164", "+4920180900"))
	assert.Equal(t, "https://x/c/a%2Fb/notes", expand("https://x/c/{id}/notes", "id", "a/b"))
	assert.Equal(t, "https://x/c/1?again=1", expand("https://x/c/{id}?again={id}", "id", "1"))
}

func TestLookupPath(t *testing.T) {
	var doc any
	require.NoError(t, json.Unmarshal([]byte(`{"data":{"items":[{"a":{"b":"x"}},{"a":{"b":"y"}}],"n":5,"t":true,"z":null}}`), &doc))
	assert.Equal(t, []string{"x", "y"}, scalars(lookupPath(doc, "data.items.*.a.b")))
	assert.Equal(t, "y", firstScalar(doc, "data.items.1.a.b"))
	assert.Equal(t, "", firstScalar(doc, "data.items.7.a.b"))
	assert.Equal(t, "5", firstScalar(doc, "data.n"))
	assert.Equal(t, "true", firstScalar(doc, "data.t"))
	assert.Equal(t, "", firstScalar(doc, "data.z"))
	assert.Equal(t, "", firstScalar(doc, "data.missing.deep"))
}

func TestRESTNoGoroutineLeak(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := newFakeCRM(t)
	r, err := NewREST(restConfig(f, testToken))
	require.NoError(t, err)
	_, err = r.LookupNumber(context.Background(), "+4920180900")
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, r.Close())
	f.srv.Close()
}
