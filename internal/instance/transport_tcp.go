package instance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tcpTransport listens on 127.0.0.1 with a random port. Any local process
// can connect to a loopback port, so the primary writes the port and a random
// 256-bit token to a file only the user can read, and refuses clients that do
// not present the token. Used on Windows, where Go has no Unix-socket
// permission model to rely on.
type tcpTransport struct{}

func (tcpTransport) path(dir, name string) string { return filepath.Join(dir, name+".port") }

func (t tcpTransport) listen(dir, name string) (net.Listener, string, func() error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, fmt.Errorf("listen: %w", err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		ln.Close()
		return nil, "", nil, fmt.Errorf("token: %w", err)
	}
	token := hex.EncodeToString(raw[:])
	port := ln.Addr().(*net.TCPAddr).Port
	content := []byte(strconv.Itoa(port) + " " + token + "\n")
	path := t.path(dir, name)
	// Write then rename, so a client never reads half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, content, 0o600); err != nil {
		ln.Close()
		return nil, "", nil, fmt.Errorf("endpoint file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		ln.Close()
		return nil, "", nil, fmt.Errorf("endpoint file: %w", err)
	}
	cleanup := func() error {
		// Remove the file only if it is still ours.
		if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, content) {
			return os.Remove(path)
		}
		return nil
	}
	return ln, token, cleanup, nil
}

func (t tcpTransport) dial(ctx context.Context, dir, name string) (net.Conn, string, error) {
	b, err := os.ReadFile(t.path(dir, name))
	if err != nil {
		return nil, "", fmt.Errorf("endpoint file: %w", err)
	}
	port, token, err := parseEndpointFile(b)
	if err != nil {
		return nil, "", err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, "", err
	}
	return c, token, nil
}

var errEndpointFile = errors.New("malformed endpoint file")

// parseEndpointFile reads "PORT TOKEN\n".
func parseEndpointFile(b []byte) (port int, token string, err error) {
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, "", errEndpointFile
	}
	port, err = strconv.Atoi(f[0])
	if err != nil || port <= 0 || port > 65535 {
		return 0, "", errEndpointFile
	}
	if len(f[1]) != 64 {
		return 0, "", errEndpointFile
	}
	if _, err := hex.DecodeString(f[1]); err != nil {
		return 0, "", errEndpointFile
	}
	return port, f[1], nil
}
