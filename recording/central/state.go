package central

import "time"

// State is where one recording's upload is.
type State int

// Upload states.
const (
	StateQueued    State = iota + 1 // sealed segments wait for upload
	StateUploading                  // a pack or the manifest is on its way
	StateUploaded                   // every pack and the manifest are in the store and verified
	StateOffloaded                  // uploaded and the local copy crypto-shredded
	StateRetrying                   // the store failed; the uploader backs off and retries
	StateSkipped                    // not uploadable (index entry failed its integrity check)
)

// String returns the state as shown to users and in JSON output.
func (s State) String() string {
	switch s {
	case StateQueued:
		return "queued"
	case StateUploading:
		return "uploading"
	case StateUploaded:
		return "uploaded"
	case StateOffloaded:
		return "offloaded"
	case StateRetrying:
		return "retrying"
	case StateSkipped:
		return "skipped"
	}
	return "unknown"
}

// Event reports upload progress of one recording.
type Event struct {
	Recording string
	State     State
	Pack      int   // pack number for StateUploading/StateQueued; 0 for the manifest
	Bytes     int64 // bytes sent in this step
	Err       error // why, for StateRetrying and StateSkipped
	RetryIn   time.Duration
}

// Summary is the uploader's state for a status line in the UI.
type Summary struct {
	Pending   int       // recordings with something still to upload
	Uploaded  int       // recordings uploaded in this run
	Retrying  bool      // the store is failing; uploads resume by themselves
	LastError string    // the store's last error, for the user
	NextTry   time.Time // when the next attempt is due while retrying
}
