package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// UA is a SIP user agent: one registration and the calls made or received
// through it. Create it with New, call Register, then Dial or wait for
// OnInvite callbacks. All methods are safe for concurrent use.
type UA struct {
	cfg       Config
	log       *slog.Logger
	transport string // "TLS", "TCP" or "UDP" as sipgo spells it

	sua    *sipgo.UserAgent
	client *sipgo.Client
	server *sipgo.Server

	// ctx ends when Close starts; background goroutines watch it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // registration loop and incoming-call handlers

	// tlsName is the name the server certificate must carry (string):
	// the name of the target being dialled.
	tlsName atomic.Value
	// flowRx is when data last arrived on the registered flow (UnixNano),
	// written by sipgo's read filter; flowKey is that flow's remote
	// address (string) for the filter to compare.
	flowRx  atomic.Int64
	flowKey atomic.Value
	pongs   atomic.Uint64 // CRLF pongs seen on the registered flow
	// kick tells the registration loop that Reconnect registered anew
	// (the value is the granted lifetime).
	kick chan time.Duration

	closeOnce sync.Once
	closeErr  error

	// regMu serialises REGISTER transactions (first, refresh, un-REGISTER).
	regMu sync.Mutex
	// Written under regMu, read under mu.
	regCallID  string
	regFromTag string
	regCSeq    uint32

	mu sync.Mutex
	// Fields below are guarded by mu.
	state      State
	lastErr    error
	contact    *sip.ContactHeader // our current Contact (local address of the flow); nil before Register
	flowRemote string             // resolved ip:port of the flow, key of sipgo's connection pool
	target     target             // where we register now (and send every request)
	targetIdx  int                // its place in the last target list (0: the preferred one)
	granted    time.Duration      // lifetime the registrar granted
	registered bool               // a binding exists on the registrar
	loopOn     bool
	onReg      func(State, error)
	onInvite   func(*Incoming)
	onMessage  func(Message) int
	subs       map[string]*Subscription // by Call-ID
	dialogs    map[string]*Dialog       // by sipgo dialog ID
	closing    bool
}

// New checks cfg and prepares a UA. It does not touch the network;
// Register does.
func New(cfg Config) (*UA, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	u := &UA{
		cfg:       cfg,
		log:       cfg.Logger.With("component", "sip"),
		transport: strings.ToUpper(cfg.Transport),
		dialogs:   make(map[string]*Dialog),
		kick:      make(chan time.Duration, 1),
	}
	if len(cfg.Servers) > 0 {
		u.target = target{addr: cfg.Servers[0], tlsFor: cfg.serverHost()}
	}
	u.flowKey.Store("")
	sipgoLog := cfg.Logger.With("component", "sip", "layer", "sipgo")
	opts := []sipgo.UserAgentOption{
		sipgo.WithUserAgent(cfg.UserAgent),
		sipgo.WithUserAgentHostname(cfg.Domain),
		sipgo.WithUserAgentTransportLayerOptions(
			sip.WithTransportLayerLogger(sipgoLog),
			sip.WithTransportLayerReadFilter(u.readFilter),
		),
	}
	if u.transport == "TLS" {
		opts = append(opts, sipgo.WithUserAgenTLSConfig(u.tlsConfig()))
	}
	u.sua, err = sipgo.NewUA(opts...)
	if err != nil {
		return nil, fmt.Errorf("sip user agent: %w", err)
	}
	u.client, err = sipgo.NewClient(u.sua, sipgo.WithClientLogger(sipgoLog))
	if err != nil {
		_ = u.sua.Close()
		return nil, fmt.Errorf("sip client: %w", err)
	}
	u.server, err = sipgo.NewServer(u.sua, sipgo.WithServerLogger(sipgoLog))
	if err != nil {
		_ = u.sua.Close()
		return nil, fmt.Errorf("sip server: %w", err)
	}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	// Requests from the far end arrive on the flow we opened as a client:
	// client and server share sipgo's transport layer.
	u.server.OnInvite(u.handleInvite)
	u.server.OnAck(u.handleAck)
	u.server.OnBye(u.handleBye)
	u.server.OnInfo(u.handleInfo)
	u.server.OnNotify(u.handleNotify)
	u.server.OnOptions(u.handleOptions)
	u.server.OnCancel(u.handleStrayCancel)
	u.server.OnRefer(u.handleRefer)
	u.server.OnMessage(u.handleMessage)
	return u, nil
}

// Secure reports whether signalling runs over TLS, i.e. whether SDES keys
// (a=crypto) may be put into SDP.
func (u *UA) Secure() bool { return u.transport == "TLS" }

// OnRegistration sets the callback for every change of the registration
// state. It is called from the UA's goroutines, must not block, and must
// not call Close.
func (u *UA) OnRegistration(f func(State, error)) {
	u.mu.Lock()
	u.onReg = f
	u.mu.Unlock()
}

// OnInvite sets the callback for incoming calls. It runs on the goroutine
// handling the INVITE and should return quickly; the call stays pending
// until Incoming.Answer or Reject is called, or the caller cancels.
// Without a callback incoming calls are answered 480.
func (u *UA) OnInvite(f func(*Incoming)) {
	u.mu.Lock()
	u.onInvite = f
	u.mu.Unlock()
}

// State returns the current registration state and the last error.
func (u *UA) State() (State, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.state, u.lastErr
}

// setState records a state change and tells the callback about it.
func (u *UA) setState(s State, err error) {
	u.mu.Lock()
	if u.state == StateClosed {
		u.mu.Unlock()
		return
	}
	changed := u.state != s || !errors.Is(err, u.lastErr) && (err != nil || u.lastErr != nil)
	u.state, u.lastErr = s, err
	f := u.onReg
	u.mu.Unlock()
	if !changed {
		return
	}
	if err != nil {
		u.log.Info("registration state", "state", s.String(), "error", err)
	} else {
		u.log.Info("registration state", "state", s.String())
	}
	if f != nil {
		f(s, err)
	}
}

// Close ends active calls (BYE), removes the registration (REGISTER with
// Expires: 0) and closes the connection. It is idempotent.
func (u *UA) Close() error {
	u.closeOnce.Do(func() {
		u.mu.Lock()
		u.closing = true
		dialogs := make([]*Dialog, 0, len(u.dialogs))
		for _, d := range u.dialogs {
			dialogs = append(dialogs, d)
		}
		u.mu.Unlock()
		u.cancel() // stops the registration loop and pending incoming calls

		// The hang-ups and the unregister each get their own time: a BYE that goes unanswered
		// (the far end just left, or is gone) must not use up the unregister's.
		byeCtx, byeCancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer byeCancel()
		var errs []error
		for _, d := range dialogs {
			if err := d.Bye(byeCtx); err != nil && !errors.Is(err, ErrCallEnded) {
				u.log.Debug("bye on close", "error", err)
			}
			d.end(ReasonClosed)
		}
		u.wg.Wait()

		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		u.regMu.Lock()
		u.mu.Lock()
		wasRegistered := u.registered
		u.mu.Unlock()
		if wasRegistered {
			if _, err := u.registerLocked(ctx, 0); err != nil {
				errs = append(errs, fmt.Errorf("unregister: %w", err))
			}
		}
		u.regMu.Unlock()

		errs = append(errs, u.sua.Close())
		u.setState(StateClosed, nil)
		u.closeErr = errors.Join(errs...)
	})
	return u.closeErr
}

// addDialog registers d for routing of in-dialog requests and starts its
// watcher on sipgo's dialog context. It fails once Close has begun (the
// WaitGroup must not grow while Close waits on it).
func (u *UA) addDialog(d *Dialog, sessCtx context.Context) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closing {
		return false
	}
	u.dialogs[d.id] = d
	u.wg.Add(1)
	go d.watch(sessCtx)
	return true
}

func (u *UA) removeDialog(d *Dialog) {
	u.mu.Lock()
	if u.dialogs[d.id] == d {
		delete(u.dialogs, d.id)
	}
	u.mu.Unlock()
}

// findDialog returns the dialog an in-dialog request belongs to, whichever
// side created it.
func (u *UA) findDialog(req *sip.Request) *Dialog {
	u.mu.Lock()
	defer u.mu.Unlock()
	if id, err := sip.DialogIDFromRequestUAC(req); err == nil {
		if d := u.dialogs[id]; d != nil {
			return d
		}
	}
	if id, err := sip.DialogIDFromRequestUAS(req); err == nil {
		if d := u.dialogs[id]; d != nil {
			return d
		}
	}
	return nil
}

// currentContact returns a copy of our Contact header.
func (u *UA) currentContact() (sip.ContactHeader, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.contact == nil {
		return sip.ContactHeader{}, false
	}
	return *u.contact.Clone(), true
}

// respond sends a response and traces it; errors are logged at debug
// level only (the peer may have gone).
func (u *UA) respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string, body []byte, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	u.trace("send", res)
	if err := tx.Respond(res); err != nil {
		u.log.Debug("respond failed", "code", code, "error", err)
	}
}
