package wav

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestHeader(t *testing.T) {
	tests := []struct {
		name             string
		frames           uint64
		rate, channels   int
		wantData, wantBR uint32
		wantAlign        uint16
	}{
		{"mono 8k one second", 8000, 8000, 1, 16000, 16000, 2},
		{"stereo 8k one second", 8000, 8000, 2, 32000, 32000, 4},
		{"empty", 0, 8000, 1, 0, 16000, 2},
		{"too long is capped", 1 << 40, 8000, 2, 0xFFFFFFFF - 36, 32000, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Header(tt.frames, tt.rate, tt.channels)
			if len(h) != HeaderSize || !bytes.Equal(h[0:4], []byte("RIFF")) || !bytes.Equal(h[8:16], []byte("WAVEfmt ")) || !bytes.Equal(h[36:40], []byte("data")) {
				t.Fatalf("bad header layout % x", h)
			}
			if got := binary.LittleEndian.Uint32(h[40:]); got != tt.wantData {
				t.Errorf("data size %d, want %d", got, tt.wantData)
			}
			if got := binary.LittleEndian.Uint32(h[4:]); got != 36+tt.wantData {
				t.Errorf("RIFF size %d, want %d", got, 36+tt.wantData)
			}
			if got := binary.LittleEndian.Uint32(h[28:]); got != tt.wantBR {
				t.Errorf("byte rate %d, want %d", got, tt.wantBR)
			}
			if got := binary.LittleEndian.Uint16(h[32:]); got != tt.wantAlign {
				t.Errorf("block align %d, want %d", got, tt.wantAlign)
			}
			if got := binary.LittleEndian.Uint16(h[22:]); int(got) != tt.channels {
				t.Errorf("channels %d", got)
			}
		})
	}
}
