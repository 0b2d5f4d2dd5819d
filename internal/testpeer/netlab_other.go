//go:build !linux

package testpeer

import (
	"errors"
	"testing"
)

// Lab is the namespace home network; it exists on Linux only.
type Lab struct{ Home, Router, Internet string }

// RequireNetlab skips: network namespaces are Linux only.
func RequireNetlab(t testing.TB) {
	t.Helper()
	t.Skip("the namespace home network needs Linux")
}

// NewLab skips: network namespaces are Linux only.
func NewLab(t testing.TB) *Lab {
	t.Helper()
	RequireNetlab(t)
	return nil
}

// InNetns runs f when ns is empty; namespaces are Linux only.
func InNetns(ns string, f func() error) error {
	if ns != "" {
		return errors.New("network namespaces need Linux")
	}
	return f()
}
