package audio_test

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"

	"softphone/audio"
	"softphone/audio/device"
)

// The life of the media of an outgoing call, as phone drives it: offer, answer from the dialog,
// run until the call ends, close. For an incoming call use Answer(offer) instead of Offer/SetAnswer;
// ErrSRTPRequired from either means 488 / end the call.
func Example() {
	mic, speaker := &device.Null{}, &device.Null{} // or device.Open(device.Config{…})
	s, err := audio.NewSession(audio.Config{
		LocalIP:     netip.MustParseAddr("127.0.0.1"),
		RequireSRTP: true,
		Source:      mic,
		Sink:        speaker,
		OnDTMF:      func(d rune) { slog.Info("dtmf", "digit", string(d)) },
	})
	if err != nil {
		return
	}
	defer s.Close()
	offer, _ := s.Offer()
	answer := dial(offer) // sip.UA.Dial(ctx, target, offer, …) → dialog.RemoteSDP()
	if err := s.SetAnswer(answer); errors.Is(err, audio.ErrSRTPRequired) {
		return // end the call: the other side does not do SRTP
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_ = s.SendDTMF("123#")
		hold, _ := s.SetHold(true) // send as re-INVITE, pass the answer to SetAnswer
		_ = hold
		cancel() // hang up
	}()
	_ = s.Run(ctx) // returns when the call ends
}

func dial(offer []byte) []byte { return offer }
