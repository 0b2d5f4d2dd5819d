//go:build !unix && !windows

package filelock

import "os"

// Platforms without file locks (js, wasip1, plan9): callers serialise
// within their process only.
func lock(*os.File, bool) error { return nil }
func unlock(*os.File) error     { return nil }
