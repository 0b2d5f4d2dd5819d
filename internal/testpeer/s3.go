package testpeer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// S3 is a real S3-compatible server (Versity Gateway) started through
// scripts/s3-server.sh on a random 127.0.0.1 port, with a bucket created
// with Object Lock. It is stopped when the test ends.
type S3 struct {
	Endpoint  string // http://127.0.0.1:PORT
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string
	// Dir holds the server's data; it survives Stop and Start.
	Dir string

	port   int
	script string
	proc   *process
	t      testing.TB
}

// StartS3 starts the server. Under -short it skips the test. The script
// builds versitygw (go install) when it is not installed yet.
func StartS3(t testing.TB) *S3 {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping integration test with a real S3 server in -short mode")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the S3 test server (scripts/s3-server.sh) runs on Linux")
	}
	script, err := repoFile("scripts/s3-server.sh")
	if err != nil {
		t.Fatalf("s3 server: %v", err)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed (apt-get install curl); skipping")
	}
	s := &S3{Dir: t.TempDir(), port: FreePort(t), script: script, t: t}
	s.start()
	return s
}

// Stop stops the server (the store is "down"); Start brings it back on the
// same port with the same data and keys.
func (s *S3) Stop() {
	if s.proc != nil {
		s.proc.stop()
		s.proc = nil
	}
}

// Start restarts a stopped server.
func (s *S3) Start() {
	s.t.Helper()
	if s.proc == nil {
		s.start()
	}
}

var s3VarRe = regexp.MustCompile(`(?m)^S3_([A-Z_]+)=(.*)$`)

func (s *S3) start() {
	t := s.t
	t.Helper()
	cmd := exec.Command(s.script, fmt.Sprint(s.port), s.Dir, "softphone")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if s.AccessKey != "" {
		cmd.Env = append(cmd.Env, "S3_ACCESS_KEY="+s.AccessKey, "S3_SECRET_KEY="+s.SecretKey)
	}
	s.proc = startProcess(t, "s3-server", cmd)
	// A first run may build versitygw (about a minute on two cores).
	if _, _, ok := s.proc.log.wait(regexp.MustCompile(`(?m)^S3_READY$`), 0, 5*time.Minute); !ok {
		t.Fatalf("s3 server did not start:\n%s", tail(s.proc.log.String(), 20000))
	}
	for _, m := range s3VarRe.FindAllStringSubmatch(s.proc.log.String(), -1) {
		v := strings.TrimSpace(m[2])
		switch m[1] {
		case "ENDPOINT":
			s.Endpoint = v
		case "REGION":
			s.Region = v
		case "BUCKET":
			s.Bucket = v
		case "ACCESS_KEY":
			s.AccessKey = v
		case "SECRET_KEY":
			s.SecretKey = v
		}
	}
}

// repoFile finds a file relative to the module root (the directory with go.mod).
func repoFile(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, rel), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%s: no go.mod above the working directory", rel)
		}
		dir = parent
	}
}
