package main

import (
	"log/slog"
	"time"

	"softphone/audio/device/card"
	"softphone/config"
)

// soundCard is the sound devices of calls and of the ringtone (audio/card).
type soundCard = card.Card

// newSoundCard selects the devices of the configuration; backend, when not
// empty, overrides the configured backend (the --audio flag).
func newSoundCard(a config.Audio, backend string, log *slog.Logger) *soundCard {
	if backend == "" {
		backend = a.Backend
	}
	cfg := card.Config{Backend: backend, Period: time.Duration(a.PeriodMS) * time.Millisecond, Logger: log}
	selectDevices(&cfg, a)
	return card.New(cfg)
}

// selectDevices copies the configured priority lists into a card configuration.
func selectDevices(cfg *card.Config, a config.Audio) {
	cfg.Microphones = a.Priority(config.RoleMicrophone)
	cfg.Speakers = a.Priority(config.RoleSpeaker)
	cfg.Ringers = a.Priority(config.RoleRinger)
}

// selectConfigured applies the configured priority lists to the next call and ringtone.
func selectConfigured(c *soundCard, a config.Audio) {
	c.Select(a.Priority(config.RoleMicrophone), a.Priority(config.RoleSpeaker), a.Priority(config.RoleRinger))
}
