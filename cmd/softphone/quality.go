package main

import "softphone/phone"

// emitQuality writes a call's live quality warning as headless JSON: quality_warning (cause
// loss|mos|jitter, value in percent, MOS or ms) and quality_cleared.
func emitQuality(env *cli, ours map[string]bool, ev phone.Event) {
	switch e := ev.(type) {
	case phone.QualityWarning:
		if ours[e.CallID] {
			env.emit("quality_warning", map[string]any{"call_id": e.CallID, "cause": e.Cause.String(), "value": round(e.Value)})
		}
	case phone.QualityCleared:
		if ours[e.CallID] {
			env.emit("quality_cleared", map[string]any{"call_id": e.CallID})
		}
	}
}
