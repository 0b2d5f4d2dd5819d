package urlhandler

import "errors"

// Sentinel errors returned by this package.
var (
	// ErrInvalidLink means the link is malformed; the wrapped text says why.
	ErrInvalidLink = errors.New("invalid link")
	// ErrUnsupportedScheme means the link is not sip:, sips: or tel:.
	ErrUnsupportedScheme = errors.New("unsupported link scheme (want sip:, sips: or tel:)")
	// ErrToolMissing means a desktop tool (xdg-mime) is not installed: the
	// handler file was written but could not be made the default.
	ErrToolMissing = errors.New("desktop integration tool not found")
	// ErrBundleManaged means the OS registers handlers from the app bundle
	// (macOS Info.plist) and there is nothing to do at run time.
	ErrBundleManaged = errors.New("URL handlers are declared in the app bundle's Info.plist")
	// ErrUnsupportedOS means handler registration is not implemented here.
	ErrUnsupportedOS = errors.New("URL handler registration is not supported on this OS")
)
