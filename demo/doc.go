// Package demo is the embedded demo PBX behind `softphone --demo` and a fast
// in-process SIP peer for tests of the phone package.
//
// Start runs a small SIP server (github.com/emiago/sipgo) on 127.0.0.1 over
// TLS with a certificate authority made at start and trusted only by the
// process that asks for it (CAPool, CAPEM). It offers:
//
//   - a registrar with digest authentication (qop=auth) that remembers the
//     TLS connection each registration came on, so calls reach the agent over
//     that same flow (the agent listens on no port of its own);
//   - extensions: "echo" (also "*43") answers with SRTP and returns the
//     caller's audio, "music" (also "*97") plays a tone sequence, "busy"
//     answers 486, "ring" rings until cancelled; calls to another registered
//     user are bridged (B2BUA);
//   - scripted demo customers (CallAgent) who call the agent from the numbers
//     in the embedded demo CRM data (ContactsCSV), which is entirely synthetic.
//
// A phone connects with Server = Addr(), Domain = Domain() (also the TLS
// server name), RootCAs = CAPool() and the credentials of Agent(). Everything
// listens on 127.0.0.1 only; media are SRTP (SDES, AES_CM_128_HMAC_SHA1_80 or
// AEAD_AES_128_GCM) with G.711; plain RTP offers are refused with 488.
//
// The demo PBX is never used by a configuration that is not a demo one.
package demo
