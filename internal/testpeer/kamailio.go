package testpeer

import (
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"softphone/internal/pki"
)

// Kamailio is a running Kamailio registrar/proxy that listens for SIP over
// TLS on 127.0.0.1. Clients must trust CAPool (or CAFile) and use Domain as
// their SIP domain; the server certificate names "localhost" and 127.0.0.1.
type Kamailio struct {
	Addr string // "127.0.0.1:PORT", the TLS listener
	Port int    // the TLS port
	// TCPAddr and UDPAddr are plain-SIP listeners on other ports, for
	// tests of the non-TLS transports.
	TCPAddr, UDPAddr string
	Domain           string         // SIP domain and digest realm: "localhost"
	IP               string         // the address it listens on (KamailioOptions.IP)
	CAFile           string         // PEM file of the CA that issued the server certificate
	CAPool           *x509.CertPool // the same CA as a pool

	ctlSock string
	netns   string
	bin     string
	cfgFile string
	dir     string
	proc    *process
	// presence: the presence tables are made afresh at a restart (db_text
	// cannot reload what it wrote at shutdown; a restarted PBX forgets).
	presence bool
}

// KamailioOptions tunes StartKamailioWith. The zero value is what
// StartKamailio uses.
type KamailioOptions struct {
	// MinExpires is the shortest registration Kamailio grants (default 1 s,
	// so that tests can watch refreshes).
	MinExpires int
	// Debug is Kamailio's log level (default 2, info; 3 logs every message).
	Debug int
	// CertHosts are the names in the server certificate (default
	// "localhost" and 127.0.0.1); others make a host-name mismatch.
	CertHosts []string
	// Presence loads Kamailio's presence modules (presence, presence_xml,
	// presence_dialoginfo over db_text): PUBLISH and SUBSCRIBE for RFC 3856
	// presence and RFC 4235 dialog events are answered by Kamailio.
	Presence bool
	// ForgeFingerprint rewrites every a=fingerprint in the SDP it relays (offers and answers) to
	// a certificate nobody has: the media path then presents a certificate that does not match
	// the signalled one, as with a man in the middle on the media path (DTLS-SRTP tests).
	ForgeFingerprint bool
	// Netns runs Kamailio inside that network namespace (a Lab's Internet),
	// listening on IP; empty: the test's own namespace.
	Netns string
	// IP is the address Kamailio listens on (default 127.0.0.1); put it in
	// CertHosts too when clients verify the certificate by IP.
	IP string
	// NATHelper makes Kamailio fix the SDP of clients behind a NAT (nathelper
	// nat_uac_test + fix_nated_sdp: the c= address becomes the address the
	// request or reply came from), as PBXs without a media relay do.
	NATHelper bool
}

// StartKamailio starts Kamailio with the given users (name → password) and
// waits until its TLS port accepts connections. It skips the test under
// -short or when kamailio is not installed, and stops Kamailio in t.Cleanup.
func StartKamailio(t testing.TB, users map[string]string) *Kamailio {
	t.Helper()
	return StartKamailioWith(t, users, KamailioOptions{})
}

// StartKamailioWith is StartKamailio with options.
func StartKamailioWith(t testing.TB, users map[string]string, opts KamailioOptions) *Kamailio {
	t.Helper()
	bin := requireBinary(t, "kamailio")
	if opts.MinExpires == 0 {
		opts.MinExpires = 1
	}
	if opts.Debug == 0 {
		opts.Debug = 2
	}
	if opts.IP == "" {
		opts.IP = "127.0.0.1"
	}
	dir := t.TempDir()
	ca, err := pki.NewCA("testpeer kamailio CA")
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.CertHosts) == 0 {
		opts.CertHosts = []string{"localhost", opts.IP}
	}
	leaf, err := ca.Issue(opts.CertHosts...)
	if err != nil {
		t.Fatal(err)
	}
	caFile, certFile, keyFile, err := pki.WriteFiles(dir, ca, leaf)
	if err != nil {
		t.Fatal(err)
	}
	k := &Kamailio{presence: opts.Presence,
		IP:      opts.IP,
		netns:   opts.Netns,
		Domain:  "localhost",
		CAFile:  caFile,
		CAPool:  ca.Pool(),
		ctlSock: filepath.Join(dir, "ctl.sock"),
		bin:     bin,
		dir:     dir,
	}

	tlsCfg := filepath.Join(dir, "tls.cfg")
	writeFile(t, tlsCfg, fmt.Sprintf(`[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = %s
private_key = %s

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`, certFile, keyFile))

	names := make([]string, 0, len(users))
	for u := range users {
		names = append(names, u)
	}
	sort.Strings(names)
	type user struct{ Name, Password string }
	var us []user
	for _, n := range names {
		us = append(us, user{cfgQuote(n), cfgQuote(users[n])})
	}
	// Another test binary running beside this one may bind a port between
	// FreePort and Kamailio's start: then Kamailio exits at once with
	// "Address already in use", and it is started again on other ports.
	for attempt := 1; ; attempt++ {
		port, tcpPort, udpPort := FreePort(t), FreePort(t), FreeUDPPort(t)
		k.Addr = fmt.Sprintf("%s:%d", opts.IP, port)
		k.Port = port
		k.TCPAddr = fmt.Sprintf("%s:%d", opts.IP, tcpPort)
		k.UDPAddr = fmt.Sprintf("%s:%d", opts.IP, udpPort)
		k.cfgFile = filepath.Join(dir, "kamailio.cfg")
		var b strings.Builder
		err = kamailioCfg.Execute(&b, map[string]any{
			"Port":       port,
			"TCPPort":    tcpPort,
			"UDPPort":    udpPort,
			"TLSCfg":     tlsCfg,
			"CtlSock":    k.ctlSock,
			"MinExpires": opts.MinExpires,
			"Debug":      opts.Debug,
			"Users":      us,
			"ModPath":    kamailioModPath(),
			"Presence":   opts.Presence,
			"Forge":      opts.ForgeFingerprint,
			"IP":         opts.IP,
			"NATHelper":  opts.NATHelper,
			"DBDir":      presenceDB(t, dir, opts.Presence),
		})
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, k.cfgFile, b.String())
		if out, err := exec.Command(bin, "-c", "-f", k.cfgFile).CombinedOutput(); err != nil {
			t.Fatalf("kamailio -c rejected the generated config: %v\n%s\n%s", err, out, numbered(b.String()))
		}
		if k.tryStart(t) || attempt == 3 {
			break
		}
	}
	waitTCP(t, k.proc, k.Addr, 10*time.Second)
	return k
}

// tryStart starts Kamailio and reports false, with Kamailio gone, when it
// exited at once because one of its ports was taken.
func (k *Kamailio) tryStart(t testing.TB) bool {
	t.Helper()
	k.spawn(t)
	// Still starting after 2 s: the caller waits for it and reports.
	return waitAccepting(k.proc, k.Addr, 2*time.Second) != exited ||
		!strings.Contains(k.proc.log.String(), "Address already in use")
}

// start starts Kamailio and waits until it accepts on its TLS port.
func (k *Kamailio) start(t testing.TB) {
	t.Helper()
	k.spawn(t)
	waitTCP(t, k.proc, k.Addr, 10*time.Second)
}

func (k *Kamailio) spawn(t testing.TB) {
	t.Helper()
	cmd := NetnsCommand(k.netns, k.bin, "-f", k.cfgFile, "-DD", "-E", "-Y", k.dir, "-m", "64", "-M", "8")
	cmd.Dir = k.dir
	k.proc = startProcess(t, "kamailio", cmd)
	k.proc.ns = k.netns
}

// Restart stops Kamailio (dropping every connection and registration) and
// starts it again on the same port with the same configuration.
func (k *Kamailio) Restart(t testing.TB) {
	t.Helper()
	k.proc.stop()
	presenceDB(t, k.dir, k.presence)
	k.start(t)
}

// Stop stops Kamailio: its ports refuse connections until Start.
func (k *Kamailio) Stop() { k.proc.stop() }

// Start starts a stopped Kamailio again on the same ports.
func (k *Kamailio) Start(t testing.TB) {
	t.Helper()
	presenceDB(t, k.dir, k.presence)
	k.start(t)
}

// Log returns Kamailio's output so far.
func (k *Kamailio) Log() string { return k.proc.log.String() }

// WaitLog waits until Kamailio's log matches re.
func (k *Kamailio) WaitLog(t testing.TB, re string, timeout time.Duration) string {
	t.Helper()
	m, _, ok := k.proc.log.wait(regexp.MustCompile(re), 0, timeout)
	if !ok {
		t.Fatalf("kamailio log did not match %q within %v", re, timeout)
	}
	return m
}

// Contacts returns the contact URIs registered for user (empty when none),
// read from Kamailio's location table with kamcmd.
func (k *Kamailio) Contacts(t testing.TB, user string) []string {
	t.Helper()
	kamcmd, err := exec.LookPath("kamcmd")
	if err != nil {
		t.Skip("kamcmd is not installed")
	}
	// "s:" keeps a numeric user ("1000") a string for kamcmd.
	out, err := exec.Command(kamcmd, "-s", "unix:"+k.ctlSock, "ul.lookup", "location", "s:"+user).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "not found") || strings.Contains(string(out), "404") {
			return nil
		}
		t.Fatalf("kamcmd ul.lookup: %v\n%s", err, out)
	}
	var cs []string
	for _, m := range regexp.MustCompile(`(?m)Address:\s*(\S+)`).FindAllStringSubmatch(string(out), -1) {
		cs = append(cs, m[1])
	}
	return cs
}

// Expires returns the remaining lifetime in seconds of each contact of user.
func (k *Kamailio) Expires(t testing.TB, user string) []int {
	t.Helper()
	out, err := exec.Command("kamcmd", "-s", "unix:"+k.ctlSock, "ul.lookup", "location", "s:"+user).CombinedOutput()
	if err != nil {
		return nil
	}
	var es []int
	for _, m := range regexp.MustCompile(`(?m)Expires:\s*(\d+)`).FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.Atoi(m[1])
		es = append(es, n)
	}
	return es
}

func kamailioModPath() string {
	for _, p := range []string{
		"/usr/lib/x86_64-linux-gnu/kamailio/modules",
		"/usr/lib/aarch64-linux-gnu/kamailio/modules",
		"/usr/lib/kamailio/modules",
		"/usr/lib64/kamailio/modules",
		"/usr/local/lib64/kamailio/modules",
	} {
		if _, err := os.Stat(filepath.Join(p, "tls.so")); err == nil {
			return p
		}
	}
	return "/usr/lib/x86_64-linux-gnu/kamailio/modules"
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%4d %s\n", i+1, l)
	}
	return b.String()
}

// kamailioCfg is a registrar + stateful proxy over TLS only. Passwords are
// plain text in a cfg route (no database); digest challenges carry qop=auth.
// Calls to a TLS client go back over the connection it registered on
// (fix_nated_register + received, set_contact_alias/handle_ruri_alias,
// usrloc handle_lost_tcp). Media is passed through untouched.
var kamailioCfg = template.Must(template.New("kamailio.cfg").Funcs(template.FuncMap{
	// forged is a sha-256 fingerprint of no certificate (32 bytes of 0xAB).
	"forged": func() string { return strings.TrimSuffix(strings.Repeat("AB:", 32), ":") },
}).Parse(`#!KAMAILIO
debug={{.Debug}}
log_stderror=yes
log_facility=LOG_LOCAL0
fork=yes
children=2
tcp_children=2
auto_aliases=no
enable_tls=yes
disable_tcp=no
listen=tls:{{.IP}}:{{.Port}}
listen=tcp:{{.IP}}:{{.TCPPort}}
listen=udp:{{.IP}}:{{.UDPPort}}
alias="localhost:{{.Port}}"
tcp_connection_lifetime=3605
tcp_accept_no_cl=yes
tcp_rd_buf_size=16384
dns=no
rev_dns=no
use_dns_cache=no

mpath="{{.ModPath}}"
loadmodule "tls.so"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
loadmodule "nathelper.so"
loadmodule "ctl.so"
{{- if .Presence}}
loadmodule "db_text.so"
loadmodule "presence.so"
loadmodule "presence_xml.so"
loadmodule "presence_dialoginfo.so"
modparam("presence", "db_url", "text://{{.DBDir}}")
modparam("presence", "server_address", "sip:{{.IP}}:{{.Port}};transport=tls")
modparam("presence_xml", "db_url", "text://{{.DBDir}}")
modparam("presence_xml", "force_active", 1)
{{- end}}

modparam("tls", "config", "{{.TLSCfg}}")
modparam("ctl", "binrpc", "unix:{{.CtlSock}}")
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "use_domain", 0)
modparam("usrloc", "handle_lost_tcp", 1)
modparam("usrloc", "close_expired_tcp", 1)
modparam("registrar", "min_expires", {{.MinExpires}})
modparam("registrar", "default_expires", 300)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("rr", "append_fromtag", 1)
modparam("tm", "fr_timer", 10000)
modparam("tm", "fr_inv_timer", 60000)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check("1511", "7")) {
		xlog("L_WARN", "malformed request from $si:$sp\n");
		exit;
	}
	force_rport();
	xlog("L_INFO", "REQ $rm $ru from $si:$sp ($pr)\n");

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	if (!is_method("ACK")) {
		if (t_precheck_trans()) {
			t_check_trans();
			exit;
		}
		t_check_trans();
	}

	route(WITHINDLG);

	if (is_method("REGISTER")) {
		route(REGISTRAR);
		exit;
	}
	if (is_method("INVITE|REFER|MESSAGE|OPTIONS|SUBSCRIBE|INFO|PUBLISH")) {
		route(AUTH);
	}
{{- if .Presence}}
	if (is_method("PUBLISH|SUBSCRIBE")) {
		route(PRESENCE);
		exit;
	}
{{- end}}
	remove_hf("Route");
{{- if .NATHelper}}
	route(NATSDP);
{{- end}}
	if (is_method("INVITE|SUBSCRIBE|REFER")) {
		record_route();
		if (proto == TLS || proto == TCP) {
			set_contact_alias();
		}
	}
	if ($rU == $null) {
		sl_send_reply("484", "Address Incomplete");
		exit;
	}
	route(LOCATION);
}

{{- if .Presence}}
route[PRESENCE] {
	if (!t_newtran()) {
		sl_reply_error();
		exit;
	}
	if (is_method("PUBLISH")) {
		handle_publish();
	} else {
		handle_subscribe();
	}
	t_release();
	exit;
}
{{- end}}

route[PASSWORD] {
	$var(pw) = "";
{{- range .Users}}
	if ($au == {{.Name}}) {
		$var(pw) = {{.Password}};
	}
{{- end}}
}

route[REGISTRAR] {
	route(PASSWORD);
	if ($var(pw) == "" || !pv_www_authenticate("$td", "$var(pw)", "0")) {
		www_challenge("$td", "1");
		exit;
	}
	if ($au != $tU) {
		sl_send_reply("403", "Forbidden auth ID");
		exit;
	}
	consume_credentials();
	if (proto == TLS || proto == TCP) {
		fix_nated_register();
	}
	if (!save("location")) {
		sl_reply_error();
	}
	exit;
}

route[AUTH] {
	route(PASSWORD);
	if ($var(pw) == "" || !pv_proxy_authenticate("$fd", "$var(pw)", "0")) {
		proxy_challenge("$fd", "1");
		exit;
	}
	consume_credentials();
}

route[LOCATION] {
	if (!lookup("location")) {
		$var(rc) = $rc;
		t_newtran();
		switch ($var(rc)) {
			case -1:
			case -3:
				t_reply("404", "Not Found");
				exit;
			case -2:
				t_reply("405", "Method Not Allowed");
				exit;
		}
		t_reply("480", "Temporarily Unavailable");
		exit;
	}
	route(RELAY);
	exit;
}

route[WITHINDLG] {
	if (!has_totag()) {
		return;
	}
	if (loose_route()) {
		handle_ruri_alias();
{{- if .NATHelper}}
		route(NATSDP);
{{- end}}
		route(RELAY);
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
{{- if .Presence}}
	if (is_method("SUBSCRIBE") && uri == myself) { # a refresh (RFC 6665 §4.1.2.1)
		route(PRESENCE);
		exit;
	}
{{- end}}
	sl_send_reply("404", "Not here");
	exit;
}

{{- if .NATHelper}}
# A client behind a NAT put its private address into the SDP: replace it
# with the address the message came from (RFC 3261 has no word for it;
# nathelper's flags 2+32+64 compare Via, Contact and SDP with the source,
# since 198.18.0.0/15 is not an RFC 1918 range).
route[NATSDP] {
	if (has_body("application/sdp") && nat_uac_test("98")) {
		xlog("L_INFO", "NAT: fixing the SDP of $rm from $si:$sp\n");
		fix_nated_sdp("2");
	}
}
{{- end}}

route[RELAY] {
	if (is_method("INVITE|BYE|UPDATE|REFER|INFO|NOTIFY|SUBSCRIBE")) {
		t_on_reply("MANAGE_REPLY");
	}
{{- if .Forge}}
	if (has_body("application/sdp")) {
		subst_body('/a=fingerprint:([A-Za-z0-9-]+) [0-9A-Fa-f:]+/a=fingerprint:\1 {{forged}}/g');
	}
{{- end}}
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

onreply_route[MANAGE_REPLY] {
	xlog("L_INFO", "REPLY $rs $rr for $rm from $si:$sp\n");
{{- if .Forge}}
	if (has_body("application/sdp")) {
		subst_body('/a=fingerprint:([A-Za-z0-9-]+) [0-9A-Fa-f:]+/a=fingerprint:\1 {{forged}}/g');
	}
{{- end}}
	if (status =~ "[12][0-9][0-9]" && (proto == TLS || proto == TCP)) {
		set_contact_alias();
	}
{{- if .NATHelper}}
	if (has_body("application/sdp") && nat_uac_test("98")) {
		xlog("L_INFO", "NAT: fixing the SDP of reply $rs from $si:$sp\n");
		fix_nated_sdp("2");
	}
{{- end}}
}
`))

// presenceDB makes the db_text database of the presence modules in dir
// (copies of Debian's empty tables); "" when presence is off.
func presenceDB(t testing.TB, dir string, on bool) string {
	if !on {
		return ""
	}
	src := "/usr/share/kamailio/dbtext/kamailio"
	db := filepath.Join(dir, "db")
	if err := os.MkdirAll(db, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"version", "presentity", "active_watchers", "watchers", "xcap", "pua"} {
		b, err := os.ReadFile(filepath.Join(src, table))
		if err != nil {
			t.Skipf("kamailio db_text tables missing (%v): install kamailio's dbtext files", err)
		}
		writeFile(t, filepath.Join(db, table), string(b))
	}
	return db
}
