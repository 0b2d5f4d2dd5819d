package netem

import (
	"math/rand/v2"
	"time"
)

// Fate is what the impairment does to one packet.
type Fate struct {
	Drop      bool          // the packet is lost
	Delay     time.Duration // one-way delay when not dropped
	Duplicate bool          // the packet is delivered twice
}

// Model draws packet fates without a socket, for pure simulations (a jitter
// buffer test feeding arrival times). It draws the same stream as a Relay
// direction with the same seed and impairment.
type Model struct {
	imp Impairment
	dec decider
}

// NewModel returns a model of one direction. dir selects the random stream
// a Relay with the same Seed uses for that direction.
func NewModel(seed uint64, dir Direction, imp Impairment) *Model {
	return &Model{imp: imp, dec: decider{rng: newRNG(seed, dir)}}
}

// SetImpairment changes the impairment from the next packet on.
func (m *Model) SetImpairment(imp Impairment) { m.imp = imp }

// Next draws the fate of the next packet.
func (m *Model) Next() Fate {
	f := m.dec.decide(m.imp)
	return Fate{Drop: f.drop, Delay: f.delay, Duplicate: f.dup}
}

func newRNG(seed uint64, dir Direction) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(dir)+0x9e3779b97f4a7c15))
}
