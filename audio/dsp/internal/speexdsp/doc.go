// Package speexdsp compiles speexdsp 1.2.1's acoustic echo canceller (MDF) and preprocessor
// (noise suppression, residual echo suppression) from the vendored C sources in src/ (BSD
// licence, see COPYING) and wraps them for audio/dsp. Without cgo it builds a stub that reports
// ErrUnavailable, so the rest of the tree still builds with CGO_ENABLED=0 for every OS.
package speexdsp

import "errors"

// ErrUnavailable reports a build without cgo: there is no echo canceller.
var ErrUnavailable = errors.New("speexdsp: not built (no cgo)")
