package demo

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"softphone/internal/pki"
)

// Defaults of Config.
const (
	// DefaultDomain is the SIP domain of the demo PBX. It is a name in the
	// server certificate (which also holds 127.0.0.1), so host-name
	// verification works for either.
	DefaultDomain = "localhost"
	// AgentUser is the demo agent's user name.
	AgentUser = "1001"
	// DefaultAgentPassword is the demo agent's password. It protects nothing
	// (the PBX listens on 127.0.0.1 only, and lives as long as the process)
	// and is printed on the demo login screen.
	DefaultAgentPassword = "demo-1001"
	// EchoExtension answers with SRTP and sends your audio straight back (also "*43").
	EchoExtension = "echo"
	// MusicExtension answers with SRTP and plays a tone sequence (also "*97").
	MusicExtension = "music"
	// BusyExtension answers 486 Busy Here.
	BusyExtension = "busy"
	// RingExtension rings (180) until the caller cancels.
	RingExtension = "ring"

	defaultMaxCallers    = 2
	defaultCallerTimeout = 60 * time.Second
	defaultRingTimeout   = 45 * time.Second
	defaultNonceLifetime = 5 * time.Minute
	defaultMinExpires    = 30 * time.Second
	defaultMaxExpires    = time.Hour
	byeTimeout           = 2 * time.Second
)

// Config configures a demo PBX. The zero value (plus a Logger) is the demo.
type Config struct {
	// Logger receives the PBX's logs (component "demo-pbx"); nil discards them.
	Logger *slog.Logger
	// AgentPassword replaces DefaultAgentPassword.
	AgentPassword string
	// Users are further accounts that may register (e.g. a second phone in
	// tests); calls between registered users are bridged.
	Users []Credentials
	// MaxCallers limits simultaneous CallAgent calls (default 2).
	MaxCallers int
	// CallerTimeout ends a scripted customer call (default 60 s).
	CallerTimeout time.Duration
	// RingTimeout gives up a scripted call the agent does not answer (default 45 s).
	RingTimeout time.Duration
	// NonceLifetime is how long a digest nonce is accepted (default 5 min).
	NonceLifetime time.Duration
	// MinExpires and MaxExpires bound registration lifetimes (default 30 s, 1 h).
	MinExpires, MaxExpires time.Duration
	// TraceSIP passes sipgo's own logs to Logger. They contain whole SIP
	// messages, hence personal data and the SDES keys of the calls: for
	// debugging the demo only. Off by default.
	TraceSIP bool
}

// Credentials are a user name and password of a demo account.
type Credentials struct {
	User     string
	Password string
}

// PBX is a running demo PBX. All methods are safe for concurrent use.
type PBX struct {
	log       *slog.Logger
	cfg       Config
	domain    string
	agent     Credentials
	ca        *pki.CA
	customers []Customer
	auth      *digestAuth

	ua       *sipgo.UserAgent
	srv      *sipgo.Server
	client   *sipgo.Client
	dialogUA *sipgo.DialogUA
	ln       net.Listener
	addr     string

	ctx    context.Context // ends at Close; parent of every call
	cancel context.CancelFunc
	calls  sync.WaitGroup // call goroutines
	serve  sync.WaitGroup // the listener goroutine

	mu       sync.Mutex
	bindings map[string]*binding // user → registration; guarded by mu
	active   map[string]*call    // Call-ID → call; guarded by mu
	callers  int                 // running CallAgent calls; guarded by mu
	closed   bool                // guarded by mu

	next atomic.Uint32 // CallAgentNext's turn

	closeOnce sync.Once
	closeErr  error
}

// Start makes a CA and server certificate, listens on 127.0.0.1 (random
// port) with TLS 1.2+, and serves until Close or ctx ends.
func Start(ctx context.Context, cfg Config) (*PBX, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.AgentPassword == "" {
		cfg.AgentPassword = DefaultAgentPassword
	}
	if cfg.MaxCallers <= 0 {
		cfg.MaxCallers = defaultMaxCallers
	}
	if cfg.CallerTimeout <= 0 {
		cfg.CallerTimeout = defaultCallerTimeout
	}
	if cfg.RingTimeout <= 0 {
		cfg.RingTimeout = defaultRingTimeout
	}
	if cfg.NonceLifetime <= 0 {
		cfg.NonceLifetime = defaultNonceLifetime
	}
	if cfg.MinExpires <= 0 {
		cfg.MinExpires = defaultMinExpires
	}
	if cfg.MaxExpires < cfg.MinExpires {
		cfg.MaxExpires = max(defaultMaxExpires, cfg.MinExpires)
	}
	log := cfg.Logger.With("component", "demo-pbx")

	customers, err := parseCustomers(bytes.NewReader(contactsCSV))
	if err != nil {
		return nil, err
	}
	users := map[string]string{AgentUser: cfg.AgentPassword}
	for _, u := range cfg.Users {
		if u.User == "" || u.Password == "" || u.User == AgentUser || isExtension(u.User) {
			return nil, fmt.Errorf("demo: invalid extra user %q", u.User)
		}
		users[u.User] = u.Password
	}

	ca, err := pki.NewCA("softphone demo CA")
	if err != nil {
		return nil, fmt.Errorf("demo CA: %w", err)
	}
	leaf, err := ca.Issue(DefaultDomain, "127.0.0.1")
	if err != nil {
		return nil, fmt.Errorf("demo certificate: %w", err)
	}
	tlsConf := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{leaf.TLS},
	}
	ln, err := tls.Listen("tcp4", "127.0.0.1:0", tlsConf)
	if err != nil {
		return nil, fmt.Errorf("demo listen: %w", err)
	}

	sipLog := slog.New(slog.DiscardHandler)
	if cfg.TraceSIP {
		sipLog = log.With("layer", "sipgo")
	}
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent("softphone-demo-pbx"),
		sipgo.WithUserAgentHostname(DefaultDomain),
		// Outgoing requests only ever reuse an agent's flow; a client TLS
		// config that trusts nothing but our CA keeps any other dial honest.
		sipgo.WithUserAgenTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12, RootCAs: ca.Pool()}),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(sipLog)),
	)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("demo user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog))
	if err != nil {
		ua.Close()
		ln.Close()
		return nil, fmt.Errorf("demo server: %w", err)
	}
	tcpAddr := ln.Addr().(*net.TCPAddr)
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(sipLog), sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientPort(tcpAddr.Port))
	if err != nil {
		ua.Close()
		ln.Close()
		return nil, fmt.Errorf("demo client: %w", err)
	}

	p := &PBX{
		log:       log,
		cfg:       cfg,
		domain:    DefaultDomain,
		agent:     Credentials{User: AgentUser, Password: cfg.AgentPassword},
		ca:        ca,
		customers: customers,
		auth:      newDigestAuth(DefaultDomain, cfg.NonceLifetime, users),
		ua:        ua,
		srv:       srv,
		client:    client,
		ln:        ln,
		addr:      tcpAddr.String(),
		bindings:  map[string]*binding{},
		active:    map[string]*call{},
	}
	uriParams := sip.NewParams()
	uriParams.Add("transport", "tls")
	p.dialogUA = &sipgo.DialogUA{
		Client: client,
		ContactHDR: sip.ContactHeader{Address: sip.Uri{
			Scheme: "sip", User: "pbx", Host: "127.0.0.1", Port: tcpAddr.Port, UriParams: uriParams,
		}},
		// In-dialog requests go back over the flow the dialog came on: the
		// agent listens on no port of its own.
		RewriteContact: true,
	}
	p.ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	p.routes()

	p.serve.Go(func() {
		if err := srv.ServeTLS(ln); !errors.Is(err, net.ErrClosed) { // it never returns nil
			log.Warn("listener stopped", "error", err)
		}
	})
	stop := context.AfterFunc(ctx, func() { p.Close() })
	p.serve.Go(func() {
		<-p.ctx.Done()
		stop()
	})
	log.Info("demo PBX listening", "addr", p.addr, "domain", p.domain)
	return p, nil
}

// Addr is the "127.0.0.1:port" the PBX listens on (TLS).
func (p *PBX) Addr() string { return p.addr }

// Domain is the SIP domain and the TLS server name ("localhost").
func (p *PBX) Domain() string { return p.domain }

// CAPEM is the PEM of the CA that signed the PBX's certificate.
func (p *PBX) CAPEM() []byte { return append([]byte(nil), p.ca.CertPEM...) }

// CAPool is a pool trusting only the PBX's CA.
func (p *PBX) CAPool() *x509.CertPool { return p.ca.Pool() }

// Agent returns the demo agent's credentials.
func (p *PBX) Agent() Credentials { return p.agent }

// EchoURI is the SIP URI of the echo extension ("sip:echo@localhost").
func (p *PBX) EchoURI() string { return p.ExtensionURI(EchoExtension) }

// ExtensionURI is the SIP URI of any extension or user at the PBX's domain.
func (p *PBX) ExtensionURI(ext string) string { return "sip:" + ext + "@" + p.domain }

// Customers returns the synthetic demo customers who can call the agent.
func (p *PBX) Customers() []Customer { return append([]Customer(nil), p.customers...) }

// Registered reports whether user currently has a registration.
func (p *PBX) Registered(user string) bool {
	_, ok := p.lookup(user)
	return ok
}

// Close ends every call (BYE), stops listening and closes all connections.
// It is idempotent.
func (p *PBX) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.cancel()
		p.calls.Wait() // every call sends its BYE while the transport still works
		err := p.ln.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		// Closing the phones' connections can fail (a peer that already
		// reset it): nothing a caller could act on.
		if uerr := p.ua.Close(); uerr != nil {
			p.log.Debug("closing connections", "error", uerr)
		}
		p.serve.Wait()
		p.closeErr = err
		p.log.Info("demo PBX stopped")
	})
	return p.closeErr
}

// routes installs the request handlers.
func (p *PBX) routes() {
	p.srv.OnRegister(p.guard(p.handleRegister))
	p.srv.OnInvite(p.guard(p.handleInvite))
	p.srv.OnAck(p.guard(p.handleAck))
	p.srv.OnBye(p.guard(p.handleBye))
	p.srv.OnCancel(p.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		// A CANCEL matching a pending INVITE is handled by the transaction
		// layer; one that reaches us matches nothing (RFC 3261 §9.2).
		respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
	}))
	p.srv.OnOptions(p.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
		res.AppendHeader(sip.NewHeader("Allow", allowed))
		_ = tx.Respond(res)
	}))
	p.srv.OnRefer(p.guard(p.handleRefer))
	p.srv.OnInfo(p.guard(p.handleInDialog))
	p.srv.OnNotify(p.guard(p.handleInDialog))
	p.srv.OnNoRoute(p.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil)
		res.AppendHeader(sip.NewHeader("Allow", allowed))
		_ = tx.Respond(res)
	}))
}

const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, REFER, INFO, NOTIFY"

// guard rejects requests missing the headers every handler relies on with
// 400, and turns a panic in a handler into 500 instead of a crashed process.
func (p *PBX) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		defer func() {
			if r := recover(); r != nil {
				p.log.Error("handler panic", "method", req.Method.String(), "panic", fmt.Sprint(r))
				respond(tx, req, sip.StatusInternalServerError, "Server Internal Error")
			}
		}()
		if req.From() == nil || req.To() == nil || req.CallID() == nil || req.CSeq() == nil || req.Via() == nil ||
			req.CSeq().MethodName != req.Method {
			respond(tx, req, sip.StatusBadRequest, "Bad Request")
			return
		}
		if p.ctx.Err() != nil {
			respond(tx, req, sip.StatusServiceUnavailable, "Service Unavailable")
			return
		}
		h(req, tx)
	}
}

// respond sends a final response without a body; ACK has no response.
func respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string, hdrs ...sip.Header) {
	if req.IsAck() || tx == nil {
		return
	}
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	_ = tx.Respond(res)
}

// expiresOf reads the requested lifetime of the first contact.
func expiresOf(req *sip.Request, c *sip.ContactHeader) (time.Duration, bool) {
	if c != nil {
		if v, ok := c.Params.Get("expires"); ok {
			n, err := strconv.ParseUint(v, 10, 32)
			return time.Duration(n) * time.Second, err == nil
		}
	}
	if h := req.GetHeader("Expires"); h != nil {
		n, err := strconv.ParseUint(h.Value(), 10, 32)
		return time.Duration(n) * time.Second, err == nil
	}
	return -1, true
}
