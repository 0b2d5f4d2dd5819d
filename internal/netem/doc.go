// Package netem is a small UDP impairment relay for tests and benchmarks.
//
// The kernel on the CI machines has no netem qdisc, so loss, delay, jitter,
// reordering and duplication are built in user space: a Relay listens on one
// UDP address and forwards datagrams between a client and a fixed upstream.
// Datagrams from the upstream address go back to the client the relay last
// heard from (the learned peer); everything else is client traffic and goes
// to the upstream. The upstream therefore sees the relay's listen address as
// its peer, exactly as it would see a NAT or an SBC.
//
// Every random decision is drawn from a generator seeded by Options.Seed, one
// stream per direction, so the same seed and the same packet sequence give the
// same losses, delays and duplicates. Delivery times follow the wall clock.
package netem
