package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"softphone/config"
)

// Source says where an effective value came from.
type Source int

// Sources, from weakest to strongest.
const (
	SourceDefault Source = iota // built in
	SourceUser                  // the user's config (only ever tighter)
	SourceBundle                // the organisation-signed bundle
	SourceMachine               // the machine policy store
	SourceFixed                 // not configurable at all
)

// String names the source as `policy show` prints it.
func (s Source) String() string {
	switch s {
	case SourceDefault:
		return "default"
	case SourceUser:
		return "user config"
	case SourceBundle:
		return "signed bundle"
	case SourceMachine:
		return "machine policy"
	case SourceFixed:
		return "fixed"
	}
	return "unknown"
}

// Locked reports whether a value from this source binds the user.
func (s Source) Locked() bool { return s >= SourceBundle }

// order compares two values of a setting: negative when a is tighter than b.
type order func(a, b string) int

// setting is one key the policy can set, with how to read and write it in
// a config and which of two values is tighter.
type setting struct {
	key   string
	tight order // nil: the policy value is locked, the user cannot change it
	get   func(*config.Config) string
	set   func(*config.Config, string) error
}

func rank(ranks map[string]int, dflt int) order {
	r := func(s string) int {
		if v, ok := ranks[s]; ok {
			return v
		}
		return dflt
	}
	return func(a, b string) int { return r(a) - r(b) }
}

// Lower, shorter or "false" is tighter for these orders.
var (
	boolFalseTighter = rank(map[string]int{"false": 0, "true": 1}, 1)
	maskOrder        = rank(map[string]int{config.MaskHide: 0, config.MaskMask: 1, "": 1, config.MaskShow: 2}, 2)
	transportOrder   = rank(map[string]int{"tls": 0, "": 0}, 1)
)

// durOrder: shorter is tighter; zeroLoosest makes 0 ("never") the loosest.
func durOrder(zeroLoosest bool) order {
	return func(a, b string) int {
		da, db := parseDur(a), parseDur(b)
		if zeroLoosest {
			if da == 0 {
				da = 1<<63 - 1
			}
			if db == 0 {
				db = 1<<63 - 1
			}
		}
		return cmpInt(int64(da), int64(db))
	}
}

// longerTighter: a longer lockout is tighter.
func longerTighter(a, b string) int { return -durOrder(false)(a, b) }

// fewerTighter: fewer allowed failures is tighter (0 means the maximum, 10).
func fewerTighter(a, b string) int {
	n := func(s string) int64 {
		v, _ := strconv.Atoi(s)
		if v <= 0 {
			v = 10
		}
		return int64(v)
	}
	return cmpInt(n(a), n(b))
}

// subsetTighter: a list is tighter when it is a subset of the other.
func subsetTighter(a, b string) int {
	as, bs := splitList(a), splitList(b)
	switch {
	case isSubset(as, bs) && isSubset(bs, as):
		return 0
	case isSubset(as, bs):
		return -1
	}
	return 1
}

func isSubset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func parseDur(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return d
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func joinList(l []string) string { return strings.Join(l, ",") }

func checkDur(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: want a duration such as 30s or 10m", s)
	}
	return d, nil
}

func checkBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%q: want true or false", s)
	}
	return b, nil
}
