// Package testpeer starts real SIP peers — Kamailio as registrar/proxy over
// TLS and baresip as the far-end phone — for integration tests. It is used
// only by tests (sip, phone, cmd).
//
// Every process is a child of the test, listens on random free ports on
// 127.0.0.1 and is stopped in t.Cleanup; its log is copied into the test
// output when the test fails. Tests using this package are skipped under
// `go test -short` and, with a message, when the binary is not installed
// (Debian: kamailio kamailio-tls-modules baresip-core).
//
// Kamailio (StartKamailio) is a registrar + record-routing stateful proxy:
// digest auth with qop=auth (401 for REGISTER, 407 for INVITE/REFER/INFO…),
// TLS on Addr with a fresh CA (CAFile, CAPool; the certificate names
// "localhost" and 127.0.0.1), plain TCP and UDP on TCPAddr and UDPAddr,
// domain "localhost", min_expires 1 s, no database (passwords live in the
// generated kamailio.cfg), media passed through. Calls to a TLS client go
// back over the connection it registered on. Contacts and Expires read the
// location table through kamcmd; Restart simulates a server restart.
//
// Baresip (StartBaresip) registers through a Kamailio over TLS with
// mediaenc=srtp-mand (BaresipOptions), audio from ausine and no player.
// Drive it with Dial, Accept, Hangup, Hold, Resume, SendDTMF (RFC 4733) or
// Command (any ctrl_tcp command); observe it with WaitEvent ("CALL_INCOMING",
// "CALL_ESTABLISHED", "CALL_CLOSED", "CALL_DTMF_START", …), Events,
// ReceivedDTMF and WaitLog.
//
// # The home network (netlab*.go, Linux, root)
//
// NewLab(t) builds namespaces Home → Router (NAT: nftables masquerade) →
// Internet on 198.18.0.0/15 and removes them at the end of the test
// (RequireNetlab skips under -short, without root or without ip/nft):
//
//	l := testpeer.NewLab(t)  // l.Home, l.Router, l.Internet; l.HomeIP 198.18.0.2, l.PublicIP 198.19.0.1, l.ServerIP 198.19.0.2, l.ServerIP2 198.19.0.3
//	k := testpeer.StartKamailioWith(t, users, testpeer.KamailioOptions{Netns: l.Internet, IP: l.ServerIP.String(), NATHelper: true})
//	b := testpeer.StartBaresip(t, k, "2000", "pw", testpeer.BaresipOptions{Netns: l.Internet, IP: l.ServerIP.String()})
//	turn := testpeer.StartCoturn(t, testpeer.CoturnOptions{Netns: l.Internet, IP: l.ServerIP.String(), AltIP: l.ServerIP2.String()})
//	// turn.Addr 198.19.0.2:3478 (UDP+TCP), turn.TLSAddr 198.19.0.2:443, turn.User/Password/Realm, turn.CAPool, turn.URIs()
//
// Our phone runs inside Home by re-running the current test in its own
// binary there (StartChild); the child sees InChild() and uses the usual
// in-process harness, so all its sockets live in Home:
//
//	func TestX(t *testing.T) {
//		if testpeer.InChild() { /* phone part: os.Getenv("…"), then */ testpeer.WriteResult(t, v); return }
//		l := testpeer.NewLab(t) …
//		ch := testpeer.StartChild(t, l.Home, map[string]string{"…": k.Addr})
//		ch.Wait(t, time.Minute); ch.Result(t, &v)
//	}
//
// Changing the network: l.BlockUDP(t) (drops UDP from home, TCP passes;
// BlockedUDP counts), l.SetConntrackTimeouts(t, udp, tcp) (the router's NAT
// forgets idle mappings), l.SwitchUplink(t) (Wi-Fi ↔ LTE: the route moves,
// the old address disappears), l.ChangeHomeIP(t) (a new address on the same
// link), l.Redirect(t, dst, relay) (UDP from home to dst goes through a relay
// on the router, e.g. internal/netem created with ListenPacketNetns). From
// the test process: InNetns(ns, f) runs f with sockets made inside ns;
// DialNetns and ListenPacketNetns are the short forms; NetnsCommand and
// l.Exec run programs there.
//
// Typical use:
//
//	k := testpeer.StartKamailio(t, map[string]string{"alice": "pw1", "bob": "pw2"})
//	bob := testpeer.StartBaresip(t, k, "bob", "pw2", testpeer.BaresipOptions{AutoAnswer: true})
//	// point the code under test at k.Addr (TLS), trusting k.CAPool, domain k.Domain
//	bob.Dial(t, "sip:alice@"+k.Domain)
//	bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
package testpeer
