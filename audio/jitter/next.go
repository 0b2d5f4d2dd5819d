package jitter

// Next returns the packet that plays next if it has already arrived. Right after Pop returned
// FrameLost it is the packet that follows the gap, whose in-band FEC (Opus, RFC 6716 section
// 2.1.7) can rebuild the lost frame. The payload is valid until the next call on the Buffer.
func (b *Buffer) Next() (payload []byte, pt uint8, ok bool) {
	if !b.started {
		return nil, 0, false
	}
	s := b.slotFor(b.next)
	if !s.used || s.ext != b.next {
		return nil, 0, false
	}
	return s.payload, s.pt, true
}
