//go:build linux

package benchcmp

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"softphone/internal/testchild"
	"softphone/internal/testpeer"
)

const agentPassword = "benchmark agent password 1"

// buildSoftphone builds cmd/softphone into a temporary directory (the Go
// build cache makes it cheap when nothing changed) and returns the path of
// an installed copy of it (testchild.InstallCopy). BENCH_SOFTPHONE_BIN
// names a prebuilt binary to measure instead (e.g. a candidate fix built
// elsewhere); it is installed the same way.
func buildSoftphone(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	bin := filepath.Join(dir, "softphone")
	if src := os.Getenv("BENCH_SOFTPHONE_BIN"); src != "" {
		if err := testchild.InstallCopy(src, bin); err != nil {
			b.Fatalf("BENCH_SOFTPHONE_BIN: %v", err)
		}
		return bin
	}
	// The headless build (no Fyne): what automation hosts run, and what the
	// headless budgets (RSS < 30 MB) are about.
	args := []string{"-tags", "headless"}
	if os.Getenv("BENCH_SOFTPHONE_DIAG") != "" {
		overlay, err := diagOverlay(dir)
		if err != nil {
			b.Fatal(err)
		}
		args = append(args, "-overlay", overlay)
	}
	buildInstalled(b, bin, "softphone/cmd/softphone", args...)
	return bin
}

// buildInstalled builds pkg with the extra go build flags into bin's
// directory and puts an installed copy of it at bin (testchild.InstallCopy).
func buildInstalled(b *testing.B, bin, pkg string, flags ...string) {
	b.Helper()
	built := bin + ".linked"
	args := append([]string{"build", "-buildvcs=false", "-o", built}, flags...)
	out, err := exec.Command("go", append(args, pkg)...).CombinedOutput()
	if err != nil {
		b.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	if err := testchild.InstallCopy(built, bin); err != nil {
		b.Fatal(err)
	}
}

// diagOverlay writes a go build -overlay file that adds
// testdata/softphone_diag.go.txt to cmd/softphone (memory snapshots and a
// CPU profile, for BENCH_SOFTPHONE_DIAG) without touching the tree.
func diagOverlay(dir string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	src, err := filepath.Abs(filepath.Join("testdata", "softphone_diag.go.txt"))
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]any{"Replace": map[string]string{
		filepath.Join(root, "cmd", "softphone", "zz_benchcmp_diag.go"): src,
	}})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "overlay.json")
	return path, os.WriteFile(path, b, 0o600)
}

// diagEnv is the environment that makes a diagnostic build write its
// snapshots and profile to BENCH_SOFTPHONE_DIAG (nil when not set).
func diagEnv(name string, after, span time.Duration) map[string]string {
	dir := os.Getenv("BENCH_SOFTPHONE_DIAG")
	if dir == "" {
		return nil
	}
	return map[string]string{"BENCHCMP_DIAG_DIR": dir, "BENCHCMP_DIAG_NAME": name,
		"BENCHCMP_DIAG_AFTER": after.String(), "BENCHCMP_DIAG_SPAN": span.String()}
}

// softphoneSetup is an enrolled headless profile in a private config
// directory, registered as user at a Kamailio.
type softphoneSetup struct {
	bin, home, config string
	k                 *testpeer.Kamailio // the registrar
	domain            string             // SIP domain of the account
	totpSecret        string
	lastStep          int64    // last TOTP step the profile accepted
	recovery          []string // unused recovery codes
}

// setupSoftphone writes config.toml (file vault, account at k) and runs the
// enrolment sequence with the binary itself: bootstrap admin profile,
// enroll, enroll --confirm with a TOTP code, secret set sip-password.
func setupSoftphone(b *testing.B, bin string, k *testpeer.Kamailio, user, sipPassword string) *softphoneSetup {
	b.Helper()
	home := b.TempDir()
	s := &softphoneSetup{bin: bin, home: home, config: filepath.Join(home, "config.toml"), k: k, domain: k.Domain}
	cfg := fmt.Sprintf(`[auth]
vault = "file"
profile_dir = %q

[account]
server = %q
user = %q
domain = %q
ca_file = %q
expires = %q

[media]
local_ip = "127.0.0.1"
`, filepath.Join(home, "profiles"), k.Addr, user, k.Domain, k.CAFile, regExpires.String())
	if err := os.WriteFile(s.config, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	s.mustRun(b, map[string]string{"SOFTPHONE_PASSWORD": agentPassword}, "profile", "add", "agent1", "--role", "admin")
	evs := s.mustRun(b, map[string]string{"SOFTPHONE_PASSWORD": agentPassword}, "enroll", "agent1")
	secret, _ := evs[len(evs)-1]["secret"].(string)
	if secret == "" {
		b.Fatalf("enroll printed no secret: %v", evs)
	}
	s.totpSecret = secret
	now := time.Now()
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		b.Fatal(err)
	}
	evs = s.mustRun(b, map[string]string{"SOFTPHONE_PASSWORD": agentPassword, "SOFTPHONE_TOTP": code}, "enroll", "agent1", "--confirm")
	s.lastStep = now.Unix() / 30
	rc, _ := evs[len(evs)-1]["recovery_codes"].([]any)
	for _, r := range rc {
		s.recovery = append(s.recovery, r.(string))
	}
	if len(s.recovery) < 3 {
		b.Fatalf("enroll --confirm gave %d recovery codes: %v", len(s.recovery), evs)
	}
	s.mustRun(b, map[string]string{
		"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": agentPassword,
		"SOFTPHONE_TOTP": s.takeRecovery(), "SOFTPHONE_SECRET": sipPassword,
	}, "secret", "set", "sip-password")
	return s
}

// takeRecovery returns an unused recovery code (a login as cheap as a
// TOTP one: recovery codes are SHA-256 hashed, the password is argon2id).
func (s *softphoneSetup) takeRecovery() string {
	c := s.recovery[0]
	s.recovery = s.recovery[1:]
	return c
}

// nextTOTP returns a TOTP code the profile has not accepted yet, waiting
// for the next 30 s step if the only fresh one is out of the ±1 window.
func (s *softphoneSetup) nextTOTP(b *testing.B) string {
	b.Helper()
	cur := time.Now().Unix() / 30
	step := max(cur, s.lastStep+1)
	if step > cur+1 {
		time.Sleep(time.Until(time.Unix((step-1)*30, 0)) + 100*time.Millisecond)
	}
	code, err := totp.GenerateCode(s.totpSecret, time.Unix(step*30, 0))
	if err != nil {
		b.Fatal(err)
	}
	s.lastStep = step
	return code
}

// env is the child environment: a private HOME and config dir, no
// inherited SOFTPHONE_* variables, plus extra.
func (s *softphoneSetup) env(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SOFTPHONE_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+s.home, "XDG_CONFIG_HOME="+filepath.Join(s.home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(s.home, ".local", "share"))
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// mustRun runs one setup command to completion and returns its events.
func (s *softphoneSetup) mustRun(b *testing.B, extra map[string]string, args ...string) []map[string]any {
	b.Helper()
	cmd := exec.Command(s.bin, append(args, "--config", s.config)...)
	cmd.Env = s.env(extra)
	cmd.Dir = s.home
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("softphone %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, stderr.String())
	}
	var evs []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			evs = append(evs, m)
		}
	}
	if len(evs) == 0 {
		b.Fatalf("softphone %s printed no event:\n%s\n%s", strings.Join(args, " "), out, stderr.String())
	}
	return evs
}

// start runs a long-lived softphone command (answer, call) as a measured
// child logged in as agent1 with code as the second factor.
func (s *softphoneSetup) start(b *testing.B, name, code string, extraEnv map[string]string, args ...string) *child {
	b.Helper()
	cmd := exec.Command(s.bin, append(args, "--config", s.config)...)
	env := map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": agentPassword, "SOFTPHONE_TOTP": code}
	for k, v := range extraEnv {
		env[k] = v
	}
	for k, v := range benchSoftphoneEnv() {
		env[k] = v
	}
	cmd.Env = s.env(env)
	cmd.Dir = s.home
	return startChild(b, name, cmd)
}

// benchSoftphoneEnv is BENCH_SOFTPHONE_ENV ("K=V K=V", e.g.
// "GOMEMLIMIT=24MiB GOGC=50"): extra environment for the measured softphone
// processes, to try runtime settings without rebuilding.
func benchSoftphoneEnv() map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Fields(os.Getenv("BENCH_SOFTPHONE_ENV")) {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			m[k] = v
		}
	}
	return m
}

// writeToneWAV writes secs seconds of a hz sine as 8 kHz mono 16-bit PCM
// WAV (a whole number of periods, so that it loops without a click): the
// softphone's counterpart of baresip's ausine source.
func writeToneWAV(path string, hz, secs int) error {
	const rate = 8000
	n := rate * secs
	data := make([]byte, 44+2*n)
	copy(data[0:], "RIFF")
	binary.LittleEndian.PutUint32(data[4:], uint32(36+2*n))
	copy(data[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(data[16:], 16)
	binary.LittleEndian.PutUint16(data[20:], 1) // PCM
	binary.LittleEndian.PutUint16(data[22:], 1) // mono
	binary.LittleEndian.PutUint32(data[24:], rate)
	binary.LittleEndian.PutUint32(data[28:], 2*rate)
	binary.LittleEndian.PutUint16(data[32:], 2)
	binary.LittleEndian.PutUint16(data[34:], 16)
	copy(data[36:], "data")
	binary.LittleEndian.PutUint32(data[40:], uint32(2*n))
	for i := 0; i < n; i++ {
		v := int16(8000 * math.Sin(2*math.Pi*float64(hz)*float64(i)/rate))
		binary.LittleEndian.PutUint16(data[44+2*i:], uint16(v))
	}
	return os.WriteFile(path, data, 0o600)
}
