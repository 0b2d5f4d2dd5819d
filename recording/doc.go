// Package recording records calls, encrypted as they are captured.
//
// # Use from the phone
//
//	store, err := recording.NewStore(recording.Config{Dir, Recipients, RetentionDays, Policy,
//	        Auditor, Clock, PseudonymKey, AutoPausePayment, AutoPauseDTMF, DTMFIdle})
//	rec, err := store.Start(ctx, recording.CallMeta{CallID, Direction, Number, Started}, agent)
//	rec.OnState(func(st recording.State, why string) { … show "RECORDING" / "PAUSED" / "NOT RECORDING — why" })
//	rec.WriteAgent(pcm); rec.WriteCustomer(pcm)   // 8 kHz mono frames; never block on I/O, never panic
//	rec.Pause(recording.PauseAgent); rec.Resume(recording.PauseAgent)   // agent button
//	rec.Payment(true); rec.Payment(false)        // CRM payment in progress (Config.AutoPausePayment)
//	rec.PromptDTMF(); rec.DTMF('4')               // auto-pause while the customer keys digits
//	rec.Consent(agent, true); rec.OptOut(agent); rec.SetRecording(sup, recording.RoleSupervisor, true)
//	rec.Flag(agent, reason); rec.Close()          // Close seals; idempotent
//	store.List / Get / Flag / Delete / Hold / Release / Sweep / SetPolicy / Open / Verify / Close
//
// # Storage and cryptography
//
// Each recording gets a fresh age X25519 identity. Audio is encrypted with
// age to that identity's public key in segment files (Dir/ID/seg-NNNNNN.age)
// of at most one second of audio each: a segment is encrypted in memory,
// written to a .tmp file, fsynced and renamed, so after a kill -9 every
// sealed segment decrypts and at most ~1 s of audio (plus the queue) is
// lost. No plaintext audio is ever written to disk. The per-recording
// identity is stored only in the SQLite index (Dir/index.db), age-encrypted
// to the organisation's recipients; Delete destroys that wrapped key
// (crypto-shred, secure_delete and a WAL checkpoint) before removing the
// files, so leftover copies of the segments cannot be decrypted by anyone.
//
// Every index row carries an HMAC (key derived from the local PseudonymKey)
// over its JSON document and the hash of its wrapped key; List, Open, Sweep
// and Verify check it. Segment contents are bound to their recording and
// position by a header inside the AEAD.
//
// # The gate
//
// Pause reasons (agent, payment, dtmf) form a set; the recorder is PAUSED
// while any is active. The gate sits in WriteAgent/WriteCustomer before any
// copy, queue or encryption: audio of a paused stretch never leaves the
// caller's buffer. Pause intervals are kept in the index. State() always
// reports the gate's actual state.
//
// # Limits
//
// The index MAC stops edits of a row but not the removal of a whole row
// together with its directory, nor the replay of an older, validly MACed
// version of a row; the audit log records every change and is the
// reference for those. Anyone holding the local key (the keyring) can forge
// rows. Segment files from before a crash that were never sealed (at most
// the last second) are removed at recovery.
//
// Roles are checked against the one permission table in package auth
// (Config.Permissions, default auth.DefaultTable; refusals are audited):
// agents flag and list their own recordings; supervisors switch recording
// per call, list all, play back and export; the admin changes the policy,
// holds and deletes but does not listen; the DPO holds, deletes and erases.
package recording
