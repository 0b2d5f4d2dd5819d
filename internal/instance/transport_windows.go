//go:build windows

package instance

// defaultTransport is loopback TCP with a token file on Windows (pure Go; a
// named pipe would need go-winio or hand-written overlapped I/O).
var defaultTransport transport = tcpTransport{}
