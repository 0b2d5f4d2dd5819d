//go:build windows

package instance

var testTransports = map[string]transport{"tcp": tcpTransport{}}
