package jitter

// SetLookahead keeps n packets buffered ahead of the one playing even on a quiet line, where the
// buffer otherwise plays each packet at the first pop after it arrived: a codec that rebuilds a
// lost frame from the next packet (Opus in-band FEC) needs that packet here when the lost one is
// due. It costs n frames of delay.
func (b *Buffer) SetLookahead(n int) { b.lookahead = max(n, 0) }

// Lookahead is what SetLookahead set (0 by default).
func (b *Buffer) Lookahead() int { return b.lookahead }
