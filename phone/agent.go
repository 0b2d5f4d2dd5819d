package phone

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"softphone/audio"
	"softphone/auth"
	"softphone/config"
	"softphone/recording"
	"softphone/sip"
)

// Endpoints opens the audio source (the agent's microphone) and sink (the
// agent's speaker) for one call. The closer is called when the call ends.
type Endpoints interface {
	Open(call CallInfo) (audio.Source, audio.Sink, io.Closer, error)
}

// Config is what an Agent needs besides the file configuration.
type Config struct {
	Settings config.Config
	// SettingsFile is where SaveSettings writes the configuration; ""
	// keeps saved settings in memory (the demo).
	SettingsFile string
	// RootCAs, when set, replaces Settings.Account.CAFile and the system
	// roots (the demo trusts only the CA it made at start).
	RootCAs *x509.CertPool
	// Endpoints opens audio devices per call; nil means silence in, nothing
	// out. If it is also a DeviceSelector, saved settings select its devices.
	Endpoints Endpoints
	// Auth checks logins and releases the SIP password; nil allows only
	// Register with a password from elsewhere (automation with
	// SOFTPHONE_SIP_PASSWORD, tests).
	Auth *auth.Service
	// Recordings records calls (encrypted at capture) per its policy; nil
	// means recording is not configured on this machine.
	Recordings *recording.Store
	// CRM looks up callers for the sidebar; nil means no CRM.
	CRM *CRMConfig
	// Workday supplies reason codes, after-call work and the refuse mode;
	// nil reads them from Settings.Workday.
	Workday WorkdayPolicy
	// Auditor records agent state changes (works council: nothing covert);
	// nil records nothing.
	Auditor Auditor
	// SupervisorKeys verifies supervisors' signed commands (recording on
	// or off); nil refuses every command. SupervisorSigner signs this
	// desktop's commands when its user is a supervisor.
	SupervisorKeys   SupervisorKeys
	SupervisorSigner *SupervisorSigner
	// PresenceExpires is the lifetime asked for presence publications and
	// subscriptions, refreshed before it ends; 0 means 10 minutes.
	PresenceExpires time.Duration
	Logger          *slog.Logger
}

// Auditor records an audited action (audit.Log implements it).
type Auditor interface {
	Record(action, actor string, attrs map[string]string) error
}

// Agent is one agent's phone session. All methods are safe for concurrent use.
type Agent struct {
	cfg  Config
	log  *slog.Logger
	hub  hub
	done chan struct{} // closed by Close

	ctx    context.Context // root: every call context derives from it
	cancel context.CancelCauseFunc

	mu       sync.Mutex // guards the fields below
	ua       *sip.UA
	reg      Registration
	login    Login
	session  *auth.Session // nil until Login
	calls    map[string]*call
	order    []string // call IDs, oldest first
	nextID   int
	closed   bool
	ended    []endedLookup        // CRM sessions of ended calls, kept for wrap-up
	work     agentWork            // the agent state (available, not ready, ACW)
	missed   missedList           // missed calls for call-back (memory only)
	nonces   map[string]time.Time // supervisor command nonces seen in the window
	presence presenceState        // published state and watched colleagues

	wg sync.WaitGroup // call goroutines
}

// New makes an Agent. It does not touch the network until Register.
func New(cfg Config) (*Agent, error) {
	if err := cfg.Settings.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Agent{
		cfg:    cfg,
		log:    log.With("component", "phone"),
		done:   make(chan struct{}),
		ctx:    ctx,
		cancel: cancel,
		calls:  make(map[string]*call),
		work:   agentWork{status: AgentStatus{State: AgentAvailable, Since: time.Now(), Cause: "start"}},
	}, nil
}

// Settings returns the configuration in use.
func (a *Agent) Settings() config.Config {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cfg.Settings
}

// Snapshot returns the current state.
func (a *Agent) Snapshot() Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.snapshotLocked()
}

func (a *Agent) snapshotLocked() Snapshot {
	s := Snapshot{Registration: a.reg, Login: a.login}
	for _, id := range a.order {
		s.Calls = append(s.Calls, a.calls[id].info)
	}
	return s
}

// Watch calls fn with every event until ctx ends, the agent closes, or fn
// returns false. It first replays the current state (registration and each
// live call) so a late observer misses nothing. fn runs on the caller's
// goroutine; Watch returns when watching stops.
func (a *Agent) Watch(ctx context.Context, fn func(Event) bool) {
	a.mu.Lock()
	w := a.hub.subscribe(a.initialEventsLocked())
	a.mu.Unlock()
	defer a.hub.unsubscribe(w)
	w.run(ctx, a.done, fn)
}

// initialEventsLocked is the whole state as events, for a new watcher (as
// Tailscale's ipn Notify does): login, registration, the CRM contact of
// ended calls kept for wrap-up, then every live call with its contact and
// recorder state. State events are published under a.mu, so a watcher
// that subscribes under a.mu sees each change after this snapshot once.
func (a *Agent) initialEventsLocked() []Event {
	evs := []Event{LoginChanged{a.login}, RegistrationChanged{a.reg}, AgentStateChanged{a.work.status}}
	if len(a.missed.calls) > 0 {
		evs = append(evs, MissedCallsChanged{Calls: append([]MissedCall(nil), a.missed.calls...)})
	}
	for _, e := range a.ended {
		evs = append(evs, contactEvent(e.id, e.lookup))
	}
	for _, id := range a.order {
		c := a.calls[id]
		if c.lookup != nil {
			evs = append(evs, contactEvent(c.id, c.lookup))
		}
		evs = append(evs, CallChanged{c.info})
		if c.recStatus.State != RecordingNone {
			evs = append(evs, RecordingChanged{CallID: c.id, RecordingStatus: c.recStatus})
		}
	}
	return evs
}

// accountRoots is roots when set, else the account's CA file (ca_file)
// when it names one, else nil: the system roots.
func accountRoots(roots *x509.CertPool, acc config.Account) (*x509.CertPool, error) {
	if roots != nil || acc.CAFile == "" {
		return roots, nil
	}
	pem, err := os.ReadFile(acc.CAFile)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	roots = x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", acc.CAFile)
	}
	return roots, nil
}

// Register connects to the SIP server and registers the account with
// password. It returns once the first REGISTER has an answer; afterwards the
// registration is kept alive in the background and changes are reported as
// RegistrationChanged events.
func (a *Agent) Register(ctx context.Context, password string) error {
	acc := a.Settings().Account
	roots, err := accountRoots(a.cfg.RootCAs, acc)
	if err != nil {
		return err
	}
	ua, err := sip.New(sip.Config{
		Server:      acc.Server,
		Servers:     acc.Servers,
		SRV:         acc.SRV,
		Transport:   acc.Transport,
		User:        acc.User,
		AuthUser:    acc.AuthUser,
		Password:    password,
		Domain:      acc.Domain,
		DisplayName: acc.DisplayName,
		RootCAs:     roots,
		Expires:     acc.Expires,
		UserAgent:   "softphone",
		Logger:      a.log,
	})
	if err != nil {
		return err
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		ua.Close()
		return net.ErrClosed
	}
	if a.ua != nil {
		a.mu.Unlock()
		ua.Close()
		return errors.New("already registered")
	}
	a.ua = ua
	a.reg = Registration{State: RegRegistering, AOR: "sip:" + acc.User + "@" + acc.Domain}
	a.emitLocked(RegistrationChanged{a.reg})
	a.mu.Unlock()

	ua.OnInvite(a.onInvite)
	ua.OnMessage(a.onMessage)
	ua.OnRegistration(func(st sip.State, err error) {
		rs := regState(st)
		if rs == RegOff && err != nil {
			rs = RegFailed // the first REGISTER failed: say why, not "off"
		}
		a.setRegistration(rs, err)
		if rs == RegRegistered {
			a.presenceReregistered() // a new flow: subscribe and publish anew
		}
	})
	if err := ua.Register(ctx); err != nil {
		a.setRegistration(RegFailed, err)
		return err
	}
	a.setRegistration(RegRegistered, nil)
	a.mu.Lock()
	a.startPresenceLocked(ua)
	a.startNetWatchLocked(ua)
	a.mu.Unlock()
	return nil
}

func regState(s sip.State) RegState {
	switch s {
	case sip.StateRegistered:
		return RegRegistered
	case sip.StateRegistering:
		return RegRegistering
	case sip.StateRetrying:
		return RegFailed
	}
	return RegOff
}

func (a *Agent) setRegistration(st RegState, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.reg
	r.State, r.Err, r.Reason, r.Cause = st, err, "", regCauseOf(err)
	if err != nil {
		r.Reason = err.Error()
	}
	if r.State == a.reg.State && r.Reason == a.reg.Reason {
		return
	}
	a.reg = r
	a.emitLocked(RegistrationChanged{r})
}

// emitLocked publishes e; a.mu is held so events leave in state order.
func (a *Agent) emitLocked(e Event) { a.hub.publish(e) }

// Close hangs up every call, un-registers, and stops all goroutines. It is
// idempotent and returns once everything has stopped.
func (a *Agent) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	ua, sess := a.ua, a.session
	a.work.stopTimerLocked()
	a.mu.Unlock()

	a.cancel(errAgentClosed)
	a.wg.Wait() // every call goroutine has sent its BYE/CANCEL and ended
	var err error
	if ua != nil {
		err = ua.Close()
	}
	if sess != nil && a.cfg.Auth != nil {
		err = errors.Join(err, a.cfg.Auth.Logout(sess))
	}
	a.mu.Lock()
	a.reg.State, a.reg.Reason, a.reg.Err, a.reg.Cause = RegOff, "", nil, RegCauseNone
	a.emitLocked(RegistrationChanged{a.reg})
	a.mu.Unlock()
	close(a.done)
	return err
}

var errAgentClosed = errors.New("phone closed")

// localIP picks the address to advertise in SDP: the configured one, or the
// local address of a route to the SIP server.
func (a *Agent) localIP() (netip.Addr, error) {
	st := a.Settings()
	if s := st.Media.LocalIP; s != "" {
		return netip.ParseAddr(s)
	}
	return routeSource(a.serverHost())
}
