package testpeer

import (
	"crypto/tls"
	"testing"
	"time"
)

func TestKamailioStartsAndServesTLS(t *testing.T) {
	k := StartKamailio(t, map[string]string{"alice": `pa"ss\word`})
	conn, err := tls.Dial("tcp", k.Addr, &tls.Config{RootCAs: k.CAPool, ServerName: "localhost", MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS handshake with kamailio trusting its CA: %v", err)
	}
	conn.Close()
	if cs := k.Contacts(t, "alice"); len(cs) != 0 {
		t.Fatalf("fresh kamailio has contacts for alice: %v", cs)
	}
	_ = time.Second
}

func TestBaresipRegistersAndCallsItself(t *testing.T) {
	k := StartKamailio(t, map[string]string{"bob": "bob-pw", "carol": "carol-pw"})
	bob := StartBaresip(t, k, "bob", "bob-pw", BaresipOptions{AutoAnswer: true})
	carol := StartBaresip(t, k, "carol", "carol-pw", BaresipOptions{})
	if cs := k.Contacts(t, "bob"); len(cs) != 1 {
		t.Fatalf("bob's contacts = %v", cs)
	}
	carol.Dial(t, bob.URI)
	carol.WaitEvent(t, "CALL_ESTABLISHED", 10*time.Second)
	bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
	bob.WaitLog(t, `SRTP is Enabled`, 5*time.Second)
	carol.Hangup(t)
	bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
}
