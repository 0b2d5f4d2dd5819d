package phone

import "testing"

// toneSource yields a constant non-zero signal.
type toneSource struct{}

func (toneSource) Read(frame []int16) (int, error) {
	for i := range frame {
		frame[i] = 1000
	}
	return len(frame), nil
}

// TestMuteSilencesTheSource: mute is applied once, at the call's source,
// and holds whether or not the device is attached yet.
func TestMuteSilencesTheSource(t *testing.T) {
	l := newLateIO()
	l.mute(true) // muted while ringing, before the devices open
	l.set(toneSource{}, nil)
	frame := make([]int16, 160)
	l.Read(frame)
	for _, v := range frame {
		if v != 0 {
			t.Fatal("muted source sent audio")
		}
	}
	l.mute(false)
	l.Read(frame)
	if frame[0] != 1000 {
		t.Fatal("unmuted source silent")
	}
}
