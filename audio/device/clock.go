package device

import "time"

// start anchors monotonic: time.Since uses the monotonic clock, which wall-clock steps do not move.
var start = time.Now()

// monotonic is nanoseconds since the package loaded, on the monotonic clock (atomic-friendly).
func monotonic() int64 { return int64(time.Since(start)) }
