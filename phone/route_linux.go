//go:build linux

package phone

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// routeFrom returns the local address the system picks to reach to: a UDP socket connected to
// it (no packet leaves) and its bound name. None of these calls blocks, so they are made raw:
// a Go system call, or a socket registered with the netpoller, wakes the runtime's monitor
// thread, which then polls for a while; four times a second during a call that showed up in the
// call's context switches.
func routeFrom(to netip.Addr) (netip.Addr, error) {
	var (
		sa4 unix.RawSockaddrInet4
		sa6 unix.RawSockaddrInet6
		sa  unsafe.Pointer
		n   uintptr
		af  = unix.AF_INET
	)
	port := (*[2]byte)(unsafe.Pointer(&sa4.Port))
	if to.Is4() {
		sa4.Family, sa4.Addr = unix.AF_INET, to.As4()
		sa, n = unsafe.Pointer(&sa4), unsafe.Sizeof(sa4)
	} else {
		af = unix.AF_INET6
		sa6.Family, sa6.Addr = unix.AF_INET6, to.As16()
		port = (*[2]byte)(unsafe.Pointer(&sa6.Port))
		sa, n = unsafe.Pointer(&sa6), unsafe.Sizeof(sa6)
	}
	port[0], port[1] = 0, 9
	fd, _, e := unix.RawSyscall(unix.SYS_SOCKET, uintptr(af), unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if e != 0 {
		return netip.Addr{}, e
	}
	defer unix.RawSyscall(unix.SYS_CLOSE, fd, 0, 0) //nolint:errcheck // a UDP socket's close cannot fail usefully
	if _, _, e := unix.RawSyscall(unix.SYS_CONNECT, fd, uintptr(sa), n); e != 0 {
		return netip.Addr{}, e
	}
	var name unix.RawSockaddrInet6 // large enough for either family
	l := uint32(unsafe.Sizeof(name))
	if _, _, e := unix.RawSyscall(unix.SYS_GETSOCKNAME, fd, uintptr(unsafe.Pointer(&name)), uintptr(unsafe.Pointer(&l))); e != 0 {
		return netip.Addr{}, e
	}
	if af == unix.AF_INET {
		in4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&name))
		return netip.AddrFrom4(in4.Addr), nil
	}
	return netip.AddrFrom16(name.Addr).Unmap(), nil
}
