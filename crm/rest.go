package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// TokenFunc returns the CRM bearer token (from the vault, package auth).
type TokenFunc func(ctx context.Context) (string, error)

// FieldMap maps a CRM's JSON onto contact fields with dotted paths (see
// config.CRMFields, which converts to it directly).
type FieldMap struct {
	Items             string
	Next              string
	CustomerID        string
	Name              []string
	Phones            []string
	Email             string
	BirthDate         string
	IBAN              string
	Card              string
	Address           string
	City              string
	Consent           string
	PaymentInProgress string
	Notes             string
	Custom            map[string]string
}

// RESTConfig configures the REST/JSON adapter.
type RESTConfig struct {
	// LookupURL contains {e164}; CustomerURL and WrapUpURL contain {id}.
	LookupURL, CustomerURL, WrapUpURL string
	// Token gives the bearer token; nil sends none.
	Token TokenFunc
	// Timeout bounds one Directory call including all its pages (DefaultTimeout if zero).
	Timeout time.Duration
	// MaxPages bounds the "next" links followed (5 if zero).
	MaxPages int
	Fields   FieldMap
	// Region reads national numbers the CRM returns.
	Region string
	// Client is the HTTP client; nil makes one with its own transport.
	Client *http.Client
	Logger *slog.Logger
}

// maxBody bounds one CRM response.
const maxBody = 8 << 20

// REST is a Directory backed by a company's CRM over HTTPS and JSON.
type REST struct {
	cfg    RESTConfig
	client *http.Client
	own    *http.Transport // set when we made the client: closed by Close
	log    *slog.Logger
	once   sync.Once
}

// NewREST checks cfg and makes the adapter. Plain http is refused except to
// a loopback address (tests, a local bridge): a CRM answer is personal data.
func NewREST(cfg RESTConfig) (*REST, error) {
	if !strings.Contains(cfg.LookupURL, "{e164}") {
		return nil, fmt.Errorf("crm rest: the lookup URL must contain {e164}")
	}
	for _, u := range []string{cfg.LookupURL, cfg.CustomerURL, cfg.WrapUpURL} {
		if u == "" {
			continue
		}
		if err := checkURL(u); err != nil {
			return nil, err
		}
	}
	if cfg.Fields.CustomerID == "" {
		return nil, fmt.Errorf("crm rest: the field mapping needs customer_id")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 5
	}
	r := &REST{cfg: cfg, client: cfg.Client, log: cfg.Logger}
	if r.client == nil {
		r.own = http.DefaultTransport.(*http.Transport).Clone()
		r.client = &http.Client{Transport: r.own}
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	r.log = r.log.With("component", "crm.rest")
	return r, nil
}

func checkURL(raw string) error {
	u, err := url.Parse(strings.NewReplacer("{e164}", "x", "{id}", "x").Replace(raw))
	if err != nil {
		return fmt.Errorf("crm rest: bad URL template: %w", err)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
			return nil
		}
		return fmt.Errorf("crm rest: %s: plain http is only allowed to localhost; use https", u.Host)
	}
	return fmt.Errorf("crm rest: URL scheme %q: want https", u.Scheme)
}

// Close drops idle connections of the adapter's own transport. Idempotent.
func (r *REST) Close() error {
	r.once.Do(func() {
		if r.own != nil {
			r.own.CloseIdleConnections()
		}
	})
	return nil
}

// expand fills a URL template, escaping the value for where it stands.
func expand(tmpl, key, val string) string {
	ph := "{" + key + "}"
	i := strings.Index(tmpl, ph)
	if i < 0 {
		return tmpl
	}
	esc := url.PathEscape(val)
	if q := strings.IndexByte(tmpl, '?'); q >= 0 && q < i {
		esc = url.QueryEscape(val) // "+49…" must not become a space
	}
	return tmpl[:i] + esc + expand(tmpl[i+len(ph):], key, val)
}

// do sends one request and decodes the JSON answer into doc (if not nil).
func (r *REST) do(ctx context.Context, method, u string, body []byte, doc *any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.cfg.Token != nil {
		tok, err := r.cfg.Token(ctx)
		if err != nil {
			return fmt.Errorf("%w (no token: %v)", ErrUnauthorized, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: no answer in time", ErrUnavailable)
		}
		// The error text holds the URL, and with it the number: keep it out.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w (HTTP %d)", ErrUnauthorized, resp.StatusCode)
	case resp.StatusCode == http.StatusNotFound:
		return ErrNotFound
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("%w: HTTP %d", ErrUnavailable, resp.StatusCode)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fmt.Errorf("%w: HTTP %d", ErrBadResponse, resp.StatusCode)
	}
	if doc == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		return nil
	}
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxBody))
	dec.UseNumber()
	if err := dec.Decode(doc); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: no answer in time", ErrUnavailable)
		}
		return fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	return nil
}

// LookupNumber implements Directory, following "next" links on the same
// origin only (the token must not go elsewhere).
func (r *REST) LookupNumber(ctx context.Context, e164 string) ([]Contact, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	first, err := url.Parse(expand(r.cfg.LookupURL, "e164", e164))
	if err != nil {
		return nil, fmt.Errorf("crm rest: %w", err)
	}
	var out []Contact
	seen := map[string]bool{}
	next := first
	for page := 0; next != nil; page++ {
		if page >= r.cfg.MaxPages {
			r.log.Warn("crm rest: more pages than max_pages, rest ignored", "max_pages", r.cfg.MaxPages)
			break
		}
		seen[next.String()] = true
		var doc any
		if err := r.do(ctx, http.MethodGet, next.String(), nil, &doc); err != nil {
			if errors.Is(err, ErrNotFound) {
				break // some CRMs answer 404 for "no match"
			}
			return nil, fmt.Errorf("crm lookup: %w", err)
		}
		items := []any{doc}
		if r.cfg.Fields.Items != "" {
			items = nil
			for _, v := range lookupPath(doc, r.cfg.Fields.Items) {
				if a, ok := v.([]any); ok {
					items = append(items, a...)
				} else if v != nil {
					items = append(items, v)
				}
			}
		}
		for _, it := range items {
			if c, ok := r.contact(it); ok {
				out = append(out, c)
			}
		}
		next = nil
		if ref := firstScalar(doc, r.cfg.Fields.Next); ref != "" {
			u, err := first.Parse(ref)
			if err != nil || u.Scheme != first.Scheme || u.Host != first.Host {
				return nil, fmt.Errorf("crm lookup: %w: next page link points elsewhere", ErrBadResponse)
			}
			if !seen[u.String()] {
				next = u
			}
		}
	}
	return out, nil
}

// LookupCustomer implements Directory.
func (r *REST) LookupCustomer(ctx context.Context, customerID string) (Contact, error) {
	if r.cfg.CustomerURL == "" {
		return Contact{}, fmt.Errorf("crm rest: %w: no customer URL configured", ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	var doc any
	if err := r.do(ctx, http.MethodGet, expand(r.cfg.CustomerURL, "id", customerID), nil, &doc); err != nil {
		return Contact{}, fmt.Errorf("crm customer: %w", err)
	}
	// A customer endpoint may answer with the contact or with a one-item list.
	items := []any{doc}
	if r.cfg.Fields.Items != "" {
		if vs := lookupPath(doc, r.cfg.Fields.Items); len(vs) > 0 {
			if a, ok := vs[0].([]any); ok {
				items = a
			}
		}
	}
	for _, it := range items {
		if c, ok := r.contact(it); ok && c.CustomerID == customerID {
			return c, nil
		}
	}
	return Contact{}, ErrNotFound
}

// WriteWrapUp implements Directory: POST of a JSON object to WrapUpURL.
func (r *REST) WriteWrapUp(ctx context.Context, w WrapUp) error {
	if r.cfg.WrapUpURL == "" {
		return fmt.Errorf("crm rest: %w: no wrap-up URL configured", ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	body, err := json.Marshal(map[string]string{
		"customer_id": w.CustomerID, "call_id": w.CallID, "agent": w.Agent,
		"code": w.Code, "notes": w.Notes, "at": w.At.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	if err := r.do(ctx, http.MethodPost, expand(r.cfg.WrapUpURL, "id", w.CustomerID), body, nil); err != nil {
		return fmt.Errorf("crm wrap-up: %w", err)
	}
	return nil
}

// contact maps one JSON item. Items without a customer id are skipped;
// numbers that cannot be normalised are dropped.
func (r *REST) contact(it any) (Contact, bool) {
	f := r.cfg.Fields
	c := Contact{CustomerID: firstScalar(it, f.CustomerID)}
	if c.CustomerID == "" {
		return Contact{}, false
	}
	var name []string
	for _, p := range f.Name {
		if s := firstScalar(it, p); s != "" {
			name = append(name, s)
		}
	}
	c.Name = strings.Join(name, " ")
	for _, p := range f.Phones {
		for _, s := range scalars(lookupPath(it, p)) {
			_ = addPhone(&c, s, r.cfg.Region)
		}
	}
	c.Email = firstScalar(it, f.Email)
	c.BirthDate = firstScalar(it, f.BirthDate)
	c.IBAN = firstScalar(it, f.IBAN)
	c.Card = firstScalar(it, f.Card)
	c.Address = firstScalar(it, f.Address)
	c.City = firstScalar(it, f.City)
	c.Notes = firstScalar(it, f.Notes)
	c.Consent, _ = ParseConsent(firstScalar(it, f.Consent))
	c.PaymentInProgress, _ = parseBool(firstScalar(it, f.PaymentInProgress))
	for label, p := range f.Custom {
		if s := firstScalar(it, p); s != "" {
			if c.Custom == nil {
				c.Custom = map[string]string{}
			}
			c.Custom[label] = s
		}
	}
	return c, true
}
