package auth

import (
	"runtime/debug"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// releaseAboveKiB is the argon2id memory cost from which a derivation hands
// its working memory back to the OS as soon as it returns (8 MiB: any cost
// a profile is made with; tests use less).
const releaseAboveKiB = 8 * 1024

// derivations counts argon2id runs, for the tests that check that refusals
// cost the same work whatever was wrong.
var derivations atomic.Int64

// argon2id derives keyLen bytes from password with argon2id under p.
//
// argon2id's working memory (p.MemoryKiB: 96 MiB by default) is garbage the
// moment the key is out, but the Go heap keeps it until the next collection
// and the scavenger returns it to the OS only gradually. A login runs two
// derivations back to back (the password check and the file vault's key;
// three while the timing dummy was hashed at start), so without this the
// process peaked at two to three times the cost (213 MB VmHWM at 96 MiB)
// and held the pages for a while after. debug.FreeOSMemory collects and
// returns them now: a login peaks at one derivation's cost, which matters
// on VDI hosts that run many agents' desktops. It costs one collection of
// a small heap per derivation.
func argon2id(password string, salt []byte, p HashParams, keyLen uint32) []byte {
	derivations.Add(1)
	k := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	if p.MemoryKiB >= releaseAboveKiB {
		debug.FreeOSMemory()
	}
	return k
}
