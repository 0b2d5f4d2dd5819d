package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEchoCancelSetting(t *testing.T) {
	for _, v := range []string{"", "auto", "on", "off"} {
		c := Default()
		c.Audio.EchoCancel = v
		assert.NoError(t, c.Validate(), v)
	}
	c := Default()
	c.Audio.EchoCancel = "sometimes"
	assert.ErrorContains(t, c.Validate(), "audio.echo_cancel")
}

func TestDefaultCodecsWidebandFirst(t *testing.T) {
	assert.Equal(t, []string{"opus", "G722", "PCMA", "PCMU"}, Default().Media.Codecs)
}

func TestPeriodSetting(t *testing.T) {
	c := Default()
	for _, v := range []int{0, 5, 10, 20} {
		c.Audio.PeriodMS = v
		assert.NoError(t, c.Validate(), "period_ms %d", v)
	}
	for _, v := range []int{-5, 1, 7, 40} {
		c.Audio.PeriodMS = v
		assert.ErrorContains(t, c.Validate(), "audio.period_ms", "period_ms %d", v)
	}
}
