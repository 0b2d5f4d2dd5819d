package testpeer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BaresipOptions configures the far-end phone.
type BaresipOptions struct {
	// AutoAnswer answers incoming calls at once (answermode=auto).
	AutoAnswer bool
	// MediaEnc is the account's mediaenc: "srtp-mand" when empty; set
	// PlainRTP to offer plain RTP instead.
	MediaEnc string
	// PlainRTP disables media encryption (no mediaenc parameter).
	PlainRTP bool
	// DTLSSRTP loads baresip's dtls_srtp module and keys the account's calls with DTLS-SRTP
	// (mediaenc=dtls_srtp, RFC 5763/5764) instead of SDES.
	DTLSSRTP bool
	// ToneHz is the sine frequency baresip sends (ausine); default 440.
	ToneHz int
	// Codecs, when set, loads baresip's g722 and opus modules and limits the account to these
	// codecs (audio_codecs), e.g. "G722/16000/1" or "opus" for a wideband-only peer.
	Codecs string
	// MediaNAT is the account's medianat ("ice", "stun" or "turn"); it loads baresip's ice,
	// stun and turn modules and turns on rtcp_mux.
	MediaNAT string
	// STUNServer is the account's stunserver: "stun:host:port", or
	// "turn:host:port?transport=udp" with STUNUser and STUNPass.
	STUNServer, STUNUser, STUNPass string
	// Netns runs baresip inside that network namespace (a Lab's Internet);
	// IP is the address it binds and advertises in SDP (default 127.0.0.1).
	// Its Kamailio must be reachable from there (k.Addr).
	Netns, IP string
}

// Event is one ctrl_tcp event of baresip (class "call", "register", …).
type Event struct {
	Class     string `json:"class"`
	Type      string `json:"type"`
	Param     string `json:"param"`
	PeerURI   string `json:"peeruri"`
	ID        string `json:"id"`
	Direction string `json:"direction"`
}

// Baresip is a running baresip registered through a Kamailio. Control it
// with Dial, Accept, Hangup, SendDTMF, Hold and Resume; observe it with
// WaitEvent and WaitLog.
type Baresip struct {
	User string // SIP user it registered as
	URI  string // its address of record, sip:user@domain
	// Dir is baresip's config directory; its sndfile module writes each
	// call's streams there as WAV files (*-dec.wav is what it received).
	Dir string

	proc *process
	ctrl net.Conn
	wmu  sync.Mutex // serialises ctrl writes

	mu     sync.Mutex
	events []Event
	taken  map[int]bool // events already returned by WaitEvent
	resp   chan ctrlResponse
	evch   chan struct{} // closed and replaced on every new event
	seq    int
}

type ctrlResponse struct {
	OK    bool   `json:"ok"`
	Data  string `json:"data"`
	Token string `json:"token"`
}

// StartBaresip starts baresip with its own config directory, registers it
// as user at k over TLS (trusting k's CA) and waits for the registration.
// It skips under -short or without the baresip binary; the process is
// stopped in t.Cleanup.
func StartBaresip(t testing.TB, k *Kamailio, user, password string, opts BaresipOptions) *Baresip {
	t.Helper()
	bin := requireBinary(t, "baresip")
	stdbuf, _ := exec.LookPath("stdbuf")
	if opts.ToneHz == 0 {
		opts.ToneHz = 440
	}
	if opts.IP == "" {
		opts.IP = "127.0.0.1"
	}
	dir := t.TempDir()
	b := &Baresip{User: user, Dir: dir, taken: map[int]bool{}, resp: make(chan ctrlResponse, 8), evch: make(chan struct{})}
	// A port may be taken between its choice and baresip's bind (another
	// test binary, or a process outside the tests): then baresip exits at
	// once with "Address already in use", and it is started again on
	// other ports.
	var ctrlPort int
	for attempt := 1; ; attempt++ {
		ctrlPort = FreePort(t)
		b.URI = b.startOn(t, bin, stdbuf, k, password, opts, ctrlPort, FreePortPair(t))
		if attempt == 3 || waitAccepting(b.proc, fmt.Sprintf("127.0.0.1:%d", ctrlPort), 2*time.Second) != exited ||
			!strings.Contains(b.proc.log.String(), "Address already in use") {
			break
		}
	}
	waitTCP(t, b.proc, fmt.Sprintf("127.0.0.1:%d", ctrlPort), 10*time.Second)
	var err error
	b.ctrl, err = DialNetns(opts.Netns, "tcp", fmt.Sprintf("127.0.0.1:%d", ctrlPort), 5*time.Second)
	if err != nil {
		t.Fatalf("connect to baresip ctrl_tcp: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.readCtrl()
	}()
	t.Cleanup(func() {
		b.ctrl.Close()
		<-done
	})
	b.WaitLog(t, `(?i)registered successfully|200 OK \(|REGISTER_OK`, 10*time.Second)
	return b
}

// startOn writes baresip's config for these ports (ctrl_tcp on ctrlPort,
// SIP on sipPort and SIP-TLS on sipPort+1), starts it, and returns its
// address of record.
func (b *Baresip) startOn(t testing.TB, bin, stdbuf string, k *Kamailio, password string, opts BaresipOptions, ctrlPort, sipPort int) string {
	t.Helper()
	config := fmt.Sprintf(`poll_method		epoll
sip_listen		%s:%d
sip_cafile		%s
call_local_timeout	120
call_max_calls		4
audio_source		ausine,%d
audio_alert		none
ausrc_srate		48000
ausrc_channels		2
net_interface		%s
module_path		/usr/lib/baresip/modules
module			g711.so
%smodule			ausine.so
module			srtp.so
%smodule			sndfile.so
module			uuid.so
module_app		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:%d
snd_path		%s
`, opts.IP, sipPort, k.CAFile, opts.ToneHz, opts.IP, widebandModules(opts)+natModules(opts), dtlsModule(opts), ctrlPort, b.Dir)
	writeFile(t, filepath.Join(b.Dir, "config"), config)

	params := []string{
		"auth_pass=" + password,
		fmt.Sprintf(`outbound="sip:%s;transport=tls"`, k.Addr),
		"regint=600",
	}
	if !opts.PlainRTP {
		enc := opts.MediaEnc
		if enc == "" {
			enc = "srtp-mand"
			if opts.DTLSSRTP {
				enc = "dtls_srtp"
			}
		}
		params = append(params, "mediaenc="+enc)
	}
	if opts.Codecs != "" {
		params = append(params, "audio_codecs="+opts.Codecs)
	}
	params = append(params, natParams(opts)...)
	if opts.AutoAnswer {
		params = append(params, "answermode=auto")
	} else {
		params = append(params, "answermode=manual")
	}
	aor := fmt.Sprintf("sip:%s@%s", b.User, k.Domain)
	writeFile(t, filepath.Join(b.Dir, "accounts"), fmt.Sprintf("<%s>;%s\n", aor, strings.Join(params, ";")))
	writeFile(t, filepath.Join(b.Dir, "contacts"), "")

	args := []string{"-f", b.Dir}
	var cmd *exec.Cmd
	if stdbuf != "" {
		cmd = NetnsCommand(opts.Netns, stdbuf, append([]string{"-oL", "-eL", bin}, args...)...)
	} else {
		cmd = NetnsCommand(opts.Netns, bin, args...)
	}
	cmd.Dir = b.Dir
	cmd.Env = append(os.Environ(), "HOME="+b.Dir)
	// baresip reads commands from stdin through the menu module; keep
	// stdin open and silent.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close() })

	b.proc = startProcess(t, "baresip "+b.User, cmd)
	b.proc.ns = opts.Netns
	return aor
}

// natModules are the config lines loading baresip's NAT traversal modules.
func natModules(opts BaresipOptions) string {
	if opts.MediaNAT == "" {
		return ""
	}
	// rtcp_mux is a config item in baresip 1.0: RTP and RTCP on one ICE component.
	return "rtcp_mux\t\tyes\nmodule\t\t\tstun.so\nmodule\t\t\tturn.so\nmodule\t\t\tice.so\n"
}

// natParams are the account parameters for opts' media NAT traversal.
func natParams(opts BaresipOptions) []string {
	var p []string
	if opts.MediaNAT != "" {
		p = append(p, "medianat="+opts.MediaNAT)
	}
	if opts.STUNServer != "" {
		p = append(p, "stunserver="+opts.STUNServer)
	}
	if opts.STUNUser != "" {
		p = append(p, "stunuser="+opts.STUNUser, "stunpass="+opts.STUNPass)
	}
	return p
}

// widebandModules are the config lines loading the wideband codecs when opts asks for codecs.
func widebandModules(opts BaresipOptions) string {
	if opts.Codecs == "" {
		return ""
	}
	return "module\t\t\tg722.so\nmodule\t\t\topus.so\n"
}

// readCtrl parses netstrings from ctrl_tcp until the connection closes.
func (b *Baresip) readCtrl() {
	r := bufio.NewReader(b.ctrl)
	for {
		lenStr, err := r.ReadString(':')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(lenStr, ":")))
		if err != nil || n < 0 || n > 1<<20 {
			return
		}
		buf := make([]byte, n+1) // payload + ','
		if _, err := io.ReadFull(r, buf); err != nil {
			return
		}
		var m struct {
			Event    bool `json:"event"`
			Response bool `json:"response"`
			ctrlResponse
		}
		payload := buf[:n]
		if err := json.Unmarshal(payload, &m); err != nil {
			continue
		}
		if m.Response {
			select {
			case b.resp <- m.ctrlResponse:
			default:
			}
			continue
		}
		var ev Event
		if err := json.Unmarshal(payload, &ev); err != nil {
			continue
		}
		b.mu.Lock()
		b.events = append(b.events, ev)
		close(b.evch)
		b.evch = make(chan struct{})
		b.mu.Unlock()
	}
}

// Command sends a ctrl_tcp command (e.g. "dial", "sip:alice@localhost")
// and returns the response data; it fails the test when baresip says no.
func (b *Baresip) Command(t testing.TB, command, params string) string {
	t.Helper()
	b.mu.Lock()
	b.seq++
	token := strconv.Itoa(b.seq)
	b.mu.Unlock()
	msg, _ := json.Marshal(map[string]string{"command": command, "params": params, "token": token})
	b.wmu.Lock()
	_, err := fmt.Fprintf(b.ctrl, "%d:%s,", len(msg), msg)
	b.wmu.Unlock()
	if err != nil {
		t.Fatalf("baresip %s: %v", command, err)
	}
	timeout := time.After(5 * time.Second)
	for {
		select {
		case r := <-b.resp:
			if r.Token != token {
				continue
			}
			if !r.OK {
				t.Fatalf("baresip %s %s failed: %s", command, params, r.Data)
			}
			return r.Data
		case <-timeout:
			t.Fatalf("baresip did not answer %s within 5 s", command)
		}
	}
}

// Dial calls uri (e.g. "sip:alice@localhost").
func (b *Baresip) Dial(t testing.TB, uri string) { t.Helper(); b.Command(t, "dial", uri) }

// Accept answers the ringing call.
func (b *Baresip) Accept(t testing.TB) { t.Helper(); b.Command(t, "accept", "") }

// Hangup ends the current call.
func (b *Baresip) Hangup(t testing.TB) { t.Helper(); b.Command(t, "hangup", "") }

// Hold puts the current call on hold (re-INVITE).
func (b *Baresip) Hold(t testing.TB) { t.Helper(); b.Command(t, "hold", "") }

// Resume takes the current call off hold (re-INVITE).
func (b *Baresip) Resume(t testing.TB) { t.Helper(); b.Command(t, "resume", "") }

// SendDTMF sends digits on the current call (RFC 4733 events).
func (b *Baresip) SendDTMF(t testing.TB, digits string) {
	t.Helper()
	b.Command(t, "sndcode", digits)
}

// Events returns every event seen so far.
func (b *Baresip) Events() []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Event(nil), b.events...)
}

// WaitEvent waits for the first event of the given type (e.g.
// "CALL_ESTABLISHED", "CALL_CLOSED", "CALL_INCOMING") that has not been
// returned by an earlier WaitEvent of the same type.
func (b *Baresip) WaitEvent(t testing.TB, typ string, timeout time.Duration) Event {
	t.Helper()
	deadline := time.After(timeout)
	seen := 0
	for {
		b.mu.Lock()
		for i := seen; i < len(b.events); i++ {
			if b.events[i].Type == typ && !b.taken[i] {
				b.taken[i] = true
				ev := b.events[i]
				b.mu.Unlock()
				return ev
			}
		}
		seen = len(b.events)
		ch := b.evch
		b.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("baresip %s: no %s event within %v; events: %+v", b.User, typ, timeout, b.Events())
		}
	}
}

// ReceivedDTMF returns the digits baresip reported receiving so far.
func (b *Baresip) ReceivedDTMF() string {
	var s strings.Builder
	for _, ev := range b.Events() {
		if ev.Type == "CALL_DTMF_START" && ev.Param != "" {
			s.WriteString(ev.Param[:1])
		}
	}
	return s.String()
}

// Log returns baresip's output so far.
func (b *Baresip) Log() string { return b.proc.log.String() }

// WaitLog waits until baresip's log matches re and returns the match.
func (b *Baresip) WaitLog(t testing.TB, re string, timeout time.Duration) string {
	t.Helper()
	m, _, ok := b.proc.log.wait(regexp.MustCompile(re), 0, timeout)
	if !ok {
		t.Fatalf("baresip %s log did not match %q within %v:\n%s", b.User, re, timeout, tail(b.Log(), 8000))
	}
	return m
}

// dtlsModule is the config line loading dtls_srtp when opts asks for DTLS-SRTP.
func dtlsModule(opts BaresipOptions) string {
	if !opts.DTLSSRTP {
		return ""
	}
	return "module\t\t\tdtls_srtp.so\n"
}
