package testpeer

import (
	"net"
	"os/exec"
	"time"
)

// NetnsCommand is exec.Command(name, args...) run inside the network
// namespace ns through `ip netns exec` (which execs name: the process is the
// command itself); with ns empty it is exec.Command.
func NetnsCommand(ns, name string, args ...string) *exec.Cmd {
	if ns == "" {
		return exec.Command(name, args...)
	}
	return exec.Command("ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

// DialNetns dials network/addr from inside the namespace ns (empty: the
// test's own).
func DialNetns(ns, network, addr string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := InNetns(ns, func() (err error) {
		c, err = net.DialTimeout(network, addr, timeout)
		return err
	})
	return c, err
}

// ListenPacketNetns opens a packet socket (e.g. "udp4", "198.18.0.1:0")
// inside the namespace ns.
func ListenPacketNetns(ns, network, addr string) (net.PacketConn, error) {
	var c net.PacketConn
	err := InNetns(ns, func() (err error) {
		c, err = net.ListenPacket(network, addr)
		return err
	})
	return c, err
}
