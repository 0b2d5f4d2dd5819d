package main

import (
	"io"

	"softphone/audio"
	"softphone/audio/device/card"
	"softphone/phone"
)

// fileEndpoints gives each headless call its --play/--record WAV files or the sound card
// (card.Files, which holds the rules) as phone.Endpoints.
func fileEndpoints(play, record string, c *soundCard) phone.Endpoints {
	return filesEndpoints{card.NewFiles(play, record, c)}
}

type filesEndpoints struct{ files *card.Files }

func (e filesEndpoints) Open(phone.CallInfo) (audio.Source, audio.Sink, io.Closer, error) {
	return e.files.Open()
}
