//go:build race

package audio

// raceEnabled: the race detector slows the media clock enough to skip frames, so
// real-time quality figures are not measured under it.
const raceEnabled = true
