//go:build darwin

package urlhandler

// On macOS, Launch Services registers the sip: and tel: handlers from
// CFBundleURLTypes in the .app's Info.plist (packaging/darwin/Info.plist)
// when the bundle is first seen; the user picks the default in FaceTime's
// or the app's settings. There is nothing to write at run time.

func register(Config) error          { return ErrBundleManaged }
func unregister(Config) error        { return ErrBundleManaged }
func isDefault(Config) (bool, error) { return false, ErrBundleManaged }
func available(Config) (bool, error) { return false, ErrBundleManaged }
