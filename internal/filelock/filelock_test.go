package filelock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Two opens of one file conflict like two processes do (flock and
// LockFileEx locks belong to the open file, not the process).
func TestOpenTryConflictsAndReleases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	a, err := OpenTry(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenTry(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second OpenTry: %v, want ErrLocked", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	b, err := OpenTry(path)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	b.Close()
	var nilFile *File
	if err := nilFile.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestLockWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	held, err := OpenTry(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := make(chan error, 1)
	go func() { got <- Lock(f) }()
	select {
	case err := <-got:
		t.Fatalf("Lock returned %v while held", err)
	case <-time.After(100 * time.Millisecond):
	}
	held.Close()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Lock did not get the lock after release")
	}
	if err := Unlock(f); err != nil {
		t.Fatal(err)
	}
}
