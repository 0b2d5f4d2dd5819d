package audio

// A private coturn starter for the ICE tests. Helper "netlab" adds the shared one in
// internal/testpeer/coturn.go; once that is merged this file can go.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type coturn struct {
	port, tlsPort int    // TURN over UDP and TCP on port, TLS on tlsPort
	user, pass    string // long-term credential
	caFile        string // the self-signed server certificate, to trust
}

type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startCoturn runs Debian's turnserver on random loopback ports with a long-term credential
// and a self-signed certificate for TLS; the test's cleanup stops it.
func startCoturn(t *testing.T) *coturn {
	t.Helper()
	bin, err := exec.LookPath("turnserver")
	if err != nil {
		t.Skip("turnserver (coturn) not installed")
	}
	dir := t.TempDir()
	cert, key := writeSelfSigned(t, dir)
	c := &coturn{port: freeTCPUDP(t), tlsPort: freeTCPUDP(t), user: "agent", pass: "s3cret-turn", caFile: cert}
	minPort := 40000 + int(time.Now().UnixNano()%10000)
	conf := fmt.Sprintf(`listening-ip=127.0.0.1
relay-ip=127.0.0.1
listening-port=%d
tls-listening-port=%d
min-port=%d
max-port=%d
lt-cred-mech
user=%s:%s
realm=softphone.test
cert=%s
pkey=%s
no-dtls
allow-loopback-peers
no-cli
no-multicast-peers
fingerprint
no-stun-backward-compatibility
pidfile=%s
log-file=stdout
simple-log
`, c.port, c.tlsPort, minPort, minPort+500, c.user, c.pass, cert, key, filepath.Join(dir, "turn.pid"))
	cf := filepath.Join(dir, "turnserver.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", cf)
	var out lockedBuf
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("coturn log:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range []int{c.port, c.tlsPort} {
		for {
			conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p), 200*time.Millisecond)
			if err == nil {
				conn.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("coturn did not listen on %d:\n%s", p, out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c
}

// freeTCPUDP returns a loopback port free for both TCP and UDP a moment ago.
func freeTCPUDP(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", p))
		l.Close()
		if err == nil {
			u.Close()
			return p
		}
	}
	t.Fatal("no free port")
	return 0
}

func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "turn.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
