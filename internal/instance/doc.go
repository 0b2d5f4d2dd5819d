// Package instance keeps the softphone to one running instance per user and
// hands links (sip:, tel:) from a second start to the running one.
//
// The first start that calls Acquire becomes the primary: it holds an exclusive
// lock file and listens on a local endpoint; links sent by later starts arrive
// on Links. A later start finds the lock taken and becomes a secondary: it
// delivers its link with Send and exits. This is how click-to-call from a
// browser CRM reaches the window the agent is already logged in to.
//
// Endpoints are pure Go (no cgo) so the package builds for every OS:
//   - Linux, macOS: a Unix socket in a per-user 0700 directory
//     ($XDG_RUNTIME_DIR/softphone, else the user cache directory).
//   - Windows: a TCP listener on 127.0.0.1 with a random port, whose port and a
//     random token are written to a file in %LocalAppData%\softphone that only
//     the user can read; a client must present the token.
//
// Link contents are personal data (phone numbers): they are never logged.
package instance
