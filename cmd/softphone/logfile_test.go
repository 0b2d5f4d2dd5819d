package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogFileRotatesAndIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	f, err := openLogFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(strings.Repeat("x", maxLogSize+1))
	f.Close()
	f, err = openLogFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := os.Stat(filepath.Join(dir, "softphone.log.1")); err != nil {
		t.Fatalf("large log not rotated: %v", err)
	}
	st, err := f.Stat()
	if err != nil || st.Size() != 0 {
		t.Fatalf("new log not empty: %v %v", st.Size(), err)
	}
	if d, err := logDir(); err != nil || d == "" {
		t.Fatalf("logDir: %q %v", d, err)
	}
}
