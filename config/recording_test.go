package config

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRecordingValidate(t *testing.T) {
	const pub = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
	tests := []struct {
		name    string
		mod     func(r *Recording)
		wantErr bool
	}{
		{"default", func(r *Recording) {}, false},
		{"on with recipient", func(r *Recording) { r.Policy = "on"; r.Recipients = []string{pub} }, false},
		{"on without recipient", func(r *Recording) { r.Policy = "on" }, true},
		{"ask without recipient", func(r *Recording) { r.Policy = "ask" }, true},
		{"bad policy", func(r *Recording) { r.Policy = "sometimes" }, true},
		{"private key in config", func(r *Recording) {
			r.Policy = "on"
			// Built at run time: no key-shaped literal in the tree.
			r.Recipients = []string{"AGE-" + "SECRET-KEY-1" + strings.Repeat("Q", 58)}
		}, true},
		{"not an age key", func(r *Recording) { r.Recipients = []string{"ssh-ed25519 AAAA"} }, true},
		{"zero retention", func(r *Recording) { r.RetentionDays = 0 }, true},
		{"negative dtmf idle", func(r *Recording) { r.DTMFIdle = -time.Second }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := defaultRecording()
			tc.mod(&r)
			if err := r.Validate(); (err != nil) != tc.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

func TestRecordingDir(t *testing.T) {
	r := defaultRecording()
	r.Dir = "/srv/rec"
	if d, err := r.RecordingDir(); err != nil || d != "/srv/rec" {
		t.Fatalf("RecordingDir() = %q, %v", d, err)
	}
	t.Setenv("XDG_DATA_HOME", "/data")
	r.Dir = ""
	d, err := r.RecordingDir()
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && d != "/data/softphone/recordings" || d == "" {
		t.Fatalf("RecordingDir() = %q", d)
	}
}
