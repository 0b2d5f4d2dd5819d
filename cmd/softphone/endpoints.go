package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"softphone/audio"
	"softphone/audio/device"
	"softphone/phone"
)

// fileEndpoints gives each call a WAV file source (--play), a WAV file sink
// (--record); without files the sound card, and with one file the null
// device for the other side. With several calls, recordings go to out.wav,
// out-2.wav, …
func fileEndpoints(play, record string, card *soundCard) phone.Endpoints {
	return &endpoints{play: play, record: record, card: card}
}

type endpoints struct {
	play, record string
	card         *soundCard

	mu sync.Mutex // guards n
	n  int        // calls opened so far
}

func (e *endpoints) Open(call phone.CallInfo) (audio.Source, audio.Sink, io.Closer, error) {
	e.mu.Lock()
	e.n++
	n := e.n
	e.mu.Unlock()

	var closers closeAll
	var src audio.Source
	var sink audio.Sink
	if e.play != "" {
		s, err := device.OpenWAV(e.play, true)
		if err != nil {
			return nil, nil, nil, err
		}
		src = s
	}
	if e.record != "" {
		path := e.record
		if n > 1 {
			ext := filepath.Ext(path)
			path = fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), n, ext)
		}
		w, err := device.CreateWAV(path)
		if err != nil {
			return nil, nil, nil, err
		}
		sink = w
		closers = append(closers, w)
	}
	if src == nil || sink == nil {
		var dsrc audio.Source
		var dsink audio.Sink
		var c io.Closer
		var err error
		if e.play != "" || e.record != "" {
			n := &device.Null{}
			dsrc, dsink = n, n
		} else {
			dsrc, dsink, c, err = e.card.OpenStrict()
		}
		if err != nil {
			closers.Close()
			return nil, nil, nil, err
		}
		if c != nil {
			closers = append(closers, c)
		}
		if src == nil {
			src = dsrc
		}
		if sink == nil {
			sink = dsink
		}
	}
	return src, sink, closers, nil
}

// closeAll closes every closer and joins the errors; safe to call twice
// only if each closer is idempotent (the device and WAV closers are).
type closeAll []io.Closer

func (c closeAll) Close() error {
	var errs []error
	for _, x := range c {
		errs = append(errs, x.Close())
	}
	return errors.Join(errs...)
}
