package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"softphone/phone"
)

func TestEmitQuality(t *testing.T) {
	var out bytes.Buffer
	env := &cli{stdout: &out, stderr: &out}
	ours := map[string]bool{"c1": true}
	emitQuality(env, ours, phone.QualityWarning{CallID: "c1", Cause: phone.QualityLoss, Value: 9.3333})
	emitQuality(env, ours, phone.QualityWarning{CallID: "other", Cause: phone.QualityMOS, Value: 3})
	emitQuality(env, ours, phone.QualityCleared{CallID: "c1"})
	assert.Equal(t, `{"call_id":"c1","cause":"loss","event":"quality_warning","value":9.33}`+"\n"+
		`{"call_id":"c1","event":"quality_cleared"}`+"\n", out.String())
}
