package central

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
)

// maxPack bounds what is read for one pack (60 one-second segments are ~2 MB).
const maxPack = 64 << 20

// packSource serves segments of a central recording from its packs, one
// pack in memory at a time, each checked against the manifest's SHA-256.
type packSource struct {
	ctx   context.Context
	store Objects
	day   string
	m     Manifest

	cur  int // number of the pack in data (0: none)
	data []byte
}

func (p *packSource) segment(n int) (io.ReadCloser, error) {
	for _, pk := range p.m.Packs {
		if n < pk.First || n > pk.Last() {
			continue
		}
		if p.cur != pk.N {
			if err := p.fetch(pk); err != nil {
				return nil, err
			}
		}
		off := int64(0)
		for s := pk.First; s < n; s++ {
			off += pk.Sizes[s-pk.First]
		}
		size := pk.Sizes[n-pk.First]
		if off+size > int64(len(p.data)) {
			return nil, fmt.Errorf("%w: pack %d is shorter than its table", ErrTampered, pk.N)
		}
		return io.NopCloser(bytes.NewReader(p.data[off : off+size])), nil
	}
	return nil, fmt.Errorf("%w: segment %d is in no uploaded pack", ErrTampered, n)
}

func (p *packSource) fetch(pk Pack) error {
	data, err := p.store.Get(p.ctx, packKey(p.day, p.m.Meta.ID, pk.N), maxPack)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if base64.StdEncoding.EncodeToString(sum[:]) != pk.SHA256 || int64(len(data)) != pk.Size {
		return fmt.Errorf("%w: pack %d does not match its checksum", ErrTampered, pk.N)
	}
	p.cur, p.data = pk.N, data
	return nil
}
