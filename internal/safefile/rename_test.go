package safefile

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRenameReplacesOpenFile replaces a file while a reader holds it open,
// as a concurrent login does with a profile; on Windows this needs the
// retry, elsewhere it works at once.
func TestRenameReplacesOpenFile(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "profile.json")
	if err := os.WriteFile(dst, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "tmp")
	if err := os.WriteFile(src, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := os.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		r.Close()
	}()
	if err := Rename(src, dst); err != nil {
		t.Fatalf("Rename over an open file: %v", err)
	}
	b, err := os.ReadFile(dst)
	if err != nil || string(b) != "new" {
		t.Fatalf("after Rename: %q, %v", b, err)
	}
}

func TestRenameMissingSourceFailsFast(t *testing.T) {
	start := time.Now()
	if err := Rename(filepath.Join(t.TempDir(), "nope"), filepath.Join(t.TempDir(), "x")); err == nil {
		t.Fatal("renamed a missing file")
	}
	if time.Since(start) > time.Second {
		t.Fatal("a missing source was retried")
	}
}
