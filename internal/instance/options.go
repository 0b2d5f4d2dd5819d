package instance

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"
)

// DefaultTimeout bounds how long Acquire waits for an unresponsive holder of
// the lock and how long one Send exchange may take.
const DefaultTimeout = 3 * time.Second

// Option tunes Acquire and Send.
type Option func(*options)

type options struct {
	dir       string
	logger    *slog.Logger
	timeout   time.Duration
	transport transport
}

// WithDir puts the lock file and the endpoint in dir instead of the per-user
// default. Tests use it; dir must be private to the user.
func WithDir(dir string) Option { return func(o *options) { o.dir = dir } }

// WithLogger sets the logger; the package adds component=instance.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithTimeout replaces DefaultTimeout.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// withTransport selects the endpoint kind (tests exercise both on Unix).
func withTransport(t transport) Option { return func(o *options) { o.transport = t } }

func newOptions(name string, opts []Option) (options, error) {
	if !validName(name) {
		return options{}, fmt.Errorf("%w: %q", ErrInvalidName, name)
	}
	o := options{timeout: DefaultTimeout, transport: defaultTransport}
	for _, f := range opts {
		f(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	o.logger = o.logger.With("component", "instance")
	if o.timeout <= 0 {
		o.timeout = DefaultTimeout
	}
	if o.dir == "" {
		d, err := defaultDir(name)
		if err != nil {
			return options{}, err
		}
		o.dir = d
	}
	if err := ensurePrivateDir(o.dir); err != nil {
		return options{}, err
	}
	return o, nil
}

func (o options) lockPath(name string) string { return filepath.Join(o.dir, name+".lock") }

// validName allows what is safe in a file name on every OS.
func validName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '.' {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// maxSocketPath keeps below the smallest sun_path (104 bytes on macOS).
const maxSocketPath = 100

// defaultDir is $XDG_RUNTIME_DIR/softphone on Linux and the BSDs (a tmpfs the
// session owns), else the user cache directory (~/Library/Caches on macOS,
// %LocalAppData% on Windows). If the socket path would be too long for a Unix
// socket it falls back to a per-user directory under the temp dir.
func defaultDir(name string) (string, error) {
	var dir string
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" && filepath.IsAbs(x) {
			dir = filepath.Join(x, "softphone")
		}
	}
	if dir == "" {
		c, err := os.UserCacheDir()
		if err == nil {
			dir = filepath.Join(c, "softphone")
		}
	}
	if dir == "" || (runtime.GOOS != "windows" && len(filepath.Join(dir, name+".sock")) > maxSocketPath) {
		dir = filepath.Join(os.TempDir(), "softphone-"+strconv.Itoa(os.Getuid()))
	}
	return dir, nil
}
