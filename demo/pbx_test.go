package demo

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testLogger shows PBX logs with -v and DEMO_TEST_LOG=1.
func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("DEMO_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
}

// startPBX starts a PBX closed at the end of the test.
func startPBX(t *testing.T, cfg Config) *PBX {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	p, err := Start(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, p.Close()) })
	return p
}

// phone is a minimal sipgo phone for tests: it dials the PBX over TLS and
// listens on no port of its own, like the real agent.
type phone struct {
	t        testing.TB
	pbx      *PBX
	user     string
	password string
	ua       *sipgo.UserAgent
	cli      *sipgo.Client
	srv      *sipgo.Server
	dua      *sipgo.DialogUA

	mu      sync.Mutex
	onCall  func(req *sip.Request, tx sip.ServerTransaction) // incoming INVITE
	dialogs map[string]*sipgo.DialogServerSession            // answered incoming calls by Call-ID
}

func newPhone(t testing.TB, p *PBX, user, password string, roots *x509.CertPool) *phone {
	t.Helper()
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent("demo-test-phone"),
		sipgo.WithUserAgentHostname("127.0.0.1"),
		sipgo.WithUserAgenTLSConfig(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(slog.New(slog.DiscardHandler))),
	)
	require.NoError(t, err)
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	cli, err := sipgo.NewClient(ua, sipgo.WithClientLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	ph := &phone{t: t, pbx: p, user: user, password: password, ua: ua, cli: cli, srv: srv, dialogs: map[string]*sipgo.DialogServerSession{}}
	params := sip.NewParams()
	params.Add("transport", "tls")
	// A Contact port nobody listens on: the PBX must use the flow.
	ph.dua = &sipgo.DialogUA{Client: cli, RewriteContact: true, ContactHDR: sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: 9, UriParams: params},
	}}
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		ph.mu.Lock()
		h := ph.onCall
		ph.mu.Unlock()
		if h == nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusTemporarilyUnavailable, "Unavailable", nil))
			return
		}
		h(req, tx)
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		ph.mu.Lock()
		d := ph.dialogs[req.CallID().Value()]
		ph.mu.Unlock()
		if d != nil {
			_ = d.ReadAck(req, tx)
		}
	})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		ph.mu.Lock()
		d := ph.dialogs[req.CallID().Value()]
		ph.mu.Unlock()
		if d == nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
			return
		}
		_ = d.ReadBye(req, tx)
	})
	t.Cleanup(func() { ua.Close() })
	return ph
}

func (ph *phone) setOnCall(h func(req *sip.Request, tx sip.ServerTransaction)) {
	ph.mu.Lock()
	ph.onCall = h
	ph.mu.Unlock()
}

// register sends REGISTER (answering the digest challenge) and returns the final response.
func (ph *phone) register(ctx context.Context, expires int) (*sip.Response, error) {
	return ph.registerWith(ctx, expires, nil)
}

// registerWith is register with a hook that may change the request.
func (ph *phone) registerWith(ctx context.Context, expires int, mutate func(*sip.Request)) (*sip.Response, error) {
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: ph.pbx.Domain()})
	req.SetTransport("TLS")
	req.SetDestination(ph.pbx.Addr())
	aor := sip.Uri{Scheme: "sip", User: ph.user, Host: ph.pbx.Domain()}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	req.AppendHeader(sip.HeaderClone(&ph.dua.ContactHDR))
	exp := sip.ExpiresHeader(expires)
	req.AppendHeader(&exp)
	if mutate != nil {
		mutate(req)
	}
	res, err := ph.cli.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == sip.StatusUnauthorized {
		res, err = ph.cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: ph.user, Password: ph.password})
	}
	return res, err
}

func (ph *phone) mustRegister(ctx context.Context) {
	ph.t.Helper()
	res, err := ph.register(ctx, 300)
	require.NoError(ph.t, err)
	require.Equal(ph.t, sip.StatusOK, res.StatusCode, res.Reason)
}

// dial calls target at the PBX with an offer and authenticates the 407.
func (ph *phone) dial(ctx context.Context, target string, offer []byte) (*sipgo.DialogClientSession, error) {
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: target, Host: ph.pbx.Domain()})
	req.SetTransport("TLS")
	req.SetDestination(ph.pbx.Addr())
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: ph.user, Host: ph.pbx.Domain()}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: req.Recipient, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer)
	d, err := ph.dua.WriteInvite(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := d.WaitAnswer(ctx, sipgo.AnswerOptions{Username: ph.user, Password: ph.password}); err != nil {
		d.Close()
		return nil, err
	}
	return d, d.Ack(ctx)
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func statusOf(err error) int {
	var de *sipgo.ErrDialogResponse
	if errors.As(err, &de) {
		return de.Res.StatusCode
	}
	return 0
}

func TestStartAccessors(t *testing.T) {
	p := startPBX(t, Config{})
	assert.True(t, strings.HasPrefix(p.Addr(), "127.0.0.1:"))
	assert.Equal(t, "localhost", p.Domain())
	assert.Equal(t, Credentials{User: "1001", Password: DefaultAgentPassword}, p.Agent())
	assert.Equal(t, "sip:echo@localhost", p.EchoURI())
	assert.NotEmpty(t, p.Customers())
	assert.Contains(t, string(p.CAPEM()), "BEGIN CERTIFICATE")

	// The certificate verifies for both names against CAPool and nothing else.
	for _, name := range []string{"localhost", "127.0.0.1"} {
		conn, err := tls.Dial("tcp", p.Addr(), &tls.Config{RootCAs: p.CAPool(), ServerName: name})
		require.NoError(t, err, name)
		assert.GreaterOrEqual(t, conn.ConnectionState().Version, uint16(tls.VersionTLS12))
		conn.Close()
	}
	_, err := tls.Dial("tcp", p.Addr(), &tls.Config{RootCAs: p.CAPool(), MaxVersion: tls.VersionTLS11})
	assert.Error(t, err, "TLS 1.1 must be refused")

	require.NoError(t, p.Close())
	require.NoError(t, p.Close(), "Close is idempotent")
	assert.ErrorIs(t, p.CallAgent(context.Background(), 0), ErrClosed)
}

func TestRegister(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)

	t.Run("wrong password is refused", func(t *testing.T) {
		ph := newPhone(t, p, "1001", "wrong", p.CAPool())
		res, err := ph.register(ctx, 300)
		require.NoError(t, err)
		assert.Equal(t, sip.StatusForbidden, res.StatusCode)
		assert.False(t, p.Registered("1001"))
	})
	t.Run("unknown user is refused", func(t *testing.T) {
		ph := newPhone(t, p, "4711", "x", p.CAPool())
		res, err := ph.register(ctx, 300)
		require.NoError(t, err)
		assert.Equal(t, sip.StatusForbidden, res.StatusCode)
	})
	t.Run("untrusted CA fails the TLS handshake", func(t *testing.T) {
		other, err := Start(context.Background(), Config{Logger: testLogger(t)})
		require.NoError(t, err)
		defer other.Close()
		ph := newPhone(t, p, "1001", DefaultAgentPassword, other.CAPool())
		_, err = ph.register(ctx, 300)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "certificate")
		assert.False(t, p.Registered("1001"))
	})
	t.Run("too short expiry", func(t *testing.T) {
		ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
		res, err := ph.register(ctx, 5)
		require.NoError(t, err)
		assert.Equal(t, sip.StatusIntervalToBrief, res.StatusCode)
		assert.Equal(t, "30", res.GetHeader("Min-Expires").Value())
	})
	t.Run("register, refresh and un-register", func(t *testing.T) {
		ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
		res, err := ph.register(ctx, 120)
		require.NoError(t, err)
		require.Equal(t, sip.StatusOK, res.StatusCode)
		require.NotNil(t, res.Contact())
		e, _ := res.Contact().Params.Get("expires")
		assert.Equal(t, "120", e)
		assert.True(t, p.Registered("1001"))

		res, err = ph.register(ctx, 7200)
		require.NoError(t, err)
		e, _ = res.Contact().Params.Get("expires")
		assert.Equal(t, "3600", e, "capped at MaxExpires")

		res, err = ph.register(ctx, 0)
		require.NoError(t, err)
		assert.Equal(t, sip.StatusOK, res.StatusCode)
		assert.False(t, p.Registered("1001"))
		assert.ErrorIs(t, p.CallAgent(ctx, 0), ErrAgentNotRegistered)
	})
	t.Run("query and wildcard un-register", func(t *testing.T) {
		ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
		ph.mustRegister(ctx)
		res, err := ph.registerWith(ctx, 300, func(r *sip.Request) { r.RemoveHeader("Contact") })
		require.NoError(t, err)
		require.Equal(t, sip.StatusOK, res.StatusCode)
		require.NotNil(t, res.Contact(), "a query lists the binding")
		assert.Equal(t, 9, res.Contact().Address.Port)

		res, err = ph.registerWith(ctx, 300, func(r *sip.Request) {
			r.RemoveHeader("Contact")
			r.AppendHeader(sip.NewHeader("Contact", "*"))
		})
		require.NoError(t, err)
		assert.Equal(t, sip.StatusBadRequest, res.StatusCode, "Contact: * needs Expires: 0")
		assert.True(t, p.Registered("1001"))

		res, err = ph.registerWith(ctx, 0, func(r *sip.Request) {
			r.RemoveHeader("Contact")
			r.AppendHeader(sip.NewHeader("Contact", "*"))
		})
		require.NoError(t, err)
		assert.Equal(t, sip.StatusOK, res.StatusCode)
		assert.False(t, p.Registered("1001"))
	})
	t.Run("expiry ends the registration", func(t *testing.T) {
		q := startPBX(t, Config{MinExpires: time.Second})
		ph := newPhone(t, q, "1001", DefaultAgentPassword, q.CAPool())
		res, err := ph.register(ctx, 1)
		require.NoError(t, err)
		require.Equal(t, sip.StatusOK, res.StatusCode)
		assert.True(t, q.Registered("1001"))
		require.Eventually(t, func() bool { return !q.Registered("1001") }, 3*time.Second, 50*time.Millisecond)
	})
	t.Run("closed flow ends the registration", func(t *testing.T) {
		ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
		ph.mustRegister(ctx)
		require.True(t, p.Registered("1001"))
		ph.ua.Close()
		require.Eventually(t, func() bool { return !p.Registered("1001") }, 5*time.Second, 20*time.Millisecond)
		assert.ErrorIs(t, p.CallAgent(ctx, 0), ErrAgentNotRegistered)
	})
}
