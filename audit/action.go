package audit

// Action names used across the softphone. Each event has its own name so a
// reviewer can filter for, say, every export without also seeing playbacks.
// Other packages may record further actions; names are lowercase, dotted.
const (
	ActionLogin           = "auth.login"            // successful login (attrs: profile, role)
	ActionLoginFailed     = "auth.login_failed"     // refused password or code
	ActionLockout         = "auth.lockout"          // profile locked after too many failures
	ActionUnlock          = "auth.unlock"           // lock released (timeout or admin)
	ActionLogout          = "auth.logout"           // explicit logout
	ActionReveal          = "crm.reveal"            // a masked field was revealed (attrs: field, reason)
	ActionRecordingStart  = "recording.start"       // audio starts being written for a call
	ActionRecordingPause  = "recording.pause"       // gate closed (attrs: reasons)
	ActionRecordingResume = "recording.resume"      // gate opened again
	ActionRecordingStop   = "recording.stop"        // recording sealed (attrs: status)
	ActionRecordingFail   = "recording.failed"      // writer failed (disk full …); the call goes on
	ActionRecordingToggle = "recording.toggle"      // supervisor switched recording on/off for a call
	ActionConsent         = "recording.consent"     // customer consent given or refused
	ActionOptOut          = "recording.opt_out"     // customer opted out; recorded audio discarded
	ActionFlag            = "recording.flag"        // flagged for review (attrs: reason)
	ActionDelete          = "recording.delete"      // crypto-shredded and removed
	ActionHold            = "recording.hold"        // legal hold set
	ActionRelease         = "recording.release"     // legal hold released
	ActionRetention       = "recording.retention"   // retention sweep deleted a recording
	ActionPlayback        = "recording.playback"    // decrypted for listening
	ActionExport          = "recording.export"      // decrypted to a file
	ActionPolicyChange    = "policy.change"         // default policy changed (attrs: setting, old, new)
	ActionTamper          = "audit.tamper_detected" // the log or its anchor did not match at open
	ActionCrashTail       = "audit.crash_tail"      // one entry after the anchor adopted at open (attrs: seq)
	ActionAuditExport     = "audit.export"          // the log was exported (DPO)
	ActionCRMImport       = "crm.import"            // contacts imported (attrs: counts)
	ActionCRMLookup       = "crm.lookup"            // a number was looked up (attrs: pseudonym, found)
	ActionErase           = "crm.erase"             // a customer was erased (attrs: pseudonym, counts)
	ActionDenied          = "permission.denied"     // an action was refused by the permission table
)
