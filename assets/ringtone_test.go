package assets

import (
	"encoding/binary"
	"math"
	"testing"
)

func TestRingtoneWAV(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		wav := RingtoneWAV(rate)
		n := int(math.Round(RingtonePeriod * float64(rate)))
		if len(wav) != 44+2*n {
			t.Fatalf("rate %d: %d bytes, want %d", rate, len(wav), 44+2*n)
		}
		le := binary.LittleEndian
		checks := []struct {
			name string
			got  uint32
			want uint32
		}{
			{"RIFF size", le.Uint32(wav[4:]), uint32(36 + 2*n)},
			{"fmt size", le.Uint32(wav[16:]), 16},
			{"format", uint32(le.Uint16(wav[20:])), 1},
			{"channels", uint32(le.Uint16(wav[22:])), 1},
			{"rate", le.Uint32(wav[24:]), uint32(rate)},
			{"byte rate", le.Uint32(wav[28:]), uint32(2 * rate)},
			{"bits", uint32(le.Uint16(wav[34:])), 16},
			{"data size", le.Uint32(wav[40:]), uint32(2 * n)},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("rate %d %s = %d, want %d", rate, c.name, c.got, c.want)
			}
		}
		if string(wav[0:4]) != "RIFF" || string(wav[8:16]) != "WAVEfmt " || string(wav[36:40]) != "data" {
			t.Errorf("rate %d: bad chunk ids", rate)
		}
	}
}

func TestRingtonePCM(t *testing.T) {
	const rate = 8000
	pcm := RingtonePCM(rate)
	peak := 0.0
	for _, s := range pcm {
		peak = math.Max(peak, math.Abs(float64(s)))
	}
	limit := ringLevel * math.MaxInt16
	if peak > limit+1 || peak < limit*0.8 {
		t.Errorf("peak %v, want about %v (soft, not clipping)", peak, limit)
	}
	// Energy in the bursts, silence in the gap and at the end.
	energy := func(from, to float64) float64 {
		e := 0.0
		for _, s := range pcm[int(from*rate):int(to*rate)] {
			e += float64(s) * float64(s)
		}
		return e
	}
	if energy(0.05, 0.35) == 0 || energy(0.65, 0.95) == 0 {
		t.Error("burst is silent")
	}
	if energy(0.41, 0.59) != 0 || energy(1.01, RingtonePeriod) != 0 {
		t.Error("gap or pause is not silent")
	}
	if pcm[0] != 0 {
		t.Errorf("first sample %d, want a fade-in from 0", pcm[0])
	}
	if RingtonePCM(0) != nil {
		t.Error("rate 0 gave samples")
	}
}
