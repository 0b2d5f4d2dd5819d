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
// Typical use:
//
//	k := testpeer.StartKamailio(t, map[string]string{"alice": "pw1", "bob": "pw2"})
//	bob := testpeer.StartBaresip(t, k, "bob", "pw2", testpeer.BaresipOptions{AutoAnswer: true})
//	// point the code under test at k.Addr (TLS), trusting k.CAPool, domain k.Domain
//	bob.Dial(t, "sip:alice@"+k.Domain)
//	bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
package testpeer
