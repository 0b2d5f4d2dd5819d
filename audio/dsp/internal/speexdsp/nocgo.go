//go:build !cgo

package speexdsp

// Available reports whether this build has the C implementation.
const Available = false

// Echo is unavailable without cgo.
type Echo struct{}

// Config selects what an Echo does.
type Config struct {
	Rate, Frame, Tail int
	EchoCancel        bool
	Denoise           bool
	NoiseDB           int
}

// New returns ErrUnavailable.
func New(Config) (*Echo, error) { return nil, ErrUnavailable }

// Process copies near to out.
func (*Echo) Process(near, _, out []int16) { copy(out, near) }

// Reset does nothing.
func (*Echo) Reset() {}

// Close does nothing.
func (*Echo) Close() {}
