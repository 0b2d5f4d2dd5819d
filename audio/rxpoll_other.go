//go:build !linux

package audio

import "time"

// rxPoller is Linux-only (kernel receive timestamps); elsewhere rxLoop runs as a goroutine.
type rxPoller struct{}

func (s *Session) newRxPoller() *rxPoller { return nil }

func (p *rxPoller) drain(*Session, time.Time) error { return nil }
