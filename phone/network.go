package phone

import (
	"context"
	"net"
	"net/netip"
	"time"

	"softphone/sip"
)

// LinkState is whether a call's network path is up, or being moved to a
// new local address after the machine's address changed.
type LinkState int

// Link states.
const (
	LinkUp           LinkState = iota // media flows on the current address
	LinkReconnecting                  // the address changed: re-INVITE sent, waiting for audio
)

func (l LinkState) String() string {
	if l == LinkReconnecting {
		return "reconnecting"
	}
	return "up"
}

// NetworkChanged is sent when the local address used to reach the SIP
// server changed (Wi-Fi to LTE, a new DHCP lease, a VPN): the phone
// registers on a new connection and moves its calls there.
type NetworkChanged struct {
	From, To netip.Addr
	At       time.Time // when the change was seen
	// Registered is how long after At the new REGISTER was answered
	// (0 while pending or when it failed; Err says why).
	Registered time.Duration
	Err        error
}

func (NetworkChanged) isEvent() {}

// netWatchInterval is how often the phone looks at the route to the SIP
// server (a UDP "connect": no packet leaves), well inside the 2 s in which
// registration must follow an address change.
const netWatchInterval = 250 * time.Millisecond

// routeSource returns the local address the system picks to reach host.
func routeSource(host string) (netip.Addr, error) {
	var p routeProbe
	return p.source(host)
}

// serverHost is the host of the SIP server registered at now (the
// configured one before the first registration).
func (a *Agent) serverHost() string {
	a.mu.Lock()
	ua := a.ua
	a.mu.Unlock()
	s := a.Settings().Account.Server
	if ua != nil && ua.Target() != "" {
		s = ua.Target()
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return s
}

// startNetWatchLocked starts the watcher of the local address; it ends
// with the agent.
func (a *Agent) startNetWatchLocked(ua *sip.UA) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.watchNetwork(ua)
	}()
}

// watchNetwork polls the source address toward the SIP server. When it
// changes, the phone registers on a new connection and moves every
// established call to the new address (netmove.go).
func (a *Agent) watchNetwork(ua *sip.UA) {
	t := time.NewTicker(netWatchInterval)
	defer t.Stop()
	var probe routeProbe // resolves the server's name once per target (route.go)
	cur, _ := probe.source(a.serverHost())
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-t.C:
		}
		next, err := probe.source(a.serverHost())
		if err != nil || !next.IsValid() || next == cur {
			continue // no route (between links): wait for one
		}
		from := cur
		cur = next
		if !from.IsValid() {
			continue
		}
		a.networkChanged(ua, from, next)
	}
}

// networkChanged reacts to a new local address: calls show
// "reconnecting" at once, the registration moves to a new connection, then
// each call is re-INVITEd with the new address.
func (a *Agent) networkChanged(ua *sip.UA, from, to netip.Addr) {
	at := time.Now()
	a.log.Info("local address changed; reconnecting", "from", from, "to", to)
	calls := a.establishedCalls()
	for _, c := range calls {
		c.update(func(i *CallInfo) { i.Link = LinkReconnecting })
	}
	ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
	err := ua.Reconnect(ctx)
	cancel()
	ev := NetworkChanged{From: from, To: to, At: at, Err: err}
	if err == nil {
		ev.Registered = time.Since(at)
		a.log.Info("registered on the new address", "after", ev.Registered.Round(time.Millisecond))
	} else {
		a.log.Warn("re-register after address change failed; retrying in the background", "err", err)
	}
	a.hub.publish(ev)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	for _, c := range calls {
		a.wg.Add(1)
		go c.moveTo(to, at)
	}
}

// establishedCalls lists the calls with a dialog and media.
func (a *Agent) establishedCalls() []*call {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []*call
	for _, id := range a.order {
		if c := a.calls[id]; c.dialog != nil && c.sess != nil {
			out = append(out, c)
		}
	}
	return out
}
