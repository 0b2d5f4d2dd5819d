//go:build !linux

package recording

func runChildIfRequested() bool { return false }
