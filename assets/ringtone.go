package assets

import (
	"bytes"
	"encoding/binary"
	"math"
)

// Ringtone cadence: two 0.4 s bursts of a two-tone chord separated by 0.2 s,
// then 2 s of silence (the British/German "double ring" feel, softer than a
// bell for an eight-hour day). One period is 3 s; players loop it.
const (
	ringBurst   = 0.4 // seconds
	ringGap     = 0.2
	ringSilence = 2.0
	ringF1      = 440.0 // Hz
	ringF2      = 480.0
	ringLevel   = 0.35 // of full scale, so it does not startle
	ringFade    = 0.01 // seconds of fade in/out per burst against clicks
)

// RingtonePeriod is the length of one ringtone period in seconds.
const RingtonePeriod = 2*ringBurst + ringGap + ringSilence

// RingtonePCM synthesises one period of the ringtone as mono 16-bit samples
// at sampleRate (e.g. 8000, 16000, 48000). A rate ≤ 0 yields nil.
func RingtonePCM(sampleRate int) []int16 {
	if sampleRate <= 0 {
		return nil
	}
	n := int(math.Round(RingtonePeriod * float64(sampleRate)))
	out := make([]int16, n)
	burst := int(ringBurst * float64(sampleRate))
	gap := int(ringGap * float64(sampleRate))
	fade := int(ringFade * float64(sampleRate))
	for _, start := range []int{0, burst + gap} {
		for i := 0; i < burst && start+i < n; i++ {
			t := float64(i) / float64(sampleRate)
			v := 0.5 * (math.Sin(2*math.Pi*ringF1*t) + math.Sin(2*math.Pi*ringF2*t))
			env := 1.0
			if fade > 0 {
				if i < fade {
					env = float64(i) / float64(fade)
				} else if burst-1-i < fade {
					env = float64(burst-1-i) / float64(fade)
				}
			}
			out[start+i] = int16(math.Round(v * env * ringLevel * math.MaxInt16))
		}
	}
	return out
}

// RingtoneWAV returns RingtonePCM(sampleRate) as a RIFF/WAVE file
// (PCM, mono, 16-bit little-endian).
func RingtoneWAV(sampleRate int) []byte {
	pcm := RingtonePCM(sampleRate)
	var b bytes.Buffer
	dataLen := uint32(len(pcm) * 2)
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, 36+dataLen)
	b.WriteString("WAVEfmt ")
	binary.Write(&b, binary.LittleEndian, uint32(16))           // fmt chunk size
	binary.Write(&b, binary.LittleEndian, uint16(1))            // PCM
	binary.Write(&b, binary.LittleEndian, uint16(1))            // mono
	binary.Write(&b, binary.LittleEndian, uint32(sampleRate))   // sample rate
	binary.Write(&b, binary.LittleEndian, uint32(sampleRate*2)) // byte rate
	binary.Write(&b, binary.LittleEndian, uint16(2))            // block align
	binary.Write(&b, binary.LittleEndian, uint16(16))           // bits per sample
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, dataLen)
	binary.Write(&b, binary.LittleEndian, pcm)
	return b.Bytes()
}
