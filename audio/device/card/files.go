package card

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"softphone/audio"
	"softphone/audio/device"
)

// Files are the devices of headless calls (`call --play/--record`): a WAV file source (Play,
// looping, streamed from the file), a WAV file sink (Record); without files the sound card (Card.OpenStrict), and with
// one file the null device for the other side. With several calls, recordings go to out.wav,
// out-2.wav, …
type Files struct {
	play, record string
	card         *Card

	mu sync.Mutex // guards n
	n  int        // calls opened so far
}

// NewFiles returns the devices of headless calls; play and record may be "" and card is only
// used when both are.
func NewFiles(play, record string, card *Card) *Files {
	return &Files{play: play, record: record, card: card}
}

// Open opens the devices of the next call; the closer closes what it opened.
func (f *Files) Open() (audio.Source, audio.Sink, io.Closer, error) {
	f.mu.Lock()
	f.n++
	n := f.n
	f.mu.Unlock()

	if f.play == "" && f.record == "" {
		return f.card.OpenStrict()
	}
	var src audio.Source
	var sink audio.Sink
	var closers closeAll
	if f.play != "" {
		s, err := device.OpenWAV(f.play, true) // streamed from the file, not loaded
		if err != nil {
			return nil, nil, nil, err
		}
		src = s
		closers = append(closers, s)
	}
	if f.record != "" {
		w, err := device.CreateWAV(numbered(f.record, n))
		if err != nil {
			_ = closers.Close()
			return nil, nil, nil, err
		}
		sink = w
		closers = append(closers, w)
	}
	null := &device.Null{}
	if src == nil {
		src = null
	}
	if sink == nil {
		sink = null
	}
	return src, sink, closers, nil
}

// numbered is path for the first call and path-n.ext for the n-th.
func numbered(path string, n int) string {
	if n <= 1 {
		return path
	}
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), n, ext)
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
