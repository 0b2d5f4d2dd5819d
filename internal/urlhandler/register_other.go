//go:build !unix && !windows

package urlhandler

func register(Config) error          { return ErrUnsupportedOS }
func unregister(Config) error        { return ErrUnsupportedOS }
func isDefault(Config) (bool, error) { return false, ErrUnsupportedOS }
func available(Config) (bool, error) { return false, ErrUnsupportedOS }
