package ui

import "softphone/phone"

// phone.Agent is the Phone the desktop runs against in the product.
var _ Phone = (*phone.Agent)(nil)
