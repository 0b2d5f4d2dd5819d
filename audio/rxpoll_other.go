//go:build !linux

package audio

import "time"

// rxPoller is Linux-only (kernel receive timestamps); elsewhere rxLoop and rtcpRxLoop run as
// goroutines.
type rxPoller struct{}

func (s *Session) newRxPoller() *rxPoller { return nil }

func (s *Session) newRTCPPoller() *rxPoller { return nil }

func (p *rxPoller) drain(time.Time) error { return nil }
