//go:build !windows

package safefile

func isSharingViolation(error) bool { return false }
