package codec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPeerTakesFEC(t *testing.T) {
	for fmtp, want := range map[string]bool{
		"useinbandfec=1; maxplaybackrate=16000":   true,
		"maxplaybackrate=16000;useinbandfec=1":    true,
		"maxplaybackrate=16000; UseInBandFEC = 1": true,
		"useinbandfec=0":                          false,
		"maxplaybackrate=16000":                   false,
		"":                                        false,
		"useinbandfec":                            false,
	} {
		assert.Equal(t, want, PeerTakesFEC(fmtp), fmtp)
	}
}

// The encoder adds LBRR to active speech only when FEC is on, and HasFEC sees it.
func TestOpusSetFECAndHasFEC(t *testing.T) {
	in := speechLike(16000, 3*16000)
	count := func(on bool) (withFEC, total int) {
		enc, err := NewOpus()
		require.NoError(t, err)
		enc.SetFEC(on)
		for i := 0; i+320 <= len(in); i += 320 {
			p := enc.Encode(nil, in[i:i+320])
			total++
			if enc.HasFEC(p) {
				withFEC++
			}
		}
		return withFEC, total
	}
	on, total := count(true)
	off, _ := count(false)
	t.Logf("packets with FEC: %d of %d with FEC on, %d with it off", on, total, off)
	assert.Greater(t, on, total/2)
	assert.Zero(t, off)
	var o Opus
	assert.False(t, o.HasFEC(nil))
	assert.False(t, o.HasFEC([]byte{0xff}))
}
