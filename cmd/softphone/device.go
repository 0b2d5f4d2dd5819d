package main

import (
	"errors"
	"io"
	"log/slog"
	"sync"

	"softphone/audio"
	"softphone/audio/device"
	"softphone/config"
)

// soundCard opens the configured sound devices per call, and falls back to
// the null device (with a warning, once) when there is no sound card, so a
// call still connects and the agent is told why it is silent.
type soundCard struct {
	backend string
	log     *slog.Logger

	mu            sync.Mutex // guards the fields below
	input, output string     // device names; "" = system default
	ring          string     // the ringtone's output device
	noDevice      error      // set after the first failed open; reported once
}

// select_ chooses the devices of the next call and of the ringtone.
func (s *soundCard) select_(input, output, ring string) {
	s.mu.Lock()
	s.input, s.output, s.ring = input, output, ring
	s.mu.Unlock()
}

func (s *soundCard) ringDevice() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ring
}

func (s *soundCard) devices() (input, output string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.input, s.output
}

// newSoundCard selects the devices of the configuration; backend, when not
// empty, overrides the configured backend (the --audio flag).
func newSoundCard(a config.Audio, backend string, log *slog.Logger) *soundCard {
	if backend == "" {
		backend = a.Backend
	}
	c := &soundCard{backend: backend, log: log}
	c.select_(a.Input, a.Output, a.Ring)
	return c
}

// openStrict opens the devices for a headless call: the null device when
// the backend is "null", else the sound card or a clear error (automation
// must not run silent by surprise).
func (s *soundCard) openStrict() (audio.Source, audio.Sink, io.Closer, error) {
	if s.backend == "null" {
		n := &device.Null{}
		return n, n, io.NopCloser(nil), nil
	}
	in, out := s.devices()
	d, err := device.Open(device.Config{Backend: s.backend, Capture: in, Playback: out, Logger: s.log})
	if err != nil {
		return nil, nil, nil, err
	}
	return d, d, d, nil
}

// open returns the devices for one call.
func (s *soundCard) open() (audio.Source, audio.Sink, io.Closer, error) {
	if s.backend != "null" {
		in, out := s.devices()
		d, err := device.Open(device.Config{Backend: s.backend, Capture: in, Playback: out, Logger: s.log})
		if err == nil {
			return d, d, d, nil
		}
		s.mu.Lock()
		first := s.noDevice == nil
		s.noDevice = err
		s.mu.Unlock()
		if first {
			s.log.Warn("no sound card: calls use the null device (silence)", "err", err)
		}
	}
	n := &device.Null{}
	return n, n, io.NopCloser(nil), nil
}

// Problem is why calls are silent, or nil.
func (s *soundCard) Problem() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noDevice != nil {
		return errors.Join(errors.New("no sound card found: calls are silent (null device)"), s.noDevice)
	}
	return nil
}

// noSoundCardNotice is what the desktop shows when calls would be silent.
const noSoundCardNotice = "No sound card found: calls connect but are silent (null audio device)."

// probe reports whether the sound card can be opened at all (it is closed
// again at once); the desktop warns when it cannot.
func (s *soundCard) probe() error {
	if s.backend == "null" {
		return nil // chosen on purpose
	}
	in, out := s.devices()
	d, err := device.Open(device.Config{Backend: s.backend, Capture: in, Playback: out, Logger: s.log})
	if err != nil {
		s.mu.Lock()
		s.noDevice = err
		s.mu.Unlock()
		return err
	}
	return d.Close()
}
