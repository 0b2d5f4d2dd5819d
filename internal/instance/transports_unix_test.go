//go:build unix

package instance

var testTransports = map[string]transport{"unix": unixTransport{}, "tcp": tcpTransport{}}
